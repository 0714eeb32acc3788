/**
 * ICMPv6 error messages (RFC 4443) the overlay sends back to a packet's sender: no route, address
 * unreachable, hop limit exceeded in transit (so traceroute shows each overlay hop), and Packet Too
 * Big (Mycelium never sends it, which breaks path MTU discovery through it).
 */
import {
  checkIpv6,
  IPV6_HEADER_BYTES,
  IPV6_MIN_MTU,
  ipv6Destination,
  ipv6Source,
  isMulticast,
  NEXT_HEADER_ICMPV6,
  OFFSET_NEXT_HEADER,
  upperLayerChecksum,
  writeIpv6Header,
} from './ipv6.js';

/** ICMPv6 types and codes, RFC 4443 §3. */
export const IcmpError = {
  NoRoute: { type: 1, code: 0 },
  AddressUnreachable: { type: 1, code: 3 },
  PacketTooBig: { type: 2, code: 0 },
  HopLimitExceeded: { type: 3, code: 0 },
} as const;
export type IcmpErrorKind = keyof typeof IcmpError;

const ICMP_HEADER_BYTES = 8;
/** Hop limit of the errors we originate. */
export const ICMP_ERROR_HOP_LIMIT = 64;

/**
 * Builds the ICMPv6 error answering `invoking`, from `source` (the overlay address of the node
 * that found the problem) to the invoking packet's source; `param` is the MTU for Packet Too Big.
 * Returns undefined where RFC 4443 §2.4(e) forbids an error: the invoking packet is itself an
 * ICMPv6 error, is addressed to multicast, or comes from an unspecified or multicast source.
 */
export function buildIcmpError(
  kind: IcmpErrorKind,
  source: Uint8Array,
  invoking: Uint8Array,
  param = 0,
): Uint8Array | undefined {
  if (checkIpv6(invoking) === 'too-short' || checkIpv6(invoking) === 'not-ipv6') return undefined;
  const invokingSource = ipv6Source(invoking);
  if (
    isMulticast(ipv6Destination(invoking)) ||
    isMulticast(invokingSource) ||
    invokingSource.every((b) => b === 0)
  ) {
    return undefined;
  }
  if (invoking[OFFSET_NEXT_HEADER] === NEXT_HEADER_ICMPV6 && invoking.length > IPV6_HEADER_BYTES) {
    const icmpType = invoking[IPV6_HEADER_BYTES]!;
    if (icmpType < 128) return undefined; // an error in answer to an error could loop
  }
  // As much of the invoking packet as fits without the error exceeding the minimum IPv6 MTU.
  const quoted = Math.min(invoking.length, IPV6_MIN_MTU - IPV6_HEADER_BYTES - ICMP_HEADER_BYTES);
  const out = new Uint8Array(IPV6_HEADER_BYTES + ICMP_HEADER_BYTES + quoted);
  const body = out.subarray(IPV6_HEADER_BYTES);
  const { type, code } = IcmpError[kind];
  body[0] = type;
  body[1] = code;
  body[4] = (param >>> 24) & 0xff;
  body[5] = (param >>> 16) & 0xff;
  body[6] = (param >>> 8) & 0xff;
  body[7] = param & 0xff;
  body.set(invoking.subarray(0, quoted), ICMP_HEADER_BYTES);
  writeIpv6Header(out, {
    payloadLength: body.length,
    nextHeader: NEXT_HEADER_ICMPV6,
    hopLimit: ICMP_ERROR_HOP_LIMIT,
    source,
    destination: invokingSource,
  });
  const sum = upperLayerChecksum(source, invokingSource, NEXT_HEADER_ICMPV6, body);
  body[2] = sum >> 8;
  body[3] = sum & 0xff;
  return out;
}
