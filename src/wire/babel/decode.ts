/**
 * decodePacket: bytes of one UDP datagram to the TLVs of one Babel packet (RFC 8966 §4.2–4.5).
 *
 * 1. Check the header (magic 42, version 2) and that the body fits in the datagram. Bytes after
 *    the body are the packet trailer (RFC 8967 MACs); hypha does not use them and skips them.
 * 2. Walk the body TLV by TLV. Pad1 is one octet; every other TLV must fit inside the body.
 * 3. Decode each known TLV (decode-tlv.ts) against the parser state that Router-Id and Update
 *    flags carry through the packet. Unknown types, unknown AEs and TLVs with an unknown mandatory
 *    sub-TLV are skipped and counted in `ignored`.
 *
 * Anything else malformed fails the whole packet with a typed error: hypha's neighbours are
 * authenticated hypha nodes, so a broken packet is a bug or an attack, and a counted drop is the
 * safe answer. Nothing here throws or reads outside `bytes`, and the result never aliases `bytes`.
 */
import { readU16 } from './_bytes.js';
import {
  PACKET_HEADER_BYTES,
  PACKET_MAGIC,
  PACKET_OFF_BODY_LENGTH,
  PACKET_OFF_MAGIC,
  PACKET_OFF_VERSION,
  PACKET_VERSION,
  PAD1_BYTES,
  TLV_HEADER_BYTES,
} from './constants.js';
import {
  decodeAck,
  decodeAckRequest,
  decodeHello,
  decodeIhu,
  decodeNextHop,
  decodeRouteDigest,
  decodeRouteRequest,
  decodeRouterId,
  decodeSeqnoRequest,
  decodeUpdate,
  type ParseState,
  type TlvRead,
  type TlvSpan,
} from './decode-tlv.js';
import {
  type BabelDecodeErrorCode,
  type BabelPacket,
  type DecodeResult,
  type Tlv,
  TlvType,
  type UnknownTlv,
} from './types.js';

/** What decodePacket keeps besides routing messages. */
export interface DecodeOptions {
  /** Keep PadN TLVs in `tlvs` (Pad1 is never kept). Default false. */
  readonly keepPadding?: boolean;
  /** Keep TLVs of unknown type in `unknownTlvs`. Default false. */
  readonly keepUnknown?: boolean;
}

function failure(code: BabelDecodeErrorCode, offset: number, message: string): DecodeResult<BabelPacket> {
  return { ok: false, error: { code, offset, message } };
}

/**
 * Decodes one Babel packet. Returns the TLVs in wire order, each Update with its prefix expanded
 * and its router id resolved, or a typed error naming the offset of the first problem.
 */
export function decodePacket(bytes: Uint8Array, options?: DecodeOptions): DecodeResult<BabelPacket> {
  if (!(bytes instanceof Uint8Array)) return failure('short-packet', 0, 'input is not a Uint8Array');
  if (bytes.length < PACKET_HEADER_BYTES) {
    return failure(
      'short-packet',
      0,
      `packet is ${bytes.length} bytes, the header alone is ${PACKET_HEADER_BYTES}`,
    );
  }
  if (bytes[PACKET_OFF_MAGIC] !== PACKET_MAGIC) {
    return failure(
      'bad-magic',
      PACKET_OFF_MAGIC,
      `magic is ${bytes[PACKET_OFF_MAGIC]}, expected ${PACKET_MAGIC}`,
    );
  }
  if (bytes[PACKET_OFF_VERSION] !== PACKET_VERSION) {
    return failure(
      'bad-version',
      PACKET_OFF_VERSION,
      `version is ${bytes[PACKET_OFF_VERSION]}, expected ${PACKET_VERSION}`,
    );
  }
  const bodyLength = readU16(bytes, PACKET_OFF_BODY_LENGTH);
  const end = PACKET_HEADER_BYTES + bodyLength;
  if (end > bytes.length) {
    return failure(
      'body-length',
      PACKET_OFF_BODY_LENGTH,
      `body length ${bodyLength} runs ${end - bytes.length} bytes past the ${bytes.length}-byte packet`,
    );
  }

  const keepPadding = options?.keepPadding === true;
  const keepUnknown = options?.keepUnknown === true;
  const state: ParseState = { routerId: undefined, defaultIPv4: undefined, defaultIPv6: undefined };
  const tlvs: Tlv[] = [];
  const unknownTlvs: UnknownTlv[] = [];
  let ignored = 0;
  let i = PACKET_HEADER_BYTES;
  while (i < end) {
    const type = bytes[i]!;
    if (type === TlvType.Pad1) {
      i += PAD1_BYTES;
      continue;
    }
    if (i + TLV_HEADER_BYTES > end) {
      return failure('truncated-tlv', i, `TLV ${type} at the end of the body has no length octet`);
    }
    const len = bytes[i + 1]!;
    const next = i + TLV_HEADER_BYTES + len;
    if (next > end) {
      return failure(
        'truncated-tlv',
        i,
        `TLV ${type} of length ${len} runs ${next - end} bytes past the body`,
      );
    }
    const span: TlvSpan = { b: bytes, tlv: i, body: i + TLV_HEADER_BYTES, len };
    const r = decodeTlv(type, span, state);
    if (r === undefined) {
      if (type === TlvType.PadN) {
        if (keepPadding) tlvs.push({ type: TlvType.PadN, length: len });
      } else {
        ignored++;
        if (keepUnknown) unknownTlvs.push({ type, body: bytes.slice(span.body, next) });
      }
    } else if (r.kind === 'tlv') {
      tlvs.push(r.tlv);
    } else if (r.kind === 'ignored') {
      ignored++;
    } else {
      return { ok: false, error: r.error };
    }
    i = next;
  }
  const value: BabelPacket = keepUnknown ? { tlvs, ignored, unknownTlvs } : { tlvs, ignored };
  return { ok: true, value };
}

/** Dispatches on the TLV type; undefined for PadN and for types this codec does not know. */
function decodeTlv(type: number, span: TlvSpan, state: ParseState): TlvRead | undefined {
  switch (type) {
    case TlvType.AckRequest:
      return decodeAckRequest(span);
    case TlvType.Ack:
      return decodeAck(span);
    case TlvType.Hello:
      return decodeHello(span);
    case TlvType.IHU:
      return decodeIhu(span);
    case TlvType.RouterId:
      return decodeRouterId(span, state);
    case TlvType.NextHop:
      return decodeNextHop(span);
    case TlvType.Update:
      return decodeUpdate(span, state);
    case TlvType.RouteRequest:
      return decodeRouteRequest(span);
    case TlvType.SeqnoRequest:
      return decodeSeqnoRequest(span);
    case TlvType.RouteDigest:
      return decodeRouteDigest(span);
    default:
      return undefined;
  }
}
