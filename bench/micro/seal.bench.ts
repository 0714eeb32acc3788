/**
 * Sealing and opening one 1400-byte packet: hypha's end-to-end path in steady state (an
 * acknowledged key, 52-byte Data header), the same AEADs called directly through node:crypto with
 * a createCipheriv per packet, and @noble/ciphers (pure JavaScript) for reference.
 */
import {
  type CipherGCMTypes,
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
} from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { E2eAlgorithmId } from '../../src/crypto/e2e/index.js';
import { nativeAead } from '../../src/crypto/native-aead.js';
import { DATA_HEADER_SIZE } from '../../src/wire/link/index.js';
import { acknowledge, e2ePair } from './e2e-pair.js';
import { ipv6Packet, PACKET_BYTES, seededBytes } from './fixtures.js';
import { type MicroGroup, type MicroTask, must, runTasks } from './harness.js';

const TAG = 16;
/** src/crypto/aead.ts seals through the native addon when it is built, else node:crypto (HYPHA_AEAD=node-crypto forces that). */
const AEAD_BACKEND = nativeAead === undefined ? 'node:crypto' : 'native';
/** The e2e associated data: source, destination, key id, counter. */
const AD_BYTES = 44;

/** Seal and open tasks over a batch of fresh sealed packets; `seal(n)` seals with nonce counter n. */
function sealOpenPair(
  label: string,
  seal: (counter: number) => Uint8Array,
  open: (counter: number, sealed: Uint8Array) => unknown,
  batch: number,
): MicroTask[] {
  let counter = 0;
  const sealed: Uint8Array[] = [];
  const counters: number[] = [];
  return [
    { name: `${label} seal`, op: () => seal(counter++), batch, bytesPerOp: PACKET_BYTES },
    {
      name: `${label} open`,
      prepare: (n) => {
        for (let i = 0; i < n; i++) {
          counters[i] = counter;
          sealed[i] = seal(counter++);
        }
      },
      op: (i) => {
        if (open(counters[i]!, sealed[i]!) === undefined) throw new Error(`${label}: open failed`);
      },
      batch,
      bytesPerOp: PACKET_BYTES,
    },
  ];
}

function e2eTasks(algorithm: E2eAlgorithmId, label: string): MicroTask[] {
  const p = e2ePair(algorithm);
  acknowledge(p);
  const packet = ipv6Packet(p.src, p.dst);
  const probe = must(p.sender.seal(p.dst, 64, 0, packet, 0), 'probe seal').frame;
  if (probe.length !== DATA_HEADER_SIZE + PACKET_BYTES + TAG) throw new Error('e2e key not acknowledged');
  return sealOpenPair(
    `hypha e2e ${label} (${AEAD_BACKEND})`,
    () => must(p.sender.seal(p.dst, 64, 0, packet, 0), 'seal').frame,
    (_, frame) => must(p.receiver.open(frame, 0, p.lookup), 'open'),
    20,
  );
}

function nonce(counter: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(Math.floor(counter / 2 ** 32), 4);
  n.writeUInt32BE(counter >>> 0, 8);
  return n;
}

function nodeCryptoTasks(algorithm: CipherGCMTypes | 'chacha20-poly1305', label: string): MicroTask[] {
  const rand = seededBytes(0x5ea1);
  const key: KeyObject = createSecretKey(rand(32));
  const ad = rand(AD_BYTES);
  const plaintext = rand(PACKET_BYTES);
  const options = { authTagLength: TAG };
  return sealOpenPair(
    `node:crypto ${label}`,
    (counter) => {
      const c = createCipheriv(algorithm as 'chacha20-poly1305', key, nonce(counter), options);
      c.setAAD(ad, { plaintextLength: plaintext.length });
      const head = c.update(plaintext);
      const tail = c.final();
      return Buffer.concat([head, tail, c.getAuthTag()]);
    },
    (counter, sealed) => {
      const d = createDecipheriv(algorithm as 'chacha20-poly1305', key, nonce(counter), options);
      const ctLength = sealed.length - TAG;
      d.setAAD(ad, { plaintextLength: ctLength });
      d.setAuthTag(sealed.subarray(ctLength));
      const head = d.update(sealed.subarray(0, ctLength));
      d.final(); // throws on a bad tag
      return head;
    },
    20,
  );
}

function nobleTasks(cipher: typeof gcm | typeof chacha20poly1305, label: string, batch: number): MicroTask[] {
  const rand = seededBytes(0x0b1e);
  const key = rand(32);
  const ad = rand(AD_BYTES);
  const plaintext = rand(PACKET_BYTES);
  // noble refuses to reuse a (key, nonce) instance, so each packet builds its own, as it would in use.
  return sealOpenPair(
    `@noble/ciphers ${label}`,
    (counter) => cipher(key, nonce(counter), ad).encrypt(plaintext),
    (counter, sealed) => cipher(key, nonce(counter), ad).decrypt(sealed),
    batch,
  );
}

export const sealGroup: MicroGroup = {
  name: 'seal',
  title: 'seal/open of a 1400-byte packet: hypha e2e, node:crypto, @noble/ciphers',
  run: (opts) =>
    runTasks(
      'seal',
      [
        ...e2eTasks(E2eAlgorithmId.Aes256Gcm, 'AES-256-GCM'),
        ...e2eTasks(E2eAlgorithmId.ChaCha20Poly1305, 'ChaCha20-Poly1305'),
        ...nodeCryptoTasks('aes-256-gcm', 'AES-256-GCM'),
        ...nodeCryptoTasks('chacha20-poly1305', 'ChaCha20-Poly1305'),
        ...nobleTasks(gcm, 'AES-256-GCM', 2),
        ...nobleTasks(chacha20poly1305, 'ChaCha20-Poly1305', 5),
      ],
      opts,
    ),
};
