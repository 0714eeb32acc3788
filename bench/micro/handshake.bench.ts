/**
 * Key-exchange costs: the link handshake (src/crypto/handshake.ts on noise.ts, Noise XXpsk0: both
 * sides, three messages) and the end-to-end "new key" work — on send, a fresh ephemeral key pair
 * and one X25519 with the destination (the static agreement is cached); on receive, one X25519.
 */
import { randomBytes } from 'node:crypto';
import { E2eAlgorithmId, EPOCH_MS } from '../../src/crypto/e2e/index.js';
import {
  consumeFinish,
  consumeInitiation,
  consumeResponse,
  createFinish,
  createHandshakeContext,
  createInitiation,
  createResponse,
  type HandshakeContext,
} from '../../src/crypto/handshake.js';
import { networkKeys, privateNetworkKey } from '../../src/crypto/network-key.js';
import { X25519 } from '../../src/crypto/noise.js';
import { acknowledge, e2ePair } from './e2e-pair.js';
import { identity, ipv6Packet, seededBytes } from './fixtures.js';
import { type MicroGroup, type MicroTask, must, runTasks } from './harness.js';

const SOURCE = Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1a, 0x29);

function linkHandshakeTask(): MicroTask {
  const keys = networkKeys(privateNetworkKey(seededBytes(1)(32), 'bench'));
  const a: HandshakeContext = createHandshakeContext(identity(0xa1), keys, randomBytes);
  const b: HandshakeContext = createHandshakeContext(identity(0xb2), keys, randomBytes);
  let index = 1;
  let now = 1000;
  return {
    name: 'link handshake, full exchange (both sides, 3 messages)',
    op: () => {
      now++;
      const m1 = createInitiation(a, index++, now);
      const c1 = must(consumeInitiation(b, m1.frame, { now, source: SOURCE }), 'message 1');
      const m2 = must(createResponse(b, c1.initiation, index++, now), 'message 2 create');
      const c2 = must(consumeResponse(a, m1.handshake, m2.frame, { now, source: SOURCE }), 'message 2');
      const m3 = createFinish(a, c2.handshake, now);
      must(consumeFinish(b, m2.handshake, m3.frame, { now }), 'message 3');
      index &= 0x7fff_ffff;
    },
  };
}

function x25519Task(): MicroTask {
  const secret = seededBytes(2)(32);
  const peer = X25519.publicKey(seededBytes(3)(32));
  return {
    name: 'X25519 agreement in the handshake (@noble/curves)',
    op: () => X25519.dh(secret, peer),
    batch: 4,
  };
}

function e2eNewKeyTasks(): MicroTask[] {
  const p = e2ePair(E2eAlgorithmId.Aes256Gcm);
  acknowledge(p); // caches the static agreement on both sides, as after the first packet
  const packet = ipv6Packet(p.src, p.dst);
  // A send key is replaced once it is EPOCH_MS old, so stepping the sender's clock by that much
  // makes every seal a new key.
  let senderNow = 0;
  const sealNewKey = () => {
    senderNow += EPOCH_MS;
    return must(p.sender.seal(p.dst, 64, 0, packet, senderNow), 'seal').frame;
  };
  let receiverNow = 0;
  const frames: Uint8Array[] = [];
  return [
    { name: 'e2e seal, new key (keygen + 1 X25519 + HKDF + seal)', op: sealNewKey, batch: 4 },
    {
      name: 'e2e open, new key (1 X25519 + HKDF + open + KeyAck)',
      prepare: (n) => {
        while (p.receiver.pollControl() !== undefined); // the KeyAcks of the last batch
        for (let i = 0; i < n; i++) frames[i] = sealNewKey();
      },
      // 1 ms apart keeps the receiver's X25519 token bucket (DERIVE_PER_SECOND) from running dry.
      op: (i) => must(p.receiver.open(frames[i]!, ++receiverNow, p.lookup), 'open'),
      batch: 4,
    },
  ];
}

export const handshakeGroup: MicroGroup = {
  name: 'handshake',
  title: 'link handshake (Noise XXpsk0) and end-to-end new-key cost',
  run: (opts) => runTasks('handshake', [linkHandshakeTask(), x25519Task(), ...e2eNewKeyTasks()], opts),
};
