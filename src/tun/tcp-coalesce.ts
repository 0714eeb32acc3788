/**
 * Receive-side coalescing for the TUN (what the kernel's GRO does for a NIC): consecutive
 * segments of one TCP flow, decrypted in the same batch, become one super-packet written behind a
 * virtio_net_hdr that asks for GSO (TCPV6). The kernel's TCP stack then runs once for up to 64 KiB
 * instead of once per ~1.3 KB packet, and re-segments by itself if the packet is forwarded on.
 *
 * Only plain IPv6 TCP (no extension headers) with ACK or ACK|PSH and a payload is merged, under
 * the rules of Linux's tcp_gro_receive: same addresses, ports, traffic class, flow label, hop limit,
 * ACK number, window and options; each segment starts where the previous one ended; all but the
 * last carry exactly the first one's payload size; a PSH or a shorter segment ends the train.
 * Everything else goes through untouched, and the order within every flow is kept.
 */

import { VNET_HEADER_BYTES } from './device.js';
import {
  TCP_FLAG_ACK as FLAG_ACK,
  TCP_FLAG_PSH as FLAG_PSH,
  IPV6_HEADER,
  NEXT_HEADER_TCP,
  pseudoHeaderSum,
  TCP_CHECKSUM_OFFSET,
  TCP_MIN_HEADER,
  VNET_F_NEEDS_CSUM,
  VNET_GSO_TCPV6,
} from './tcp-fields.js';

/** IPv6's payload length field is 16 bits. */
const MAX_PAYLOAD = 0xffff;
const MAX_SEGMENTS = 64;

/** One write to the TUN: a packet, with a GSO header when it is a merged train. */
export interface TunWrite {
  readonly packet: Uint8Array;
  /** Set for a super-packet; undefined means a plain packet (an empty virtio_net_hdr). */
  readonly header?: Uint8Array;
  /** How many packets it carries. */
  readonly segments: number;
}

interface Train {
  readonly parts: Uint8Array[];
  readonly tcpHeader: number;
  readonly segmentSize: number;
  payloadBytes: number;
  nextSeq: number;
  closed: boolean;
}

/** The TCP header length if `p` may join a train, else 0. */
function mergeableTcp(p: Uint8Array): number {
  if (p.length < IPV6_HEADER + TCP_MIN_HEADER || p[0]! >> 4 !== 6 || p[6] !== NEXT_HEADER_TCP) return 0;
  if (((p[4]! << 8) | p[5]!) !== p.length - IPV6_HEADER) return 0;
  const thl = (p[IPV6_HEADER + 12]! >> 4) * 4;
  if (thl < TCP_MIN_HEADER || p.length <= IPV6_HEADER + thl) return 0; // no payload: a pure ACK
  const flags = p[IPV6_HEADER + 13]!;
  if ((flags & ~FLAG_PSH) !== FLAG_ACK) return 0;
  return thl;
}

const seqOf = (p: Uint8Array): number =>
  ((p[IPV6_HEADER + 4]! << 24) |
    (p[IPV6_HEADER + 5]! << 16) |
    (p[IPV6_HEADER + 6]! << 8) |
    p[IPV6_HEADER + 7]!) >>>
  0;

