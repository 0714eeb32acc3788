import { CookieGenerator } from '../../src/crypto/cookie.js';
import {
  consumeFinish,
  consumeInitiation,
  consumeResponse,
  createFinish,
  createHandshakeContext,
  createInitiation,
  createResponse,
  type HandshakeContext,
  type LinkIdentity,
} from '../../src/crypto/handshake.js';
import { sha256, utf8 } from '../../src/crypto/kdf.js';
import type { Keypair } from '../../src/crypto/keypair.js';
import { networkKeys, privateNetworkKey } from '../../src/crypto/network-key.js';
import { type DhFunctions, X25519 } from '../../src/crypto/noise.js';
import { identityFromSeed, type NodeIdentity } from '../../src/identity/keys.js';

/** A deterministic randomBytes: SHA-256(label ‖ counter) blocks. Never use outside tests. */
export function seededRandom(label: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) {
      const block = sha256(
        utf8(label),
        Uint8Array.of(counter >>> 24, counter >>> 16, counter >>> 8, counter),
      );
      counter++;
      out.set(block.subarray(0, Math.min(32, n - at)), at);
    }
    return out;
  };
}

/** X25519 that counts its scalar multiplications. */
export function countingDh(): DhFunctions & { keygens: number; dhs: number } {
  const spy = {
    keygens: 0,
    dhs: 0,
    publicKey(secret: Uint8Array) {
      spy.keygens++;
      return X25519.publicKey(secret);
    },
    dh(secret: Uint8Array, pub: Uint8Array) {
      spy.dhs++;
      return X25519.dh(secret, pub);
    },
  };
  return spy;
}

export const PSK = Uint8Array.from({ length: 32 }, (_, i) => i);
export const NETWORK = 'lab';
export const SOURCE_A = Uint8Array.of(0xfd, 0, 1, 0x98, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x25, 0xc3);
export const SOURCE_B = Uint8Array.of(0xfd, 0, 1, 0x98, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x25, 0xc3);

export function identity(seedByte: number): NodeIdentity {
  return identityFromSeed(new Uint8Array(32).fill(seedByte));
}

export function context(
  id: LinkIdentity,
  label: string,
  opts: { psk?: Uint8Array; network?: string; dh?: DhFunctions } = {},
): HandshakeContext {
  const keys = networkKeys(privateNetworkKey(opts.psk ?? PSK, opts.network ?? NETWORK));
  return createHandshakeContext(id, keys, seededRandom(label), opts.dh);
}

/** Runs a full handshake between two contexts; throws on any failure. */
export function handshake(
  a: HandshakeContext,
  b: HandshakeContext,
  now = 1_000,
): { initiator: Keypair; responder: Keypair; frames: Uint8Array[] } {
  const m1 = createInitiation(a, 0x11111111, now, new CookieGenerator(a.keys));
  const c1 = consumeInitiation(b, m1.frame, { now, source: SOURCE_A });
  if (!c1.ok) throw new Error(`msg1: ${c1.reason}`);
  const m2 = createResponse(b, c1.initiation, 0x22222222, now);
  if (!m2.ok) throw new Error(`msg2 create: ${m2.reason}`);
  const c2 = consumeResponse(a, m1.handshake, m2.frame, { now, source: SOURCE_B });
  if (!c2.ok) throw new Error(`msg2: ${c2.reason}`);
  const m3 = createFinish(a, c2.handshake, now);
  const c3 = consumeFinish(b, m2.handshake, m3.frame, { now });
  if (!c3.ok) throw new Error(`msg3: ${c3.reason}`);
  return { initiator: m3.keypair, responder: c3.keypair, frames: [m1.frame, m2.frame, m3.frame] };
}
