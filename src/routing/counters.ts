/**
 * Monotonic counters by name. Names are stable (metrics export them):
 * `in.<tlv>` / `out.<tlv>` messages by TLV type; `reject.<reason>` dropped Updates and requests;
 * `route.selected`, `route.retracted`, `route.expired`; `request.<kind>.<sent|answered|forwarded|dropped|resent>`;
 * `verify.cached`, `verify.checked`, `sign`; `neighbour.up|down|unreachable`; `seqno.bump`.
 */
import { TlvType } from '../wire/babel/types.js';

/** Why an Update or request was not used. */
export enum RejectReason {
  /** AE not IPv6, plen ≠ 64, host bits set, or prefix outside 400::/7. */
  BadPrefix = 'bad-prefix',
  /** A non-retraction Update without a 32-byte originator key or a 64-byte signature. */
  NoOriginator = 'no-originator',
  /** The prefix does not contain the originator key's address. */
  PrefixNotOwned = 'prefix-not-owned',
  /** The signature does not verify under the originator key. */
  BadSignature = 'bad-signature',
  /** Our own prefix announced by another key. */
  OwnPrefix = 'own-prefix',
  /** A seqno older than what the same neighbour already announced for the same source. */
  Stale = 'stale',
  /**
   * Another key already holds routes for this prefix: two keys whose addresses share a /64 (a
   * hash collision someone would have to search for). The first one heard keeps the prefix.
   */
  OriginConflict = 'origin-conflict',
  /** A packet from a neighbour the engine does not know (never up, or down). */
  UnknownNeighbour = 'unknown-neighbour',
  /** A table is at its cap (neighbours, prefixes, routes per prefix, sources). */
  TableFull = 'table-full',
  /** Malformed field values (seqno out of range, metric out of range). */
  Malformed = 'malformed',
}

const TLV_NAMES: Partial<Record<number, string>> = {
  [TlvType.Hello]: 'hello',
  [TlvType.IHU]: 'ihu',
  [TlvType.Update]: 'update',
  [TlvType.RouteRequest]: 'route-request',
  [TlvType.SeqnoRequest]: 'seqno-request',
  [TlvType.RouterId]: 'router-id',
  [TlvType.NextHop]: 'next-hop',
  [TlvType.AckRequest]: 'ack-request',
  [TlvType.Ack]: 'ack',
  [TlvType.PadN]: 'padn',
  [TlvType.RouteDigest]: 'route-digest',
};

/** Returns the counter name part for a TLV type. */
export function tlvName(type: number): string {
  return TLV_NAMES[type] ?? `type-${type}`;
}

const IN_NAMES: string[] = [];
const OUT_NAMES: string[] = [];

/** `<dir>.<tlv>` for a TLV type, built once per type (a counter per TLV must not build a string). */
function tlvCounter(names: string[], dir: string, type: number): string {
  const t = type & 0xff;
  let name = names[t];
  if (name === undefined) {
    name = `${dir}.${tlvName(t)}`;
    names[t] = name;
  }
  return name;
}

/** `in.<tlv>` for a TLV type. */
export function inCounter(type: number): string {
  return tlvCounter(IN_NAMES, 'in', type);
}

/** `out.<tlv>` for a TLV type. */
export function outCounter(type: number): string {
  return tlvCounter(OUT_NAMES, 'out', type);
}

export { Counters } from '../util/counters.js';
