/**
 * Route-update signature checks. The daemon verifies Ed25519 through OpenSSL
 * (src/daemon/signing.ts, parsed keys cached). The routing engine (src/routing/update.ts) skips
 * the check when a route it holds for the prefix already carries the same seqno and signature: a
 * periodic refresh costs a 64-byte compare; a new seqno costs a verification.
 * @noble/curves (src/identity/keys.ts, the simulator's real-crypto mode) is the pure-JS reference.
 */
import { createVerifier } from '../../src/daemon/signing.js';
import { verify as nobleVerify, sign } from '../../src/identity/keys.js';
import { bytesEqual } from '../../src/routing/_keys.js';
import { AE, type Prefix, updateSignedBytes } from '../../src/wire/babel/index.js';
import { identity } from './fixtures.js';
import { type MicroGroup, type MicroTask, runTasks } from './harness.js';

/** Distinct seqnos signed up front, so each verification in a sample is a cache miss. */
const SEQNOS = 64;

interface SignedUpdate {
  readonly seqno: number;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${what}: signature did not verify`);
}

function tasks(): MicroTask[] {
  const origin = identity(0x51);
  const other = identity(0x52);
  const prefix: Prefix = { ae: AE.IPv6, plen: 64, addr: origin.subnet };
  const updates: SignedUpdate[] = Array.from({ length: SEQNOS }, (_, seqno) => {
    const message = updateSignedBytes(prefix, seqno, origin.publicKey);
    return { seqno, message, signature: sign(origin, message) };
  });
  const otherMessage = updateSignedBytes(prefix, 0, other.publicKey);
  const otherSignature = sign(other, otherMessage);
  const first = updates[0]!;

  const verifier = createVerifier();
  // One cached key slot and two keys taking turns: every call parses its key into a KeyObject.
  const coldVerifier = createVerifier(1);
  // A held route's signature: a copy, as a decoded packet carries its own bytes.
  const held = Uint8Array.from(first.signature);

  return [
    {
      name: 'OpenSSL verify (src/daemon/signing.ts), key cached',
      op: () => check(verifier(origin.publicKey, first.message, first.signature), 'openssl'),
      batch: 4,
    },
    {
      name: 'OpenSSL verify, key not cached (SPKI import + verify)',
      op: (i) =>
        i % 2 === 0
          ? check(coldVerifier(origin.publicKey, first.message, first.signature), 'openssl cold')
          : check(coldVerifier(other.publicKey, otherMessage, otherSignature), 'openssl cold'),
      batch: 4,
    },
    {
      name: 'Update signature already held by a route (64-byte compare)',
      op: () => check(bytesEqual(held, first.signature), 'held'),
      batch: 1000,
    },
    {
      // What src/routing/update.ts does for a seqno it holds no route with: build the signed
      // bytes and verify.
      name: 'Update signature, new seqno (signed bytes + OpenSSL verify)',
      op: (i) => {
        const u = updates[i % SEQNOS]!;
        check(
          verifier(origin.publicKey, updateSignedBytes(prefix, u.seqno, origin.publicKey), u.signature),
          'new seqno',
        );
      },
      batch: 4,
    },
    {
      name: '@noble/curves ed25519 verify (src/identity/keys.ts)',
      op: () => check(nobleVerify(origin.publicKey, first.message, first.signature), 'noble'),
    },
    { name: '@noble/curves ed25519 sign (an own Update)', op: () => sign(origin, first.message) },
  ];
}

export const verifyGroup: MicroGroup = {
  name: 'verify',
  title: 'Ed25519 verify of a route update: OpenSSL, held signature, @noble/curves',
  run: (opts) => runTasks('verify', tasks(), opts),
};
