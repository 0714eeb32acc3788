/**
 * Decoders for each TLV body (RFC 8966 §4.6, RFC 9616 §3, hypha's sub-TLVs). Each one checks its
 * minimum length, reads its fixed fields, then its sub-TLVs, and returns the TLV, `ignored`
 * (unknown AE, unknown mandatory sub-TLV) or a typed error. Router-Id, Update and their flags
 * change the packet's parser state even when the TLV itself is then ignored (§4.4).
 */
import { readU16, readU32 } from './_bytes.js';
import {
  ACK_MIN_BYTES,
  ACK_OFF_OPAQUE,
  ACK_REQUEST_MIN_BYTES,
  ACK_REQUEST_OFF_INTERVAL,
  ACK_REQUEST_OFF_OPAQUE,
  HELLO_FLAG_UNICAST,
  HELLO_MIN_BYTES,
  HELLO_OFF_FLAGS,
  HELLO_OFF_INTERVAL,
  HELLO_OFF_SEQNO,
  HELLO_TIMESTAMP_BYTES,
  HOP_COUNT_BYTES,
  IHU_MIN_BYTES,
  IHU_OFF_ADDRESS,
  IHU_OFF_AE,
  IHU_OFF_INTERVAL,
  IHU_OFF_RXCOST,
  IHU_TIMESTAMP_BYTES,
  METRIC_INFINITY,
  NEXT_HOP_MIN_BYTES,
  NEXT_HOP_OFF_ADDRESS,
  NEXT_HOP_OFF_AE,
  ORIGINATOR_KEY_BYTES,
  ROUTE_DIGEST_MIN_BYTES,
  ROUTE_DIGEST_OFF_COUNT,
  ROUTE_DIGEST_OFF_HI,
  ROUTE_DIGEST_OFF_INTERVAL,
  ROUTE_DIGEST_OFF_LO,
  ROUTE_REQUEST_MIN_BYTES,
  ROUTE_REQUEST_OFF_AE,
  ROUTE_REQUEST_OFF_PLEN,
  ROUTE_REQUEST_OFF_PREFIX,
  ROUTER_ID_BYTES,
  ROUTER_ID_MIN_BYTES,
  ROUTER_ID_OFF_ID,
  SEQNO_REQUEST_MIN_BYTES,
  SEQNO_REQUEST_OFF_AE,
  SEQNO_REQUEST_OFF_HOP_COUNT,
  SEQNO_REQUEST_OFF_PLEN,
  SEQNO_REQUEST_OFF_PREFIX,
  SEQNO_REQUEST_OFF_ROUTER_ID,
  SEQNO_REQUEST_OFF_SEQNO,
  SIGNATURE_BYTES,
  SUBTLV_HYPHA_HOP_COUNT,
  SUBTLV_HYPHA_ORIGINATOR,
  SUBTLV_HYPHA_SIGNATURE,
  SUBTLV_TIMESTAMP,
  UPDATE_FLAG_DEFAULT_PREFIX,
  UPDATE_FLAG_ROUTER_ID,
  UPDATE_MIN_BYTES,
  UPDATE_OFF_AE,
  UPDATE_OFF_FLAGS,
  UPDATE_OFF_INTERVAL,
  UPDATE_OFF_METRIC,
  UPDATE_OFF_OMITTED,
  UPDATE_OFF_PLEN,
  UPDATE_OFF_PREFIX,
  UPDATE_OFF_SEQNO,
} from './constants.js';
import { isKnownAe, type PrefixRead, readAddress, readPrefix } from './prefix.js';
import { copySubTlv, isMandatory, scanSubTlvs } from './subtlv.js';
import {
  AE,
  type BabelDecodeError,
  type BabelDecodeErrorCode,
  type Tlv,
  TlvType,
  type UnknownSubTlv,
} from './types.js';

/** Parser state that lives for one packet (RFC 8966 §4.5): router id and default prefixes. */
export interface ParseState {
  routerId: Uint8Array | undefined;
  defaultIPv4: Uint8Array | undefined;
  defaultIPv6: Uint8Array | undefined;
}

/** Where one TLV lies in the packet: its Type octet, its body, and the body length. */
export interface TlvSpan {
  readonly b: Uint8Array;
  readonly tlv: number;
  readonly body: number;
  readonly len: number;
}

