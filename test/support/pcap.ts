import { upperLayerChecksum } from '../../src/dataplane/ipv6.js';

/**
 * Writes a classic pcap file of IPv6 packets by hand (LINKTYPE_RAW, no link header), so what the
 * code builds can be read back by a dissector nobody here wrote (tshark). Addresses are caller-supplied
 * (the tests use fd00:198:18::/48 only).
 */

/** LINKTYPE_RAW: each record starts with the IP header. */
export const LINKTYPE_RAW = 101;
const PCAP_MAGIC = 0xa1b2c3d4;
const IPV6_HEADER_BYTES = 40;
const UDP_HEADER_BYTES = 8;
const NEXT_HEADER_UDP = 17;

/** The UDP checksum over the IPv6 pseudo-header; `udp` has its checksum field zero. */
export function udp6Checksum(src: Uint8Array, dst: Uint8Array, udp: Uint8Array): number {
  const c = upperLayerChecksum(src, dst, NEXT_HEADER_UDP, udp);
  // A computed zero is sent as all ones: zero means "no checksum", which IPv6 forbids for UDP.
  return c === 0 ? 0xffff : c;
}

/** Returns an IPv6 packet (hop limit 1) carrying one UDP datagram with a correct checksum. */
export function ipv6Udp(src: Uint8Array, dst: Uint8Array, port: number, payload: Uint8Array): Uint8Array {
  const udpLength = UDP_HEADER_BYTES + payload.length;
  const out = new Uint8Array(IPV6_HEADER_BYTES + udpLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x60000000);
  v.setUint16(4, udpLength);
  out[6] = NEXT_HEADER_UDP;
  out[7] = 1;
  out.set(src, 8);
  out.set(dst, 24);
  const udp = out.subarray(IPV6_HEADER_BYTES);
  v.setUint16(40, port);
  v.setUint16(42, port);
  v.setUint16(44, udpLength);
  udp.set(payload, UDP_HEADER_BYTES);
  v.setUint16(46, udp6Checksum(src, dst, udp));
  return out;
}

/** Returns a pcap file holding `packets` as LINKTYPE_RAW records one second apart. */
export function pcapFile(packets: readonly Uint8Array[]): Uint8Array {
  const size = 24 + packets.reduce((n, p) => n + 16 + p.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, LINKTYPE_RAW, true);
  let o = 24;
  packets.forEach((p, i) => {
    v.setUint32(o, 1_700_000_000 + i, true);
    v.setUint32(o + 8, p.length, true);
    v.setUint32(o + 12, p.length, true);
    out.set(p, o + 16);
    o += 16 + p.length;
  });
  return out;
}
