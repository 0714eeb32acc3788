/**
 * What the TUN's offload code (tcp-coalesce.ts on write, offload.ts on read) knows about IPv6,
 * TCP and the virtio_net_hdr: offsets, flags, and the Internet checksum's sums.
 */

export const IPV6_HEADER = 40;
export const NEXT_HEADER_TCP = 6;
export const TCP_MIN_HEADER = 20;
/** The TCP checksum field's offset in the TCP header. */
export const TCP_CHECKSUM_OFFSET = 16;
export const TCP_FLAG_FIN = 0x01;
export const TCP_FLAG_PSH = 0x08;
export const TCP_FLAG_ACK = 0x10;
export const TCP_FLAG_CWR = 0x80;

/** struct virtio_net_hdr: flags and gso_type values (its u16 fields are little endian). */
export const VNET_F_NEEDS_CSUM = 1;
export const VNET_GSO_NONE = 0;
export const VNET_GSO_TCPV6 = 4;
export const VNET_GSO_ECN = 0x80;

/**
 * The one's complement sum of `b[from..to)` as 16-bit big-endian words, plus `initial`; the
 * result may be unfolded. NativeTun.checksum is the same in C, several times faster.
 */
export type ChecksumSum = (b: Uint8Array, from: number, to: number, initial: number) => number;

export function sumBytes(b: Uint8Array, from: number, to: number, initial: number): number {
  let sum = initial;
  let i = from;
  for (; i + 1 < to; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < to) sum += b[i]! << 8;
  return sum;
}

export function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The IPv6 pseudo-header (RFC 8200 §8.1) sum for `upperLength` bytes of TCP, folded, not complemented. */
export function pseudoHeaderSum(p: Uint8Array, upperLength: number, sum: ChecksumSum = sumBytes): number {
  return fold(sum(p, 8, IPV6_HEADER, 0) + (upperLength >>> 16) + (upperLength & 0xffff) + NEXT_HEADER_TCP);
}
