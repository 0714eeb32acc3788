/**
 * Sub-TLV framing (RFC 8966 §4.4). A TLV's sub-TLVs fill the space between the end of its fixed
 * fields (and prefix or address) and the end of its body. They are framed like TLVs, Pad1
 * included; a type with the mandatory bit (0x80) that the receiver does not understand makes it
 * ignore the whole enclosing TLV.
 */
import { checkUint } from './_bytes.js';
import {
  SUBTLV_HYPHA_HOP_COUNT,
  SUBTLV_HYPHA_ORIGINATOR,
  SUBTLV_HYPHA_SIGNATURE,
  SUBTLV_MANDATORY_BIT,
  SUBTLV_PAD1,
  SUBTLV_PADN,
  SUBTLV_TIMESTAMP,
  TLV_HEADER_BYTES,
  TLV_MAX_BODY_BYTES,
} from './constants.js';
import type { BabelDecodeError, UnknownSubTlv } from './types.js';

/** One sub-TLV found by scanSubTlvs: its type and where its body lies in the packet. */
export interface SubTlvEntry {
  readonly type: number;
  /** Offset of the sub-TLV's Type octet in the packet. */
  readonly offset: number;
  /** Offset of the first body byte in the packet. */
  readonly start: number;
  readonly length: number;
}

export type SubTlvScan =
  | { readonly ok: true; readonly entries: readonly SubTlvEntry[] }
  | { readonly ok: false; readonly error: BabelDecodeError };

const NONE: readonly SubTlvEntry[] = [];

/** True when an unknown sub-TLV of this type must make the receiver ignore the enclosing TLV. */
export function isMandatory(type: number): boolean {
  return (type & SUBTLV_MANDATORY_BIT) !== 0;
}

/**
 * Lists the sub-TLVs in `b[start .. end)`, skipping Pad1 and PadN. Fails with `bad-subtlv` when one
 * runs past `end`, which is the end of the enclosing TLV.
 */
export function scanSubTlvs(b: Uint8Array, start: number, end: number): SubTlvScan {
  if (start >= end) return { ok: true, entries: NONE };
  const entries: SubTlvEntry[] = [];
  let i = start;
  while (i < end) {
    const type = b[i]!;
    if (type === SUBTLV_PAD1) {
      i++;
      continue;
    }
    if (i + TLV_HEADER_BYTES > end) {
      return fail(i, `sub-TLV ${type} has no room for its length octet`);
    }
    const length = b[i + 1]!;
    const next = i + TLV_HEADER_BYTES + length;
    if (next > end) {
      return fail(i, `sub-TLV ${type} of length ${length} runs ${next - end} bytes past its TLV`);
    }
    if (type !== SUBTLV_PADN) entries.push({ type, offset: i, start: i + TLV_HEADER_BYTES, length });
    i = next;
  }
  return { ok: true, entries };
}

function fail(offset: number, message: string): SubTlvScan {
  return { ok: false, error: { code: 'bad-subtlv', offset, message } };
}

/** Returns a copy of an uninterpreted sub-TLV, so the decoded packet never aliases the input. */
export function copySubTlv(b: Uint8Array, e: SubTlvEntry): UnknownSubTlv {
  return { type: e.type, body: b.slice(e.start, e.start + e.length) };
}

/** Sub-TLV types the codec writes itself, per TLV; a caller's uninterpreted sub-TLV may not reuse them. */
const PADDING = [SUBTLV_PAD1, SUBTLV_PADN];
const RESERVED_SUBTLVS: Readonly<Record<string, ReadonlySet<number>>> = {
  Hello: new Set([...PADDING, SUBTLV_TIMESTAMP]),
  IHU: new Set([...PADDING, SUBTLV_TIMESTAMP]),
  Update: new Set([...PADDING, SUBTLV_HYPHA_ORIGINATOR, SUBTLV_HYPHA_SIGNATURE]),
  RouteRequest: new Set([...PADDING, SUBTLV_HYPHA_HOP_COUNT]),
  SeqnoRequest: new Set([...PADDING, SUBTLV_HYPHA_ORIGINATOR]),
};

/**
 * Throws TypeError or RangeError unless each uninterpreted sub-TLV can be written into a TLV of kind
 * `name` without clashing with one the codec writes itself.
 */
export function checkUnknownSubTlvs(
  list: readonly UnknownSubTlv[] | undefined,
  name: 'Hello' | 'IHU' | 'Update' | 'RouteRequest' | 'SeqnoRequest',
): void {
  if (list === undefined) return;
  const reserved = RESERVED_SUBTLVS[name]!;
  for (const s of list) {
    checkUint(s.type, 8, `${name}.unknownSubTlvs type`);
    if (reserved.has(s.type)) {
      throw new RangeError(`${name}.unknownSubTlvs: type ${s.type} is one the codec writes itself`);
    }
    if (!(s.body instanceof Uint8Array))
      throw new TypeError(`${name}.unknownSubTlvs body must be a Uint8Array`);
    if (s.body.length > TLV_MAX_BODY_BYTES) {
      throw new RangeError(`${name}.unknownSubTlvs body is ${s.body.length} bytes, at most 255 fit`);
    }
  }
}
