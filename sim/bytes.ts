/**
 * Control-traffic byte accounting. The simulator passes decoded TLV objects between engines and
 * never decodes bytes, but every `send` is measured here: by default with the real codec
 * (`encodePackets` from src/wire/babel, split at the control MTU, exactly what the daemon would put
 * on the link), or, with mode 'estimate', from RFC 8966 §4 sizes plus hypha's extension sub-TLVs
 * (cheaper, no allocation; an upper bound since it ignores prefix compression).
 */
import { encodePackets } from '../src/wire/babel/encode.js';
import { AE, type Prefix, type Tlv, TlvType } from '../src/wire/babel/types.js';

export type ByteMode = 'codec' | 'estimate';

/** RFC 8966 §4.2: magic (1), version (1), body length (2). */
export const PACKET_HEADER_BYTES = 4;
/** Mycelium's and hypha's overlay link MTU for control packets (UDP payload budget). */
export const CONTROL_MTU_BYTES = 1400;
/** Per-TLV header: type (1) + length (1). */
const TLV_HEADER = 2;
/** Sub-TLV header: type (1) + length (1). */
const SUB_HEADER = 2;

function addrBytes(ae: AE, plen?: number): number {
  switch (ae) {
    case AE.Wildcard:
      return 0;
    case AE.IPv4:
      return plen === undefined ? 4 : Math.ceil(plen / 8);
    case AE.IPv6:
      return plen === undefined ? 16 : Math.ceil(plen / 8);
    case AE.LinkLocalIPv6:
      return 8;
  }
}

function prefixBytes(p: Prefix): number {
  return addrBytes(p.ae, p.plen);
}

function unknownSubs(subs: readonly { body: Uint8Array }[] | undefined): number {
  let n = 0;
  if (subs) for (const s of subs) n += SUB_HEADER + s.body.length;
  return n;
}

/** Returns the encoded size of one TLV in bytes, header included (RFC 8966 §4.6 layouts). */
export function estimateTlvBytes(tlv: Tlv): number {
  switch (tlv.type) {
    case TlvType.PadN:
      return TLV_HEADER + tlv.length;
    case TlvType.AckRequest:
      return TLV_HEADER + 6; // reserved(2) opaque(2) interval(2)
    case TlvType.Ack:
      return TLV_HEADER + 2;
    case TlvType.Hello:
      // flags(2) seqno(2) interval(2) [+ timestamp sub-TLV, RFC 9616: 4 bytes]
      return TLV_HEADER + 6 + (tlv.timestamp ? SUB_HEADER + 4 : 0) + unknownSubs(tlv.unknownSubTlvs);
    case TlvType.IHU:
      // ae(1) reserved(1) rxcost(2) interval(2) address [+ timestamp sub-TLV: 8 bytes]
      return (
        TLV_HEADER +
        6 +
        addrBytes(tlv.ae) +
        (tlv.timestamp ? SUB_HEADER + 8 : 0) +
        unknownSubs(tlv.unknownSubTlvs)
      );
    case TlvType.RouterId:
      return TLV_HEADER + 10; // reserved(2) router-id(8)
    case TlvType.NextHop:
      return TLV_HEADER + 2 + addrBytes(tlv.ae);
    case TlvType.Update:
      // ae flags plen omitted interval(2) seqno(2) metric(2) prefix; hypha: originator key and
      // signature sub-TLVs (absent on retractions). Prefix compression (omitted) is ignored: upper bound.
      return (
        TLV_HEADER +
        10 +
        prefixBytes(tlv.prefix) +
        (tlv.originator ? SUB_HEADER + tlv.originator.length : 0) +
        (tlv.signature ? SUB_HEADER + tlv.signature.length : 0) +
        unknownSubs(tlv.unknownSubTlvs)
      );
    case TlvType.RouteRequest:
      return (
        TLV_HEADER +
        2 +
        prefixBytes(tlv.prefix) +
        (tlv.hopCount !== undefined ? SUB_HEADER + 1 : 0) +
        unknownSubs(tlv.unknownSubTlvs)
      );
    case TlvType.SeqnoRequest:
      // ae plen seqno(2) hopcount reserved router-id(8) prefix [+ originator sub-TLV]
      return (
        TLV_HEADER +
        14 +
        prefixBytes(tlv.prefix) +
        (tlv.originator ? SUB_HEADER + tlv.originator.length : 0) +
        unknownSubs(tlv.unknownSubTlvs)
      );
    case TlvType.RouteDigest:
      return TLV_HEADER + 16; // reserved(2) interval(2) count(4) hash(8)
    default:
      return TLV_HEADER;
  }
}

/**
 * Returns how many packets and bytes one `send` action makes once split at the control MTU.
 * Called once per send action. The codec path falls back to the estimate if encoding throws
 * (a TLV the codec refuses is the engine's bug, not the simulator's to hide: it is counted).
 */
export function measureSend(
  tlvs: readonly Tlv[],
  mode: ByteMode = 'codec',
): { packets: number; bytes: number; encodeErrors: number } {
  if (mode === 'codec' && tlvs.length > 0) {
    try {
      const packets = encodePackets(tlvs, CONTROL_MTU_BYTES);
      let bytes = 0;
      for (const p of packets) bytes += p.length;
      return { packets: packets.length, bytes, encodeErrors: 0 };
    } catch {
      return { ...estimateSend(tlvs), encodeErrors: 1 };
    }
  }
  return { ...estimateSend(tlvs), encodeErrors: 0 };
}

/** The estimate: greedy packing of estimateTlvBytes sizes into CONTROL_MTU_BYTES packets. */
export function estimateSend(tlvs: readonly Tlv[]): { packets: number; bytes: number } {
  let packets = 1;
  let inPacket = PACKET_HEADER_BYTES;
  let bytes = PACKET_HEADER_BYTES;
  for (const t of tlvs) {
    const n = estimateTlvBytes(t);
    if (inPacket + n > CONTROL_MTU_BYTES && inPacket > PACKET_HEADER_BYTES) {
      packets++;
      bytes += PACKET_HEADER_BYTES;
      inPacket = PACKET_HEADER_BYTES;
    }
    inPacket += n;
    bytes += n;
  }
  return { packets, bytes };
}