export type TlvRead =
  | { readonly kind: 'tlv'; readonly tlv: Tlv }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'error'; readonly error: BabelDecodeError };

const IGNORED: TlvRead = { kind: 'ignored' };

function tlv(t: Tlv): TlvRead {
  return { kind: 'tlv', tlv: t };
}

function error(code: BabelDecodeErrorCode, offset: number, message: string): TlvRead {
  return { kind: 'error', error: { code, offset, message } };
}

function tooShort(s: TlvSpan, name: string, min: number): TlvRead {
  return error('tlv-too-short', s.tlv, `${name} TLV body is ${s.len} bytes, at least ${min} required`);
}

/** Maps a failed prefix read to an error at the field that caused it. */
function prefixError(r: PrefixRead & { ok: false }, s: TlvSpan, plenAt: number, omittedAt: number): TlvRead {
  const offset = r.code === 'bad-plen' ? plenAt : r.code === 'bad-omitted' ? omittedAt : s.tlv;
  return error(r.code, offset, r.message);
}

/** Appends to a list created on first use, so TLVs without uninterpreted sub-TLVs allocate none. */
function keep(list: UnknownSubTlv[] | undefined, item: UnknownSubTlv): UnknownSubTlv[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

function extensionError(at: number, name: string, length: number, want: number): TlvRead {
  return error('bad-extension', at, `${name} sub-TLV is ${length} bytes, expected exactly ${want}`);
}

function duplicate(at: number, name: string): TlvRead {
  return error('bad-extension', at, `second ${name} sub-TLV in one TLV`);
}

/** Reads sub-TLVs no one here interprets (Ack Request, Ack, Router-Id, Next Hop, Route Digest). */
function skipSubTlvs(s: TlvSpan, from: number): TlvRead | undefined {
  const scan = scanSubTlvs(s.b, from, s.body + s.len);
  if (!scan.ok) return { kind: 'error', error: scan.error };
  for (const e of scan.entries) if (isMandatory(e.type)) return IGNORED;
  return undefined;
}

/**
 * For a TLV of fixed fields then sub-TLVs no one here interprets: the error, or `ignored`, that
 * ends its decoding; undefined when its fields can be read.
 */
function fixedFieldsStop(s: TlvSpan, name: string, minBytes: number): TlvRead | undefined {
  if (s.len < minBytes) return tooShort(s, name, minBytes);
  return skipSubTlvs(s, s.body + minBytes);
}

export function decodeAckRequest(s: TlvSpan): TlvRead {
  const stop = fixedFieldsStop(s, 'Ack Request', ACK_REQUEST_MIN_BYTES);
  if (stop) return stop;
  return tlv({
    type: TlvType.AckRequest,
    opaque: readU16(s.b, s.body + ACK_REQUEST_OFF_OPAQUE),
    interval: readU16(s.b, s.body + ACK_REQUEST_OFF_INTERVAL),
  });
}

export function decodeAck(s: TlvSpan): TlvRead {
  const stop = fixedFieldsStop(s, 'Ack', ACK_MIN_BYTES);
  if (stop) return stop;
  return tlv({ type: TlvType.Ack, opaque: readU16(s.b, s.body + ACK_OFF_OPAQUE) });
}

export function decodeRouteDigest(s: TlvSpan): TlvRead {
  const stop = fixedFieldsStop(s, 'Route Digest', ROUTE_DIGEST_MIN_BYTES);
  if (stop) return stop;
  return tlv({
    type: TlvType.RouteDigest,
    interval: readU16(s.b, s.body + ROUTE_DIGEST_OFF_INTERVAL),
    count: readU32(s.b, s.body + ROUTE_DIGEST_OFF_COUNT),
    hi: readU32(s.b, s.body + ROUTE_DIGEST_OFF_HI),
    lo: readU32(s.b, s.body + ROUTE_DIGEST_OFF_LO),
  });
}

export function decodeHello(s: TlvSpan): TlvRead {
  if (s.len < HELLO_MIN_BYTES) return tooShort(s, 'Hello', HELLO_MIN_BYTES);
  const scan = scanSubTlvs(s.b, s.body + HELLO_MIN_BYTES, s.body + s.len);
  if (!scan.ok) return { kind: 'error', error: scan.error };
  let transmit: number | undefined;
  let unknown: UnknownSubTlv[] | undefined;
  for (const e of scan.entries) {
    if (e.type === SUBTLV_TIMESTAMP) {
      // Like babeld: a timestamp too short to read is skipped, not fatal (RFC 9616 §3.1).
      if (e.length >= HELLO_TIMESTAMP_BYTES) transmit = readU32(s.b, e.start);
    } else if (isMandatory(e.type)) {
      return IGNORED;
    } else {
      unknown = keep(unknown, copySubTlv(s.b, e));
    }
  }
  return tlv({
    type: TlvType.Hello,
    unicast: (readU16(s.b, s.body + HELLO_OFF_FLAGS) & HELLO_FLAG_UNICAST) !== 0,
    seqno: readU16(s.b, s.body + HELLO_OFF_SEQNO),
    interval: readU16(s.b, s.body + HELLO_OFF_INTERVAL),
    ...(transmit !== undefined && { timestamp: { transmit } }),
    ...(unknown && { unknownSubTlvs: unknown }),
  });
}

export function decodeIhu(s: TlvSpan): TlvRead {
  if (s.len < IHU_MIN_BYTES) return tooShort(s, 'IHU', IHU_MIN_BYTES);
  const ae = s.b[s.body + IHU_OFF_AE]!;
  if (!isKnownAe(ae)) return IGNORED;
  const addr = readAddress(s.b, s.body + IHU_OFF_ADDRESS, s.len - IHU_OFF_ADDRESS, ae);
  if (!addr.ok) return prefixError(addr, s, s.body + IHU_OFF_AE, s.body + IHU_OFF_AE);
  const scan = scanSubTlvs(s.b, s.body + IHU_OFF_ADDRESS + addr.wireBytes, s.body + s.len);
  if (!scan.ok) return { kind: 'error', error: scan.error };
  let stamps: { origin: number; receive: number } | undefined;
  let unknown: UnknownSubTlv[] | undefined;
  for (const e of scan.entries) {
    if (e.type === SUBTLV_TIMESTAMP) {
      if (e.length >= IHU_TIMESTAMP_BYTES) {
        stamps = { origin: readU32(s.b, e.start), receive: readU32(s.b, e.start + 4) };
      }
    } else if (isMandatory(e.type)) {
      return IGNORED;
    } else {
      unknown = keep(unknown, copySubTlv(s.b, e));
    }
  }
  return tlv({
    type: TlvType.IHU,
    rxcost: readU16(s.b, s.body + IHU_OFF_RXCOST),
    interval: readU16(s.b, s.body + IHU_OFF_INTERVAL),
    ae,
    address: addr.addr,
    ...(stamps && { timestamp: stamps }),
    ...(unknown && { unknownSubTlvs: unknown }),
  });
}

export function decodeRouterId(s: TlvSpan, state: ParseState): TlvRead {
  if (s.len < ROUTER_ID_MIN_BYTES) return tooShort(s, 'Router-Id', ROUTER_ID_MIN_BYTES);
  const at = s.body + ROUTER_ID_OFF_ID;
  const routerId = s.b.slice(at, at + ROUTER_ID_BYTES);
  state.routerId = routerId;
  return skipSubTlvs(s, at + ROUTER_ID_BYTES) ?? tlv({ type: TlvType.RouterId, routerId });
}

export function decodeNextHop(s: TlvSpan): TlvRead {
  if (s.len < NEXT_HOP_MIN_BYTES) return tooShort(s, 'Next Hop', NEXT_HOP_MIN_BYTES);
  const ae = s.b[s.body + NEXT_HOP_OFF_AE]!;
  if (!isKnownAe(ae)) return IGNORED;
  if (ae === AE.Wildcard) return error('bad-ae', s.body + NEXT_HOP_OFF_AE, 'Next Hop with the wildcard AE');
  const addr = readAddress(s.b, s.body + NEXT_HOP_OFF_ADDRESS, s.len - NEXT_HOP_OFF_ADDRESS, ae);
  if (!addr.ok) return prefixError(addr, s, s.body + NEXT_HOP_OFF_AE, s.body + NEXT_HOP_OFF_AE);
  const stop = skipSubTlvs(s, s.body + NEXT_HOP_OFF_ADDRESS + addr.wireBytes);
  return stop ?? tlv({ type: TlvType.NextHop, ae, address: addr.addr });
}

export function decodeUpdate(s: TlvSpan, state: ParseState): TlvRead {
  if (s.len < UPDATE_MIN_BYTES) return tooShort(s, 'Update', UPDATE_MIN_BYTES);
  const { b, body } = s;
  const ae = b[body + UPDATE_OFF_AE]!;
  if (!isKnownAe(ae)) return IGNORED;
  const flags = b[body + UPDATE_OFF_FLAGS]!;
  const plen = b[body + UPDATE_OFF_PLEN]!;
  const omitted = b[body + UPDATE_OFF_OMITTED]!;
  const fallback = ae === AE.IPv4 ? state.defaultIPv4 : ae === AE.IPv6 ? state.defaultIPv6 : undefined;
  const p = readPrefix(b, body + UPDATE_OFF_PREFIX, s.len - UPDATE_OFF_PREFIX, ae, plen, omitted, fallback);
  if (!p.ok) return prefixError(p, s, body + UPDATE_OFF_PLEN, body + UPDATE_OFF_OMITTED);

  // §4.6.9: the flags act on the parser state before anything decides to ignore this TLV.
  if ((flags & UPDATE_FLAG_DEFAULT_PREFIX) !== 0) {
    if (ae === AE.IPv4) state.defaultIPv4 = p.addr;
    else if (ae === AE.IPv6) state.defaultIPv6 = p.addr;
  }
  if ((flags & UPDATE_FLAG_ROUTER_ID) !== 0 && ae !== AE.Wildcard) {
    const id = new Uint8Array(ROUTER_ID_BYTES);
    if (ae === AE.IPv4) id.set(p.addr, ROUTER_ID_BYTES - p.addr.length);
    else id.set(p.addr.subarray(8, 16));
    state.routerId = id;
  }

  const scan = scanSubTlvs(b, body + UPDATE_OFF_PREFIX + p.wireBytes, body + s.len);
  if (!scan.ok) return { kind: 'error', error: scan.error };
  let originator: Uint8Array | undefined;
  let signature: Uint8Array | undefined;
  let unknown: UnknownSubTlv[] | undefined;
  for (const e of scan.entries) {
    if (e.type === SUBTLV_HYPHA_ORIGINATOR) {
      if (e.length !== ORIGINATOR_KEY_BYTES) {
        return extensionError(e.offset, 'Originator', e.length, ORIGINATOR_KEY_BYTES);
      }
      if (originator) return duplicate(e.offset, 'Originator');
      originator = b.slice(e.start, e.start + e.length);
    } else if (e.type === SUBTLV_HYPHA_SIGNATURE) {
      if (e.length !== SIGNATURE_BYTES)
        return extensionError(e.offset, 'Signature', e.length, SIGNATURE_BYTES);
      if (signature) return duplicate(e.offset, 'Signature');
      signature = b.slice(e.start, e.start + e.length);
    } else if (isMandatory(e.type)) {
      return IGNORED;
    } else {
      unknown = keep(unknown, copySubTlv(b, e));
    }
  }
  const metric = readU16(b, body + UPDATE_OFF_METRIC);
  // A wildcard Update can only retract everything (§4.6.9); babeld drops one with a finite metric.
  if (ae === AE.Wildcard && metric !== METRIC_INFINITY) return IGNORED;
  return tlv({
    type: TlvType.Update,
    flags,
    interval: readU16(b, body + UPDATE_OFF_INTERVAL),
    seqno: readU16(b, body + UPDATE_OFF_SEQNO),
    metric,
    prefix: { ae, plen, addr: p.addr },
    // A wildcard retraction names no source, so no router id goes with it.
    ...(state.routerId && ae !== AE.Wildcard && { routerId: state.routerId }),
    ...(originator && { originator }),
    ...(signature && { signature }),
    ...(unknown && { unknownSubTlvs: unknown }),
  });
}

export function decodeRouteRequest(s: TlvSpan): TlvRead {
  if (s.len < ROUTE_REQUEST_MIN_BYTES) return tooShort(s, 'Route Request', ROUTE_REQUEST_MIN_BYTES);
  const { b, body } = s;
  const ae = b[body + ROUTE_REQUEST_OFF_AE]!;
  if (!isKnownAe(ae)) return IGNORED;
  const plen = b[body + ROUTE_REQUEST_OFF_PLEN]!;
  const at = body + ROUTE_REQUEST_OFF_PREFIX;
  const p = readPrefix(b, at, s.len - ROUTE_REQUEST_OFF_PREFIX, ae, plen, 0, undefined);
  if (!p.ok) return prefixError(p, s, body + ROUTE_REQUEST_OFF_PLEN, body + ROUTE_REQUEST_OFF_PLEN);
  const scan = scanSubTlvs(b, at + p.wireBytes, body + s.len);
  if (!scan.ok) return { kind: 'error', error: scan.error };
  let hopCount: number | undefined;
  let unknown: UnknownSubTlv[] | undefined;
  for (const e of scan.entries) {
    if (e.type === SUBTLV_HYPHA_HOP_COUNT) {
      if (e.length !== HOP_COUNT_BYTES)
        return extensionError(e.offset, 'Hop Count', e.length, HOP_COUNT_BYTES);
      if (hopCount !== undefined) return duplicate(e.offset, 'Hop Count');
      hopCount = b[e.start]!;
    } else if (isMandatory(e.type)) {
      return IGNORED;
    } else {
      unknown = keep(unknown, copySubTlv(b, e));
    }
  }
  return tlv({
    type: TlvType.RouteRequest,
    prefix: { ae, plen, addr: p.addr },
    ...(hopCount !== undefined && { hopCount }),
    ...(unknown && { unknownSubTlvs: unknown }),
  });
}

export function decodeSeqnoRequest(s: TlvSpan): TlvRead {
  if (s.len < SEQNO_REQUEST_MIN_BYTES) return tooShort(s, 'Seqno Request', SEQNO_REQUEST_MIN_BYTES);
  const { b, body } = s;
  const ae = b[body + SEQNO_REQUEST_OFF_AE]!;
  if (!isKnownAe(ae)) return IGNORED;
  if (ae === AE.Wildcard)
    return error('bad-ae', body + SEQNO_REQUEST_OFF_AE, 'Seqno Request with the wildcard AE');
  const plen = b[body + SEQNO_REQUEST_OFF_PLEN]!;
  const at = body + SEQNO_REQUEST_OFF_PREFIX;
  const p = readPrefix(b, at, s.len - SEQNO_REQUEST_OFF_PREFIX, ae, plen, 0, undefined);
  if (!p.ok) return prefixError(p, s, body + SEQNO_REQUEST_OFF_PLEN, body + SEQNO_REQUEST_OFF_PLEN);
  const scan = scanSubTlvs(b, at + p.wireBytes, body + s.len);
  if (!scan.ok) return { kind: 'error', error: scan.error };
  let originator: Uint8Array | undefined;
  let unknown: UnknownSubTlv[] | undefined;
  for (const e of scan.entries) {
    if (e.type === SUBTLV_HYPHA_ORIGINATOR) {
      if (e.length !== ORIGINATOR_KEY_BYTES) {
        return extensionError(e.offset, 'Originator', e.length, ORIGINATOR_KEY_BYTES);
      }
      if (originator) return duplicate(e.offset, 'Originator');
      originator = b.slice(e.start, e.start + e.length);
    } else if (isMandatory(e.type)) {
      return IGNORED;
    } else {
      unknown = keep(unknown, copySubTlv(b, e));
    }
  }
  const rid = body + SEQNO_REQUEST_OFF_ROUTER_ID;
  return tlv({
    type: TlvType.SeqnoRequest,
    seqno: readU16(b, body + SEQNO_REQUEST_OFF_SEQNO),
    hopCount: b[body + SEQNO_REQUEST_OFF_HOP_COUNT]!,
    routerId: b.slice(rid, rid + ROUTER_ID_BYTES),
    prefix: { ae, plen, addr: p.addr },
    ...(originator && { originator }),
    ...(unknown && { unknownSubTlvs: unknown }),
  });
}
