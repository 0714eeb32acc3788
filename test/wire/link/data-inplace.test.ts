import { describe, expect, it } from 'vitest';
import {
  DATA_AD_OFFSET,
  DATA_FLAG_EPHEMERAL,
  DATA_HEADER_SIZE,
  DATA_HEADER_SIZE_EPHEMERAL,
  DATA_OFFSET_HOP_LIMIT,
  DATA_OFFSET_SOURCE,
} from '../../../src/wire/link/constants.js';
import {
  type DataHeaderFields,
  dataAssociatedData,
  dataAssociatedDataEnd,
  dataHeaderLength,
  decodeData,
  decrementDataHopLimit,
  encodeData,
  readDataFlags,
  readDataHopLimit,
  readDataReceiverIndex,
  writeDataHeader,
  writeDataHopLimit,
  writeDataReceiverIndex,
} from '../../../src/wire/link/data.js';

const source = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i);
const destination = Uint8Array.from({ length: 16 }, (_, i) => 0x50 + i);
const ephemeral = Uint8Array.from({ length: 32 }, (_, i) => 0xe0 + (i % 16));
const ciphertext = Uint8Array.from({ length: 60 }, (_, i) => i);
const base = {
  hopLimit: 64,
  receiverIndex: 0x0102_0304,
  source,
  destination,
  keyId: 9,
  counter: 5,
  ciphertext,
};

describe('Data header length from flags', () => {
  it('is 52 bytes without the ephemeral key and 84 with it', () => {
    expect(dataHeaderLength(0)).toBe(52);
    expect(dataHeaderLength(DATA_FLAG_EPHEMERAL)).toBe(84);
    expect(DATA_HEADER_SIZE).toBe(52);
    expect(DATA_HEADER_SIZE_EPHEMERAL).toBe(84);
  });

  it('follows only the ephemeral bit', () => {
    expect(dataHeaderLength(0xfe)).toBe(52);
    expect(dataHeaderLength(0xff)).toBe(84);
  });

  it('puts the ciphertext right after the header', () => {
    const plain = encodeData(base);
    const withKey = encodeData({ ...base, ephemeral });
    expect(plain.length).toBe(52 + ciphertext.length);
    expect(withKey.length).toBe(84 + ciphertext.length);
    expect(withKey.subarray(dataHeaderLength(readDataFlags(withKey)))).toEqual(ciphertext);
    expect(plain.subarray(dataHeaderLength(readDataFlags(plain)))).toEqual(ciphertext);
  });
});

describe('relay rewrites in place', () => {
  it('decrements the hop limit and leaves every other byte alone', () => {
    const frame = encodeData(base);
    const before = Uint8Array.from(frame);
    expect(decrementDataHopLimit(frame)).toBe(63);
    expect(readDataHopLimit(frame)).toBe(63);
    for (let i = 0; i < frame.length; i++) if (i !== DATA_OFFSET_HOP_LIMIT) expect(frame[i]).toBe(before[i]);
    const r = decodeData(frame);
    expect(r.ok && r.value.hopLimit).toBe(63);
  });

  it('refuses to forward at hop limit 1 and does not write 0 into the frame', () => {
    const frame = encodeData({ ...base, hopLimit: 1 });
    expect(decrementDataHopLimit(frame)).toBe(0);
    expect(readDataHopLimit(frame)).toBe(1);
    expect(decodeData(frame).ok).toBe(true);
  });

  it('lets a packet starting at 255 cross 254 relays', () => {
    const frame = encodeData({ ...base, hopLimit: 255 });
    let hops = 0;
    while (decrementDataHopLimit(frame) > 0) hops++;
    expect(hops).toBe(254);
  });

  it('sets the hop limit and rejects values a receiver would drop', () => {
    const frame = encodeData(base);
    writeDataHopLimit(frame, 7);
    expect(readDataHopLimit(frame)).toBe(7);
    expect(() => writeDataHopLimit(frame, 0)).toThrow(/hopLimit/);
    expect(() => writeDataHopLimit(frame, 256)).toThrow(RangeError);
  });

  it('rewrites the receiver index without touching the end-to-end associated data', () => {
    for (const msg of [base, { ...base, ephemeral }]) {
      const frame = encodeData(msg);
      const ad = Uint8Array.from(dataAssociatedData(frame));
      writeDataReceiverIndex(frame, 0xffff_fffe);
      decrementDataHopLimit(frame);
      expect(readDataReceiverIndex(frame)).toBe(0xffff_fffe);
      expect(dataAssociatedData(frame)).toEqual(ad);
      const r = decodeData(frame);
      expect(r.ok && r.value.receiverIndex).toBe(0xffff_fffe);
      expect(() => writeDataReceiverIndex(frame, -1)).toThrow(/receiverIndex/);
    }
  });
});

describe('end-to-end associated data', () => {
  it('spans source, destination, key id, counter and the ephemeral key when present', () => {
    expect(DATA_AD_OFFSET).toBe(DATA_OFFSET_SOURCE);
    const plain = encodeData(base);
    expect(dataAssociatedDataEnd(0)).toBe(52);
    expect(dataAssociatedData(plain)).toEqual(plain.subarray(8, 52));
    expect(dataAssociatedData(plain).subarray(0, 16)).toEqual(source);
    expect(dataAssociatedData(plain).subarray(16, 32)).toEqual(destination);

    const withKey = encodeData({ ...base, ephemeral });
    expect(dataAssociatedDataEnd(DATA_FLAG_EPHEMERAL)).toBe(84);
    expect(dataAssociatedData(withKey)).toEqual(withKey.subarray(8, 84));
    expect(dataAssociatedData(withKey).subarray(44)).toEqual(ephemeral);
  });
});

describe('writeDataHeader for in-place sealing', () => {
  it('writes the same header encodeData does, at any offset of a pooled buffer', () => {
    const messages: (DataHeaderFields & { ciphertext: Uint8Array })[] = [base, { ...base, ephemeral }];
    for (const msg of messages) {
      const pool = new Uint8Array(2048).fill(0xaa);
      const at = 84 - dataHeaderLength(msg.ephemeral ? DATA_FLAG_EPHEMERAL : 0);
      const n = writeDataHeader(pool, at, msg);
      pool.set(ciphertext, at + n);
      expect(pool.subarray(at, at + n + ciphertext.length)).toEqual(encodeData(msg));
      const end = at + n + ciphertext.length;
      expect([...pool.subarray(0, at), ...pool.subarray(end)].every((x) => x === 0xaa)).toBe(true);
    }
  });

  it('refuses a buffer too small for the header', () => {
    expect(() => writeDataHeader(new Uint8Array(51), 0, base)).toThrow(/offset/);
    expect(() => writeDataHeader(new Uint8Array(100), 20, { ...base, ephemeral })).toThrow(RangeError);
  });
});
