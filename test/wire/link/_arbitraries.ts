import fc from 'fast-check';
import { COUNTER_MAX } from '../../../src/wire/link/constants.js';

export const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
export const counter = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.integer({ min: 0, max: COUNTER_MAX }),
  fc.constantFrom(0, 0x1_0000_0000, COUNTER_MAX),
);
export const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
export const bytesBetween = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

export const initiation = fc.record({
  senderIndex: u32,
  ephemeral: bytes(32),
  encryptedPayload: bytes(16),
  mac1: bytes(16),
  mac2: bytes(16),
});
export const response = fc.record({
  senderIndex: u32,
  receiverIndex: u32,
  ephemeral: bytes(32),
  encryptedStatic: bytes(48),
  encryptedPayload: bytes(16),
  mac1: bytes(16),
  mac2: bytes(16),
});
export const finish = fc.record({
  receiverIndex: u32,
  encryptedStatic: bytes(48),
  encryptedPayload: bytes(16),
  mac1: bytes(16),
  mac2: bytes(16),
});
export const cookieReply = fc.record({ receiverIndex: u32, nonce: bytes(24), encryptedCookie: bytes(32) });
export const transport = fc.record({ receiverIndex: u32, counter, ciphertext: bytesBetween(17, 300) });
export const data = fc.record(
  {
    hopLimit: fc.integer({ min: 1, max: 255 }),
    receiverIndex: u32,
    source: bytes(16),
    destination: bytes(16),
    keyId: u32,
    counter,
    ephemeral: bytes(32),
    ciphertext: bytesBetween(16, 300),
  },
  { requiredKeys: ['hopLimit', 'receiverIndex', 'source', 'destination', 'keyId', 'counter', 'ciphertext'] },
);
export const beacon = fc.record({
  flags: fc.integer({ min: 0, max: 255 }),
  port: fc.integer({ min: 1, max: 0xffff }),
  publicKey: bytes(32),
  networkTag: bytes(8),
});
