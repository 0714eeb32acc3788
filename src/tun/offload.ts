/**
 * Packets the kernel hands over unfinished when the TUN has offloads on (TUN_F_CSUM, TUN_F_TSO6):
 * the send-side twin of tcp-coalesce.ts. A TSO super-packet (up to 64 KiB of one TCP flow) is cut
 * into segments of `gso_size`, as a NIC would; a partial checksum is completed. Everything leaves
 * here as ordinary IPv6 packets with valid checksums, so peers and relays see nothing new.
 *
 * The virtio_net_hdr (10 bytes, little endian) says what to do: flags (NEEDS_CSUM), gso_type
 * (NONE or TCPV6, maybe with the ECN bit), hdr_len, gso_size, csum_start, csum_offset.
 */
import { VNET_HEADER_BYTES } from './device.js';
import {
  type ChecksumSum,
  fold,
  IPV6_HEADER,
  NEXT_HEADER_TCP,
  pseudoHeaderSum,
  sumBytes,
  TCP_CHECKSUM_OFFSET,
  TCP_FLAG_CWR,
  TCP_FLAG_FIN,
  TCP_FLAG_PSH,
  VNET_F_NEEDS_CSUM,
  VNET_GSO_ECN,
  VNET_GSO_NONE,
  VNET_GSO_TCPV6,
} from './tcp-fields.js';

export type OffloadResult = 'plain' | 'checksummed' | 'segmented' | 'malformed';

const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);

/** Writes the checksum the packet's NEEDS_CSUM asks for: the sum from csum_start, seeded by the field's partial sum. */
function completeChecksum(p: Uint8Array, start: number, offset: number, sum: ChecksumSum): boolean {
  const at = start + offset;
  if (start >= p.length || at + 2 > p.length) return false;
  // The field holds the pseudo-header sum (the kernel's partial checksum); summing over it adds it in.
  const c = ~fold(sum(p, start, p.length, 0)) & 0xffff;
  p[at] = c >> 8;
  p[at + 1] = c & 0xff;
  return true;
}

/**
 * Turns one packet read behind `vnet` into ready packets, passed to `emit` in order (the first
 * may be `packet` itself, changed in place). TCP leaves in packets of at most `maxPacket` bytes
 * (smaller segments than the kernel's MSS are valid TCP): with a TUN MTU above what the underlay
 * carries whole, TCP then never needs IP fragments. Returns what was done.
 */
export function finishOffloads(
  vnet: Uint8Array,
  packet: Uint8Array,
  emit: (p: Uint8Array) => void,
  sum: ChecksumSum = sumBytes,
  maxPacket = Number.POSITIVE_INFINITY,
): OffloadResult {
  if (vnet.length < VNET_HEADER_BYTES) return 'malformed';
  const flags = vnet[0]!;
  const gsoType = vnet[1]! & ~VNET_GSO_ECN;
  const csumStart = u16le(vnet, 6);
  const csumOffset = u16le(vnet, 8);
  if (gsoType === VNET_GSO_NONE) {
    if (packet.length > maxPacket && packet.length >= IPV6_HEADER + 20 && packet[6] === NEXT_HEADER_TCP)
      return segmentTcp(packet, IPV6_HEADER, Number.POSITIVE_INFINITY, maxPacket, emit, sum);
    if ((flags & VNET_F_NEEDS_CSUM) === 0) {
      emit(packet);
      return 'plain';
    }
    if (!completeChecksum(packet, csumStart, csumOffset, sum)) return 'malformed';
    emit(packet);
    return 'checksummed';
  }
  if (gsoType !== VNET_GSO_TCPV6) return 'malformed';
  const size = u16le(vnet, 4);
  if (packet.length < IPV6_HEADER + 20 || packet[0]! >> 4 !== 6 || size === 0) return 'malformed';
  return segmentTcp(packet, csumStart, size, maxPacket, emit, sum);
}

/** Cuts a TCP packet whose header starts at `l4` into segments of `size` payload bytes at most, each packet at most `maxPacket`. */
function segmentTcp(
  packet: Uint8Array,
  l4: number,
  gsoSize: number,
  maxPacket: number,
  emit: (p: Uint8Array) => void,
  sum: ChecksumSum,
): OffloadResult {
  if (l4 < IPV6_HEADER || l4 + 20 > packet.length) return 'malformed';
  const thl = (packet[l4 + 12]! >> 4) * 4;
  const hdr = l4 + thl;
  if (thl < 20 || hdr > packet.length) return 'malformed';
  const size = Math.min(gsoSize, maxPacket - hdr);
  if (!(size > 0)) return 'malformed';
  const flagsByte = packet[l4 + 13]!;
  const seq0 =
    ((packet[l4 + 4]! << 24) | (packet[l4 + 5]! << 16) | (packet[l4 + 6]! << 8) | packet[l4 + 7]!) >>> 0;
  const payload = packet.length - hdr;
  if (payload === 0) return 'malformed';
  for (let off = 0; off < payload; off += size) {
    const n = Math.min(size, payload - off);
    const seg = new Uint8Array(hdr + n);
    seg.set(packet.subarray(0, hdr));
    seg.set(packet.subarray(hdr + off, hdr + off + n), hdr);
    const ipPayload = seg.length - IPV6_HEADER;
    seg[4] = ipPayload >> 8;
    seg[5] = ipPayload & 0xff;
    const seq = (seq0 + off) >>> 0;
    seg[l4 + 4] = seq >>> 24;
    seg[l4 + 5] = (seq >>> 16) & 0xff;
    seg[l4 + 6] = (seq >>> 8) & 0xff;
    seg[l4 + 7] = seq & 0xff;
    const last = off + n >= payload;
    let f = flagsByte;
    if (!last) f &= ~(TCP_FLAG_FIN | TCP_FLAG_PSH);
    if (off > 0) f &= ~TCP_FLAG_CWR;
    seg[l4 + 13] = f;
    seg[l4 + TCP_CHECKSUM_OFFSET] = 0;
    seg[l4 + TCP_CHECKSUM_OFFSET + 1] = 0;
    const c = ~fold(sum(seg, l4, seg.length, pseudoHeaderSum(seg, seg.length - l4, sum))) & 0xffff;
    seg[l4 + TCP_CHECKSUM_OFFSET] = c >> 8;
    seg[l4 + TCP_CHECKSUM_OFFSET + 1] = c & 0xff;
    emit(seg);
  }
  return 'segmented';
}
