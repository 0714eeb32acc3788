/**
 * Writes a classic pcap file of IPv6/UDP datagrams by hand (LINKTYPE_RAW, no link header), so the
 * codec's packets can be read back by a dissector nobody here wrote. Addresses are caller-supplied
 * (the tests use fd00:198:18::/48 only).
 */

/** LINKTYPE_RAW: each record starts with the IP header. */
export const LINKTYPE_RAW = 101;
const PCAP_MAGIC = 0xa1b2c3d4;
const IPV6_HEADER_BYTES = 40;
const UDP_HEADER_BYTES = 8;
const NEXT_HEADER_UDP = 17;

/** Sums 16-bit big-endian words (odd trailing byte padded with zero) into a running 32-bit total. */
function sumWords(bytes: Uint8Array, total: number): number {
  let t = total;
  for (let i = 0; i + 1 < bytes.length; i += 2) t += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) t += bytes[bytes.length - 1]! << 8;
  return t;
}

/** The UDP checksum over the IPv6 pseudo-header (RFC 8200 §8.1); `udp` has its checksum field zero. */
export function udp6Checksum(src: Uint8Array, dst: Uint8Array, udp: Uint8Array): number {
  const pseudo = new Uint8Array(40);
  pseudo.set(src, 0);
  pseudo.set(dst, 16);
  new DataView(pseudo.buffer).setUint32(32, udp.length);
  pseudo[39] = NEXT_HEADER_UDP;
  let t = sumWords(udp, sumWords(pseudo, 0));
  while (t > 0xffff) t = (t & 0xffff) + (t >>> 16);
  const c = ~t & 0xffff;
  // A computed zero is sent as all ones: zero means "no checksum", which IPv6 forbids.
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