/** Same flow and same header fields (the IPv6 header but its length; ports, ACK, window, options; PSH may differ). */
function sameHeaders(a: Uint8Array, b: Uint8Array, thl: number): boolean {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return false;
  for (let i = 6; i < IPV6_HEADER + 4; i++) if (a[i] !== b[i]) return false; // next header .. dst, ports
  for (let i = IPV6_HEADER + 8; i < IPV6_HEADER + 16; i++)
    if (i !== IPV6_HEADER + 13 && a[i] !== b[i]) return false; // ack, data offset, window (flags: mergeableTcp)
  for (let i = IPV6_HEADER + TCP_MIN_HEADER; i < IPV6_HEADER + thl; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A hash of the flow (addresses and ports). Two flows may share one: the train found is then
 * checked byte by byte (sameHeaders), and a mismatch only starts a new train, so order holds.
 */
function flowHash(p: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 8; i < IPV6_HEADER + 4; i++) h = Math.imul(h ^ p[i]!, 0x01000193);
  return h;
}

/** Merges what can be merged; returns the writes in order. Never changes its input. */
export function coalesceTcp(packets: readonly Uint8Array[]): TunWrite[] {
  const slots: (Uint8Array | Train)[] = [];
  const open = new Map<number, Train>();
  for (const p of packets) {
    const thl = mergeableTcp(p);
    if (thl === 0) {
      // A TCP packet that cannot join (a pure ACK, SYN, FIN…) ends its flow's train: order is kept.
      if (p.length >= IPV6_HEADER + 4 && p[6] === NEXT_HEADER_TCP) {
        const train = open.get(flowHash(p));
        if (train !== undefined) train.closed = true;
      }
      slots.push(p);
      continue;
    }
    const key = flowHash(p);
    const payload = p.length - IPV6_HEADER - thl;
    const train = open.get(key);
    const first = train?.parts[0];
    if (
      train !== undefined &&
      first !== undefined &&
      !train.closed &&
      train.tcpHeader === thl &&
      payload <= train.segmentSize &&
      seqOf(p) === train.nextSeq &&
      train.parts.length < MAX_SEGMENTS &&
      thl + train.payloadBytes + payload <= MAX_PAYLOAD &&
      sameHeaders(first, p, thl)
    ) {
      train.parts.push(p);
      train.payloadBytes += payload;
      train.nextSeq = (train.nextSeq + payload) >>> 0;
      train.closed = payload < train.segmentSize || (p[IPV6_HEADER + 13]! & FLAG_PSH) !== 0;
      continue;
    }
    const fresh: Train = {
      parts: [p],
      tcpHeader: thl,
      segmentSize: payload,
      payloadBytes: payload,
      nextSeq: (seqOf(p) + payload) >>> 0,
      closed: (p[IPV6_HEADER + 13]! & FLAG_PSH) !== 0,
    };
    open.set(key, fresh);
    slots.push(fresh);
  }
  return slots.map((s) =>
    s instanceof Uint8Array
      ? { packet: s, segments: 1 }
      : s.parts.length === 1
        ? { packet: s.parts[0]!, segments: 1 }
        : merge(s),
  );
}

function merge(t: Train): TunWrite {
  const first = t.parts[0]!;
  const hdr = IPV6_HEADER + t.tcpHeader;
  const tcpLength = t.tcpHeader + t.payloadBytes;
  const out = new Uint8Array(IPV6_HEADER + tcpLength);
  out.set(first.subarray(0, hdr));
  let at = hdr;
  for (const part of t.parts) {
    out.set(part.subarray(hdr), at);
    at += part.length - hdr;
  }
  out[4] = tcpLength >> 8;
  out[5] = tcpLength & 0xff;
  out[IPV6_HEADER + 13] = t.parts.at(-1)![IPV6_HEADER + 13]!; // the last segment's PSH
  // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum; the kernel adds the rest.
  const sum = pseudoHeaderSum(out, tcpLength);
  out[IPV6_HEADER + TCP_CHECKSUM_OFFSET] = sum >> 8;
  out[IPV6_HEADER + TCP_CHECKSUM_OFFSET + 1] = sum & 0xff;
  const header = new Uint8Array(VNET_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header[0] = VNET_F_NEEDS_CSUM;
  header[1] = VNET_GSO_TCPV6;
  view.setUint16(2, hdr, true); // hdr_len
  view.setUint16(4, t.segmentSize, true); // gso_size
  view.setUint16(6, IPV6_HEADER, true); // csum_start
  view.setUint16(8, TCP_CHECKSUM_OFFSET, true); // csum_offset
  return { packet: out, header, segments: t.parts.length };
}
