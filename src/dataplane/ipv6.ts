/**
 * Reading and checksumming IPv6 packets (RFC 8200) as the TUN delivers them (IFF_NO_PI: the packet
 * starts at the IPv6 header). Reads never go past the buffer; a packet too short or of another
 * version is reported, not thrown.
 */
export const IPV6_HEADER_BYTES = 40;
export const IPV6_MIN_MTU = 1280;
export const NEXT_HEADER_ICMPV6 = 58;
export const NEXT_HEADER_TCP = 6;
export const NEXT_HEADER_UDP = 17;

export const OFFSET_PAYLOAD_LENGTH = 4;
export const OFFSET_NEXT_HEADER = 6;
export const OFFSET_HOP_LIMIT = 7;
export const OFFSET_SOURCE = 8;
export const OFFSET_DESTINATION = 24;

/** Why a buffer is not an IPv6 packet we can handle; used as a drop-counter label. */
export type Ipv6Problem = 'too-short' | 'not-ipv6' | 'length-mismatch';

/** Returns undefined for a well-formed IPv6 packet, else what is wrong with it. */
export function checkIpv6(packet: Uint8Array): Ipv6Problem | undefined {
  if (packet.length < IPV6_HEADER_BYTES) return 'too-short';
  if (packet[0]! >> 4 !== 6) return 'not-ipv6';
  const payloadLength = (packet[OFFSET_PAYLOAD_LENGTH]! << 8) | packet[OFFSET_PAYLOAD_LENGTH + 1]!;
  if (IPV6_HEADER_BYTES + payloadLength !== packet.length) return 'length-mismatch';
  return undefined;
}

/** The source address (a view, not a copy). */
export function ipv6Source(packet: Uint8Array): Uint8Array {
  return packet.subarray(OFFSET_SOURCE, OFFSET_SOURCE + 16);
}

/** The destination address (a view, not a copy). */
export function ipv6Destination(packet: Uint8Array): Uint8Array {
  return packet.subarray(OFFSET_DESTINATION, OFFSET_DESTINATION + 16);
}

/** True for ff00::/8. */
export function isMulticast(addr: Uint8Array): boolean {
  return addr[0] === 0xff;
}

/**
 * The Internet checksum (RFC 1071) of an upper-layer message with the IPv6 pseudo-header
 * (RFC 8200 §8.1): source, destination, upper-layer length, next header.
 */
export function upperLayerChecksum(
  src: Uint8Array,
  dst: Uint8Array,
  nextHeader: number,
  body: Uint8Array,
): number {
  let sum = 0;
  for (let i = 0; i < 16; i += 2) sum += ((src[i]! << 8) | src[i + 1]!) + ((dst[i]! << 8) | dst[i + 1]!);
  sum += (body.length >>> 16) + (body.length & 0xffff) + nextHeader;
  const even = body.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (body[i]! << 8) | body[i + 1]!;
  if (body.length & 1) sum += body[body.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Writes a 40-byte IPv6 header at the start of `out` for a payload of `payloadLength` bytes. */
export function writeIpv6Header(
  out: Uint8Array,
  fields: {
    payloadLength: number;
    nextHeader: number;
    hopLimit: number;
    source: Uint8Array;
    destination: Uint8Array;
  },
): void {
  out[0] = 0x60;
  out[1] = 0;
  out[2] = 0;
  out[3] = 0;
  out[4] = fields.payloadLength >> 8;
  out[5] = fields.payloadLength & 0xff;
  out[6] = fields.nextHeader;
  out[7] = fields.hopLimit;
  out.set(fields.source, OFFSET_SOURCE);
  out.set(fields.destination, OFFSET_DESTINATION);
}
