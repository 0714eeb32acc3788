import { describe, expect, it } from 'vitest';
import {
  ContentType,
  DATA_OVERHEAD_MAX,
  DEFAULT_TUN_MTU,
  IPV6_MIN_MTU,
  MAX_CONTROL_BODY_SIZE,
  UNDERLAY_PAYLOAD_SIZE,
} from '../../../src/wire/link/constants.js';
import { encodeData } from '../../../src/wire/link/data.js';
import { isValidTunMtu, tunMtuForUnderlay } from '../../../src/wire/link/mtu.js';
import { encodeTransport, encodeTransportContent } from '../../../src/wire/link/transport.js';

const TAG = 16;
const header = {
  hopLimit: 64,
  receiverIndex: 1,
  source: new Uint8Array(16),
  destination: new Uint8Array(16),
  keyId: 1,
  counter: 1,
};
const ephemeral = new Uint8Array(32);

describe('overlay MTU arithmetic', () => {
  it('fixes the numbers: 1452-byte underlay payload, 100 bytes of Data overhead, TUN MTU 1352', () => {
    expect(UNDERLAY_PAYLOAD_SIZE).toBe(1500 - 40 - 8);
    expect(UNDERLAY_PAYLOAD_SIZE).toBe(1452);
    expect(DATA_OVERHEAD_MAX).toBe(100);
    expect(DEFAULT_TUN_MTU).toBe(1352);
    expect(DEFAULT_TUN_MTU).toBeGreaterThanOrEqual(IPV6_MIN_MTU);
  });

  it('an MTU-sized inner packet with the ephemeral key encodes to exactly 1452 bytes', () => {
    const sealed = new Uint8Array(DEFAULT_TUN_MTU + TAG);
    expect(encodeData({ ...header, ephemeral, ciphertext: sealed }).length).toBe(1452);
    expect(encodeData({ ...header, ciphertext: sealed }).length).toBe(1420);
  });

  it('one byte more would not fit the underlay', () => {
    const sealed = new Uint8Array(DEFAULT_TUN_MTU + 1 + TAG);
    expect(encodeData({ ...header, ephemeral, ciphertext: sealed }).length).toBeGreaterThan(
      UNDERLAY_PAYLOAD_SIZE,
    );
  });

  it('a full-size control message fits the same 1452 bytes', () => {
    expect(MAX_CONTROL_BODY_SIZE).toBe(1419);
    const plaintext = encodeTransportContent(ContentType.Control, new Uint8Array(MAX_CONTROL_BODY_SIZE));
    const frame = encodeTransport({
      receiverIndex: 1,
      counter: 0,
      ciphertext: new Uint8Array(plaintext.length + TAG),
    });
    expect(frame.length).toBe(1452);
  });

  it('derives the TUN MTU from other underlays and never goes below 1280', () => {
    expect(tunMtuForUnderlay(1500)).toBe(DEFAULT_TUN_MTU);
    expect(tunMtuForUnderlay(1500, 4)).toBe(1372);
    expect(tunMtuForUnderlay(9000)).toBe(8852);
    expect(tunMtuForUnderlay(1280 + 40 + 8 + 100)).toBe(1280);
    expect(() => tunMtuForUnderlay(1280 + 40 + 8 + 99)).toThrow(/1280/);
    expect(() => tunMtuForUnderlay(1280)).toThrow(RangeError);
    expect(() => tunMtuForUnderlay(1500.5)).toThrow(/underlayMtu/);
  });

  it('accepts a configured TUN MTU only between 1280 and what the underlay carries', () => {
    expect(isValidTunMtu(1352, 1500)).toBe(true);
    expect(isValidTunMtu(1353, 1500)).toBe(false);
    expect(isValidTunMtu(1372, 1500, 4)).toBe(true);
    expect(isValidTunMtu(1279, 9000)).toBe(false);
    expect(isValidTunMtu(1280, 1500)).toBe(true);
  });
});
