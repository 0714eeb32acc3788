/**
 * Encoding TLVs into Babel packets: one packet (encodePacket) or as many as a link's MTU needs
 * (encodePackets). Both check every field noble-style and throw TypeError or RangeError naming
 * the field; they never produce a packet that decodePacket, babeld or Wireshark would read
 * differently from what was given.
 */
import { MAX_PACKET_BYTES, PacketWriter } from './_writer.js';
import { PACKET_HEADER_BYTES } from './constants.js';
import { type Tlv, TlvType } from './types.js';

export interface EncodeOptions {
  /**
   * Compress IPv4 and IPv6 Update prefixes against the previous one in the packet (RFC 8966
   * §4.6.9 default prefix and Omitted). Default false.
   */
  readonly compress?: boolean;
}

/**
 * Encodes `tlvs` into one packet, in order. An Update whose `routerId` is not the one in force is
 * preceded by a Router-Id TLV; an Update without `routerId` keeps the one in force, set by the last
 * RouterId TLV or Update.routerId before it, exactly as a receiver resolves it.
 * Throws RangeError if the TLVs do not fit one packet (64 KiB body); use encodePackets for links.
 */
export function encodePacket(tlvs: readonly Tlv[], options?: EncodeOptions): Uint8Array {
  if (!Array.isArray(tlvs)) throw new TypeError('tlvs must be an array');
  const w = new PacketWriter(MAX_PACKET_BYTES, options?.compress === true);
  for (const t of tlvs) {
    if (!w.write(t)) throw new RangeError('TLVs exceed the largest Babel packet; use encodePackets');
  }
  return w.finish();
}

/**
 * Packs `tlvs`, in order, into as few packets of at most `maxBytes` bytes (header included) as
 * greedy filling gives. A RouterId TLV is never left at the end of a packet when the Update it
 * governs follows, and when a run of Updates is split, the next packet repeats the router id
 * first, because a receiver's parser state ends with each packet. Returns [] for no TLVs.
 * Throws RangeError if one TLV alone does not fit in `maxBytes`.
 */
export function encodePackets(tlvs: readonly Tlv[], maxBytes: number, options?: EncodeOptions): Uint8Array[] {
  if (!Array.isArray(tlvs)) throw new TypeError('tlvs must be an array');
  if (!Number.isInteger(maxBytes) || maxBytes <= PACKET_HEADER_BYTES || maxBytes > MAX_PACKET_BYTES) {
    throw new RangeError(`maxBytes must be an integer in ${PACKET_HEADER_BYTES + 1}..${MAX_PACKET_BYTES}`);
  }
  const compress = options?.compress === true;
  const packets: Uint8Array[] = [];
  let w = new PacketWriter(maxBytes, compress);
  for (let i = 0; i < tlvs.length; ) {
    const t = tlvs[i]!;
    const glued = t.type === TlvType.RouterId && tlvs[i + 1]?.type === TlvType.Update ? 2 : 1;
    const cp = w.checkpoint();
    if (w.write(t) && (glued === 1 || w.write(tlvs[i + 1]!))) {
      i += glued;
      continue;
    }
    w.rollback(cp);
    if (w.empty) throw new RangeError(`TLV ${i} (type ${t.type}) does not fit in a ${maxBytes}-byte packet`);
    packets.push(w.finish());
    w = new PacketWriter(maxBytes, compress, w.assumedRouterId);
  }
  if (!w.empty) packets.push(w.finish());
  return packets;
}
