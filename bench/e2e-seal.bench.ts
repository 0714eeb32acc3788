/**
 * End-to-end seal and open costs for 1400-byte IPv6 packets, both AEADs. Self-timed (no bench
 * library is installed): a warm-up, then ROUNDS timed rounds of BATCH packets; prints the median.
 *
 *   npx tsx bench/e2e-seal.bench.ts
 *
 * Steady state means an acknowledged key (52-byte header, no ephemeral). "new key" is the cost of
 * the first packet to a new destination (sender: ephemeral key pair + 1 X25519 + HKDF; the static
 * agreement is cached) and of the first packet from a new key (receiver: 1 X25519 + HKDF).
 */
import { createHash, randomBytes } from 'node:crypto';
import { aeadKey, seal as aeadSeal } from '../src/crypto/aead.js';
import { E2e, E2eAlgorithmId } from '../src/crypto/e2e/index.js';
import { identityFromSeed, type NodeIdentity, type PublicIdentity } from '../src/identity/keys.js';

const PACKET_BYTES = 1400;
const BATCH = 5000;
const ROUNDS = 9;
const WARMUP = 5000;

const idS = identityFromSeed(new Uint8Array(32).fill(0x11));
const idD = identityFromSeed(new Uint8Array(32).fill(0x22));
const lookup = (a: Uint8Array) =>
  Buffer.from(a).equals(Buffer.from(idS.address)) ? idS.publicKey : undefined;

function ipv6(src: PublicIdentity, dst: PublicIdentity): Uint8Array {
  const p = new Uint8Array(PACKET_BYTES);
  p[0] = 0x60;
  p[4] = (PACKET_BYTES - 40) >> 8;
  p[5] = (PACKET_BYTES - 40) & 0xff;
  p[6] = 59;
  p.set(src.address, 8);
  p.set(dst.address, 24);
  return p;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function report(name: string, nsPerPacket: number, bytes = PACKET_BYTES): void {
  if (bytes === 0) {
    console.log(`${name.padEnd(48)} ${(nsPerPacket / 1000).toFixed(0).padStart(8)} µs/key`);
    return;
  }
  const gbps = (bytes * 8) / nsPerPacket;
  console.log(
    `${name.padEnd(48)} ${nsPerPacket.toFixed(0).padStart(8)} ns/packet ${gbps.toFixed(2).padStart(7)} Gbit/s`,
  );
}

function pair(alg: E2eAlgorithmId): { s: E2e; d: E2e } {
  const s = new E2e({ identity: idS, algorithm: alg, randomBytes });
  const d = new E2e({ identity: idD, algorithm: alg, randomBytes });
  const first = s.seal(idD, 64, 0, ipv6(idS, idD), 0);
  if (!first.ok) throw new Error(first.reason);
  d.open(first.frame, 0, lookup);
  for (let c = d.pollControl(); c !== undefined; c = d.pollControl()) s.open(c.frame, 0, lookup);
  return { s, d };
}

function benchAlgorithm(alg: E2eAlgorithmId, label: string): void {
  const { s, d } = pair(alg);
  const packet = ipv6(idS, idD);
  const frames: Uint8Array[] = new Array(BATCH);
  const sealOnce = (i: number) => {
    const r = s.seal(idD, 64, 0, packet, 0);
    if (!r.ok) throw new Error(r.reason);
    frames[i] = r.frame;
  };
  for (let i = 0; i < WARMUP; i++) sealOnce(i % BATCH);
  for (let i = 0; i < BATCH; i++) if (!d.open(frames[i]!, 0, lookup).ok) throw new Error('warm-up open');
  if (frames[0]![2] !== 0) throw new Error('expected acknowledged key');
  const sealNs: number[] = [];
  const openNs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) sealOnce(i);
    sealNs.push(Number(process.hrtime.bigint() - t) / BATCH);
    t = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) if (!d.open(frames[i]!, 0, lookup).ok) throw new Error('open');
    openNs.push(Number(process.hrtime.bigint() - t) / BATCH);
  }
  report(`${label} e2e seal`, median(sealNs));
  report(`${label} e2e open`, median(openNs));

  // The bare AEAD (src/crypto/aead.ts) on the same bytes, for the framing overhead.
  const key = aeadKey(
    alg === E2eAlgorithmId.Aes256Gcm ? 'aes-256-gcm' : 'chacha20-poly1305',
    randomBytes(32),
  );
  const ad = new Uint8Array(44);
  let n = 0;
  for (let i = 0; i < WARMUP; i++) aeadSeal(key, n++, ad, packet);
  const bare: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) aeadSeal(key, n++, ad, packet);
    bare.push(Number(process.hrtime.bigint() - t) / BATCH);
  }
  report(`${label} bare AEAD seal`, median(bare));

  // New keys: sender side (per new destination) and receiver side (per new sender key).
  const keyRounds = 200;
  const dsts: NodeIdentity[] = [];
  for (let i = 0; i < keyRounds; i++) {
    dsts.push(identityFromSeed(createHash('sha256').update(`dst ${i}`).digest()));
  }
  const fresh = new E2e({ identity: idS, algorithm: alg, randomBytes });
  for (const dst of dsts) fresh.seal(dst, 64, 0, ipv6(idS, dst), 0); // warm the static cache
  let t = process.hrtime.bigint();
  for (const dst of dsts) fresh.seal(dst, 64, 0, ipv6(idS, dst), 2 * 60 * 1000); // rotation: new keys
  report(`${label} seal, new key (1 X25519 + keygen)`, Number(process.hrtime.bigint() - t) / keyRounds, 0);
  const senders = Array.from(
    { length: keyRounds },
    () => new E2e({ identity: idS, algorithm: alg, randomBytes }),
  );
  const firsts = senders.map((e) => {
    const r = e.seal(idD, 64, 0, packet, 0);
    if (!r.ok) throw new Error(r.reason);
    return r.frame;
  });
  const recv = new E2e({ identity: idD, algorithm: alg, randomBytes });
  recv.open(firsts[0]!, 0, lookup); // the static agreement, once
  t = process.hrtime.bigint();
  for (let i = 1; i < keyRounds; i++) recv.open(firsts[i]!, i * 1000, lookup);
  report(`${label} open, new key (1 X25519)`, Number(process.hrtime.bigint() - t) / (keyRounds - 1), 0);
}

console.log(`node ${process.version}, ${PACKET_BYTES}-byte packets, median of ${ROUNDS} rounds of ${BATCH}`);
benchAlgorithm(E2eAlgorithmId.Aes256Gcm, 'AES-256-GCM');
benchAlgorithm(E2eAlgorithmId.ChaCha20Poly1305, 'ChaCha20-Poly1305');
