import { describe, expect, it } from 'vitest';
import { MAX_DATAGRAM_SIZE } from '../../../src/wire/link/constants.js';
import { encodeCookieReply } from '../../../src/wire/link/cookie.js';
import { encodeData } from '../../../src/wire/link/data.js';
import { encodeDiscoveryBeacon } from '../../../src/wire/link/discovery.js';
import {
  encodeHandshakeFinish,
  encodeHandshakeInitiation,
  encodeHandshakeResponse,
} from '../../../src/wire/link/handshake.js';

const b = (n: number) => new Uint8Array(n);
const initiation = {
  senderIndex: 1,
  ephemeral: b(32),
  encryptedPayload: b(16),
  mac1: b(16),
  mac2: b(16),
};
const data = {
  hopLimit: 64,
  receiverIndex: 1,
  source: b(16),
  destination: b(16),
  keyId: 1,
  counter: 1,
  ciphertext: b(16),
};

describe('encoders name the argument they reject', () => {
  it('HandshakeInitiation', () => {
    expect(() => encodeHandshakeInitiation({ ...initiation, senderIndex: -1 })).toThrow(/senderIndex/);
    expect(() => encodeHandshakeInitiation({ ...initiation, senderIndex: 1.5 })).toThrow(RangeError);
    expect(() => encodeHandshakeInitiation({ ...initiation, ephemeral: b(31) })).toThrow(/ephemeral/);
    expect(() => encodeHandshakeInitiation({ ...initiation, encryptedPayload: b(0) })).toThrow(
      /encryptedPayload/,
    );
    expect(() => encodeHandshakeInitiation({ ...initiation, mac2: b(0) })).toThrow(/mac2/);
    expect(() => encodeHandshakeInitiation({ ...initiation, mac1: [] as unknown as Uint8Array })).toThrow(
      TypeError,
    );
  });

  it('HandshakeResponse, HandshakeFinish and CookieReply', () => {
    const response = {
      senderIndex: 1,
      receiverIndex: 2,
      ephemeral: b(32),
      encryptedStatic: b(48),
      encryptedPayload: b(16),
      mac1: b(16),
      mac2: b(16),
    };
    expect(() => encodeHandshakeResponse({ ...response, receiverIndex: 2 ** 32 })).toThrow(/receiverIndex/);
    expect(() => encodeHandshakeResponse({ ...response, encryptedStatic: b(32) })).toThrow(/encryptedStatic/);
    expect(() => encodeHandshakeResponse({ ...response, encryptedPayload: b(0) })).toThrow(
      /encryptedPayload/,
    );
    const finish = {
      receiverIndex: 3,
      encryptedStatic: b(48),
      encryptedPayload: b(16),
      mac1: b(16),
      mac2: b(16),
    };
    expect(() => encodeHandshakeFinish({ ...finish, receiverIndex: -1 })).toThrow(/receiverIndex/);
    expect(() => encodeHandshakeFinish({ ...finish, encryptedStatic: b(47) })).toThrow(/encryptedStatic/);
    expect(() => encodeHandshakeFinish({ ...finish, encryptedPayload: b(17) })).toThrow(/encryptedPayload/);
    expect(() => encodeHandshakeFinish({ ...finish, mac1: b(15) })).toThrow(/mac1/);
    expect(() => encodeCookieReply({ receiverIndex: 1, nonce: b(12), encryptedCookie: b(32) })).toThrow(
      /nonce/,
    );
    expect(() => encodeCookieReply({ receiverIndex: 1, nonce: b(24), encryptedCookie: b(16) })).toThrow(
      /encryptedCookie/,
    );
  });

  it('Data', () => {
    expect(() => encodeData({ ...data, hopLimit: 0 })).toThrow(/hopLimit/);
    expect(() => encodeData({ ...data, source: b(4) })).toThrow(/source/);
    expect(() => encodeData({ ...data, destination: b(17) })).toThrow(/destination/);
    expect(() => encodeData({ ...data, keyId: 2 ** 32 })).toThrow(/keyId/);
    expect(() => encodeData({ ...data, counter: -1 })).toThrow(/counter/);
    expect(() => encodeData({ ...data, ephemeral: b(16) })).toThrow(/ephemeral/);
    expect(() => encodeData({ ...data, ciphertext: b(15) })).toThrow(/ciphertext/);
    expect(() => encodeData({ ...data, ciphertext: b(MAX_DATAGRAM_SIZE - 52 + 1) })).toThrow(/ciphertext/);
    expect(encodeData({ ...data, ciphertext: b(MAX_DATAGRAM_SIZE - 52) }).length).toBe(MAX_DATAGRAM_SIZE);
  });

  it('DiscoveryBeacon', () => {
    const beacon = { port: 9651, publicKey: b(32), networkTag: b(8) };
    expect(() => encodeDiscoveryBeacon({ ...beacon, port: 0 })).toThrow(/port/);
    expect(() => encodeDiscoveryBeacon({ ...beacon, port: 65536 })).toThrow(/port/);
    expect(() => encodeDiscoveryBeacon({ ...beacon, publicKey: b(33) })).toThrow(/publicKey/);
    expect(() => encodeDiscoveryBeacon({ ...beacon, networkTag: b(16) })).toThrow(/networkTag/);
    expect(() => encodeDiscoveryBeacon({ ...beacon, version: 2 })).toThrow(/version/);
    expect(() => encodeDiscoveryBeacon({ ...beacon, flags: 256 })).toThrow(/flags/);
  });
});
