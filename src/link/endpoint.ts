/**
 * Underlay endpoints as the session layer compares and binds them: a canonical key (so
 * 'FD00::0001' and 'fd00::1' are one endpoint) and the address bytes a cookie is bound to
 * (src/crypto/cookie.ts endpointBytes). Pure parsing, no node:net.
 */
import { endpointBytes } from '../crypto/cookie.js';
import type { Endpoint } from './api.js';

/** Parses dotted-quad IPv4; undefined for anything else. */
function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** Parses textual IPv6 (RFC 4291 §2.2: '::' compression, a trailing dotted quad); no zone. */
function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(Number.parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >>> 8;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  return out;
}

/** Returns the 4 or 16 address bytes of a textual address ('%zone' ignored), or undefined. */
export function parseAddress(address: string): Uint8Array | undefined {
  const zone = address.indexOf('%');
  const bare = zone >= 0 ? address.slice(0, zone) : address;
  return bare.includes(':') ? parseIPv6(bare) : parseIPv4(bare);
}

/**
 * Returns a canonical key for an endpoint: address bytes in hex, the zone and the port. An address
 * that does not parse keys by its text, so it still compares equal to itself.
 */
export function endpointKey(ep: Endpoint): string {
  const bytes = parseAddress(ep.address);
  const zone = ep.address.indexOf('%');
  const zoneText = zone >= 0 ? ep.address.slice(zone) : '';
  if (!bytes) return `?${ep.address}|${ep.port}`;
  return `${Buffer.from(bytes).toString('hex')}${zoneText}|${ep.port}`;
}

/** Returns endpointBytes(ip, port) for a cookie, or undefined when the endpoint does not parse. */
export function cookieSource(ep: Endpoint): Uint8Array | undefined {
  const bytes = parseAddress(ep.address);
  if (!bytes || !Number.isInteger(ep.port) || ep.port < 0 || ep.port > 0xffff) return undefined;
  return endpointBytes(bytes, ep.port);
}

/** True when two endpoints are the same text and port (the cheap check on every received frame). */
export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && a.address === b.address;
}

/** Returns a frozen copy of an endpoint (callers may reuse their objects). */
export function copyEndpoint(ep: Endpoint): Endpoint {
  return Object.freeze({ address: ep.address, port: ep.port });
}
