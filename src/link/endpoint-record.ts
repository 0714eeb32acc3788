/**
 * Endpoints as the native UDP socket (native/src/udp.c) reads and writes them: 24-byte address
 * records, one per datagram. Layout: the IPv6 address (IPv4 as ::ffff:a.b.c.d), the port (big
 * endian), two zero bytes, the scope id (the interface index of a link-local address; little
 * endian, as the addon copies the host's u32).
 *
 * The text of an endpoint read here is what Node's dgram reports for the same datagram: IPv4 in
 * dotted quads (never mapped), IPv6 in RFC 5952 form, a link-local source with '%<interface>'.
 * The session layer compares endpoints by that text, so both sockets must agree on it.
 */
import { networkInterfaces } from 'node:os';
import { formatIPv6 } from '../identity/address.js';
import { equalAt } from '../util/bytes.js';
import type { Endpoint } from './api.js';
import { parseAddress } from './endpoint.js';

export const ENDPOINT_RECORD_BYTES = 24;

/** Interface names and indexes, for the zone of scoped link-local addresses ('fe80::1%eth0'). */
export interface ScopeNames {
  index(name: string): number | undefined;
  name(index: number): string | undefined;
}

/** Scope names from os.networkInterfaces() (netlink: this process's namespace), re-read on a miss at most once a second. */
export function systemScopeNames(list = networkInterfaces, nowMs = Date.now): ScopeNames {
  let byName = new Map<string, number>();
  let byIndex = new Map<number, string>();
  let readAt = Number.NEGATIVE_INFINITY;
  const refresh = (): void => {
    const t = nowMs();
    if (t - readAt < 1000) return;
    readAt = t;
    byName = new Map();
    byIndex = new Map();
    for (const [name, addrs] of Object.entries(list())) {
      const id = addrs?.find((a) => a.family === 'IPv6' && (a.scopeid ?? 0) > 0)?.scopeid;
      if (id === undefined) continue;
      byName.set(name, id);
      byIndex.set(id, name);
    }
  };
  return {
    index(name) {
      if (!byName.has(name)) refresh();
      return byName.get(name);
    },
    name(index) {
      if (!byIndex.has(index)) refresh();
      return byIndex.get(index);
    },
  };
}

/** True when the record at `o` holds an IPv4 address (::ffff:a.b.c.d). */
export function isV4MappedRecord(b: Uint8Array, o = 0): boolean {
  for (let i = 0; i < 10; i++) if (b[o + i] !== 0) return false;
  return b[o + 10] === 0xff && b[o + 11] === 0xff;
}

/**
 * Writes `ep`'s record at `offset`; returns false (nothing written) for an address that is not an
 * IP literal, a port outside 0..65535, or a zone that names no interface.
 */
export function writeEndpointRecord(
  ep: Endpoint,
  out: Uint8Array,
  offset: number,
  scopes: ScopeNames,
): boolean {
  if (!Number.isInteger(ep.port) || ep.port < 0 || ep.port > 0xffff) return false;
  const bytes = parseAddress(ep.address);
  if (bytes === undefined) return false;
  let scope = 0;
  const zoneAt = ep.address.indexOf('%');
  if (zoneAt >= 0) {
    const zone = ep.address.slice(zoneAt + 1);
    const id = /^\d+$/.test(zone) ? Number(zone) : scopes.index(zone);
    if (id === undefined || id > 0xffff_ffff) return false;
    scope = id;
  }
  out.fill(0, offset, offset + ENDPOINT_RECORD_BYTES);
  if (bytes.length === 4) {
    out[offset + 10] = 0xff;
    out[offset + 11] = 0xff;
    out.set(bytes, offset + 12);
  } else {
    out.set(bytes, offset);
  }
  out[offset + 16] = ep.port >>> 8;
  out[offset + 17] = ep.port & 0xff;
  out[offset + 20] = scope & 0xff;
  out[offset + 21] = (scope >>> 8) & 0xff;
  out[offset + 22] = (scope >>> 16) & 0xff;
  out[offset + 23] = scope >>> 24;
  return true;
}

/** Reads the record at `offset` as an endpoint (see the file comment for the text form). */
export function readEndpointRecord(rec: Uint8Array, offset: number, scopes: ScopeNames): Endpoint {
  const port = (rec[offset + 16]! << 8) | rec[offset + 17]!;
  if (isV4MappedRecord(rec, offset)) {
    const address = `${rec[offset + 12]}.${rec[offset + 13]}.${rec[offset + 14]}.${rec[offset + 15]}`;
    return { address, port };
  }
  let address = formatIPv6(rec.subarray(offset, offset + 16));
  const scope =
    (rec[offset + 20]! | (rec[offset + 21]! << 8) | (rec[offset + 22]! << 16) | (rec[offset + 23]! << 24)) >>>
    0;
  if (scope !== 0) address += `%${scopes.name(scope) ?? scope}`;
  return { address, port };
}

/** Caches both directions, so a steady flow costs no parsing and no strings per datagram. */
export class EndpointRecords {
  private readonly records = new WeakMap<Endpoint, Uint8Array>();
  private readonly endpoints = new Map<number, { record: Uint8Array; endpoint: Endpoint }>();

  constructor(
    private readonly scopes: ScopeNames,
    private readonly maxEndpoints = 4096,
  ) {}

  /** The record of `ep` (cached per endpoint object), or undefined if it does not convert. */
  recordOf(ep: Endpoint): Uint8Array | undefined {
    let rec = this.records.get(ep);
    if (rec === undefined) {
      rec = new Uint8Array(ENDPOINT_RECORD_BYTES);
      if (!writeEndpointRecord(ep, rec, 0, this.scopes)) return undefined;
      this.records.set(ep, rec);
    }
    return rec;
  }

  /** The endpoint of the record at `offset`: the same frozen object for the same record. */
  endpointAt(buf: Uint8Array, offset: number): Endpoint {
    let h = 0;
    for (let i = 0; i < ENDPOINT_RECORD_BYTES; i += 4) {
      const w =
        buf[offset + i]! |
        (buf[offset + i + 1]! << 8) |
        (buf[offset + i + 2]! << 16) |
        (buf[offset + i + 3]! << 24);
      h = Math.imul(h ^ w, 0x9e3779b1);
    }
    const hit = this.endpoints.get(h);
    if (hit !== undefined && equalAt(hit.record, 0, buf, offset, ENDPOINT_RECORD_BYTES)) return hit.endpoint;
    const endpoint = Object.freeze(readEndpointRecord(buf, offset, this.scopes));
    if (this.endpoints.size >= this.maxEndpoints) this.endpoints.clear();
    this.endpoints.set(h, { record: buf.slice(offset, offset + ENDPOINT_RECORD_BYTES), endpoint });
    return endpoint;
  }
}

/** The counter of a send refused before it reaches the kernel (closed socket, port 0 or out of range), or undefined. */
export function sendRefusal(to: Endpoint, closed: boolean): string | undefined {
  if (closed) return 'tx.error.closed';
  if (!Number.isInteger(to.port) || to.port < 1 || to.port > 0xffff) return 'tx.error.bad-port';
  return undefined;
}
