/**
 * Route-update signature checks. The daemon verifies Ed25519 through OpenSSL
 * (src/daemon/signing.ts, parsed keys cached) behind the routing engine's VerifyCache
 * (src/routing/verify-cache.ts): a periodic refresh repeats a verified (originator, prefix, seqno)
 * with the same signature and costs a Map lookup; a new seqno costs a verification.
 * @noble/curves (src/identity/keys.ts, the simulator's real-crypto mode) is the pure-JS reference.
 */
import { createVerifier } from '../../src/daemon/signing.js';
import { verify as nobleVerify, sign } from '../../src/identity/keys.js';
import { VERIFY_CACHE_SIZE } from '../../src/routing/constants.js';
import { VerifyCache } from '../../src/routing/verify-cache.js';
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
  // The routing engine's cache key shape (src/routing/update.ts): source key, then "#seqno".
  const sourceKey = `${prefix.ae}/${prefix.plen}/${Buffer.from(prefix.addr).toString('hex')}|${Buffer.from(origin.publicKey).toString('hex')}`;
  let cache = new VerifyCache(VERIFY_CACHE_SIZE);
  const warm = new VerifyCache(VERIFY_CACHE_SIZE);
  warm.add(`${sourceKey}#${first.seqno}`, first.signature);

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
      name: 'Update signature, VerifyCache hit',
      op: () => check(warm.has(`${sourceKey}#${first.seqno}`, first.signature), 'cache hit'),
      batch: 1000,
    },
    {
      // What src/routing/update.ts verifyUpdate does for a seqno it has not seen: miss, build the
      // signed bytes, verify, remember.
      name: 'Update signature, VerifyCache miss (+ signed bytes + OpenSSL verify)',
      prepare: () => {
        cache = new VerifyCache(VERIFY_CACHE_SIZE);
      },
      op: (i) => {
        const u = updates[i]!;
        const key = `${sourceKey}#${u.seqno}`;
        if (cache.has(key, u.signature)) throw new Error('expected a cache miss');
        check(
          verifier(origin.publicKey, updateSignedBytes(prefix, u.seqno, origin.publicKey), u.signature),
          'miss',
        );
        cache.add(key, u.signature);
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
  title: 'Ed25519 verify of a route update: OpenSSL, VerifyCache hit/miss, @noble/curves',
  run: (opts) => runTasks('verify', tasks(), opts),
};
