/**
 * PacketWriter: appends TLVs to one Babel packet under a size limit, tracking the parser state a
 * receiver will rebuild (router id, default prefixes) so that what it writes decodes back to
 * what it was given. Internal: encode.ts is the public face.
 */
import { checkBytes, checkUint, sameBytes, writeU16, writeU32 } from './_bytes.js';
import {
  HELLO_FLAG_UNICAST,
  HELLO_TIMESTAMP_BYTES,
  HOP_COUNT_BYTES,
  IHU_TIMESTAMP_BYTES,
  MAX_BODY_BYTES,
  METRIC_INFINITY,
  ORIGINATOR_KEY_BYTES,
  PACKET_HEADER_BYTES,
  PACKET_MAGIC,
  PACKET_OFF_BODY_LENGTH,
  PACKET_OFF_MAGIC,
  PACKET_OFF_VERSION,
  PACKET_VERSION,
  ROUTER_ID_BYTES,
  SIGNATURE_BYTES,
  SUBTLV_HYPHA_HOP_COUNT,
  SUBTLV_HYPHA_ORIGINATOR,
  SUBTLV_HYPHA_SIGNATURE,
  SUBTLV_TIMESTAMP,
  TLV_HEADER_BYTES,
  TLV_MAX_BODY_BYTES,
  UPDATE_FLAG_DEFAULT_PREFIX,
  UPDATE_FLAG_ROUTER_ID,
} from './constants.js';
import {
  checkAddress,
  checkPrefix,
  commonBytes,
  maskInPlace,
  prefixBytes,
  writeAddress,
  writePrefix,
} from './prefix.js';
import { checkUnknownSubTlvs } from './subtlv.js';
import {
  AE,
  type Hello,
  type Ihu,
  type RouteRequest,
  type SeqnoRequest,
  type Tlv,
  TlvType,
  type UnknownSubTlv,
  type Update,
} from './types.js';

/** The largest packet: header plus a body whose length fills the u16 field. */
export const MAX_PACKET_BYTES = PACKET_HEADER_BYTES + MAX_BODY_BYTES;
/** Room one TLV can need: its own 257 bytes plus a Router-Id TLV written before it. */
const MAX_TLV_STEP = 2 * (TLV_HEADER_BYTES + TLV_MAX_BODY_BYTES);

/**
 * One scratch buffer for every packet. Sharing it is safe because encoding is synchronous, only
 * one PacketWriter is live at a time (encode.ts), and finish() copies the packet out.
 */
const scratch = new Uint8Array(MAX_PACKET_BYTES + MAX_TLV_STEP);

/** The writer's state, saved before a TLV so that a TLV that does not fit can be taken back. */
export interface Checkpoint {
  readonly pos: number;
  readonly routerId: Uint8Array | undefined;
  readonly assumedRouterId: Uint8Array | undefined;
  readonly defaultIPv4: Uint8Array | undefined;
  readonly defaultIPv6: Uint8Array | undefined;
}

export class PacketWriter {
  private pos = PACKET_HEADER_BYTES;
  /** The router id a receiver has in force at this point of the packet. */
  private routerId: Uint8Array | undefined;
  /** The router id the caller's TLV sequence has in force (carried across packets by encodePackets). */
  assumedRouterId: Uint8Array | undefined;
  private defaultIPv4: Uint8Array | undefined;
  private defaultIPv6: Uint8Array | undefined;
  /** Offset of the Type octet of the TLV being written. */
  private tlvStart = 0;

  /** `limit` is the largest packet in bytes, header included. */
  constructor(
    private readonly limit: number,
    private readonly compress: boolean,
    assumedRouterId?: Uint8Array,
  ) {
    this.assumedRouterId = assumedRouterId;
  }

  /** True while no TLV has been written. */
  get empty(): boolean {
    return this.pos === PACKET_HEADER_BYTES;
  }

  checkpoint(): Checkpoint {
    const { pos, routerId, assumedRouterId, defaultIPv4, defaultIPv6 } = this;
    return { pos, routerId, assumedRouterId, defaultIPv4, defaultIPv6 };
  }

  rollback(cp: Checkpoint): void {
    this.pos = cp.pos;
    this.routerId = cp.routerId;
    this.assumedRouterId = cp.assumedRouterId;
    this.defaultIPv4 = cp.defaultIPv4;
    this.defaultIPv6 = cp.defaultIPv6;
  }

  /**
   * Appends `tlv`, preceded by a Router-Id TLV when it is an Update whose router id is not the one
   * in force. Returns false and leaves the packet unchanged if that would pass the limit; throws
   * TypeError or RangeError if the TLV cannot be encoded.
   */
  write(tlv: Tlv): boolean {
    if (this.pos + MAX_TLV_STEP > scratch.length) return false;
    const cp = this.checkpoint();
    switch (tlv.type) {
      case TlvType.PadN:
        checkUint(tlv.length, 8, 'PadN.length');
        this.begin(TlvType.PadN);
        scratch.fill(0, this.pos, this.pos + tlv.length);
        this.pos += tlv.length;
        this.end();
        break;
      case TlvType.AckRequest:
        checkUint(tlv.opaque, 16, 'AckRequest.opaque');
        checkUint(tlv.interval, 16, 'AckRequest.interval');
        this.begin(TlvType.AckRequest);
        this.u16(0);
        this.u16(tlv.opaque);
        this.u16(tlv.interval);
        this.end();
        break;
      case TlvType.Ack:
        checkUint(tlv.opaque, 16, 'Ack.opaque');
        this.begin(TlvType.Ack);
        this.u16(tlv.opaque);
        this.end();
        break;
      case TlvType.RouteDigest:
        checkUint(tlv.interval, 16, 'RouteDigest.interval');
        checkUint(tlv.count, 32, 'RouteDigest.count');
        checkUint(tlv.hi, 32, 'RouteDigest.hi');
        checkUint(tlv.lo, 32, 'RouteDigest.lo');
        this.begin(TlvType.RouteDigest);
        this.u16(0);
        this.u16(tlv.interval);
        this.u32(tlv.count);
        this.u32(tlv.hi);
        this.u32(tlv.lo);
        this.end();
        break;
      case TlvType.Hello:
        this.hello(tlv);
        break;
      case TlvType.IHU:
        this.ihu(tlv);
        break;
      case TlvType.RouterId:
        checkBytes(tlv.routerId, ROUTER_ID_BYTES, 'RouterId.routerId');
        this.routerIdTlv(tlv.routerId);
        this.assumedRouterId = tlv.routerId;
        break;
      case TlvType.NextHop:
        checkAddress(tlv.ae, tlv.address, 'NextHop');
        if (tlv.ae === AE.Wildcard) throw new RangeError('NextHop: the wildcard AE is not allowed');
        this.begin(TlvType.NextHop);
        this.u8(tlv.ae);
        this.u8(0);
        this.pos += writeAddress(scratch, this.pos, tlv.ae, tlv.address);
        this.end();
        break;
      case TlvType.Update:
        this.update(tlv);
        break;
      case TlvType.RouteRequest:
        this.routeRequest(tlv);
        break;
      case TlvType.SeqnoRequest:
        this.seqnoRequest(tlv);
        break;
      default:
        throw new TypeError(`cannot encode TLV type ${String((tlv as { type: unknown }).type)}`);
    }
    if (this.pos > this.limit) {
      this.rollback(cp);
      return false;
    }
    return true;
  }

  /** Writes the header and returns a copy of the packet. */
  finish(): Uint8Array {
    scratch[PACKET_OFF_MAGIC] = PACKET_MAGIC;
    scratch[PACKET_OFF_VERSION] = PACKET_VERSION;
    writeU16(scratch, PACKET_OFF_BODY_LENGTH, this.pos - PACKET_HEADER_BYTES);
    return scratch.slice(0, this.pos);
  }

  private hello(h: Hello): void {
    checkUint(h.seqno, 16, 'Hello.seqno');
    checkUint(h.interval, 16, 'Hello.interval');
    if (h.timestamp) checkUint(h.timestamp.transmit, 32, 'Hello.timestamp.transmit');
    checkUnknownSubTlvs(h.unknownSubTlvs, 'Hello');
    this.begin(TlvType.Hello);
    this.u16(h.unicast ? HELLO_FLAG_UNICAST : 0);
    this.u16(h.seqno);
    this.u16(h.interval);
    if (h.timestamp) {
      this.u8(SUBTLV_TIMESTAMP);
      this.u8(HELLO_TIMESTAMP_BYTES);
      this.u32(h.timestamp.transmit);
    }
    this.unknownSubTlvs(h.unknownSubTlvs);
    this.end();
  }

  private ihu(t: Ihu): void {
    checkUint(t.rxcost, 16, 'IHU.rxcost');
    checkUint(t.interval, 16, 'IHU.interval');
    checkAddress(t.ae, t.address, 'IHU');
    if (t.timestamp) {
      checkUint(t.timestamp.origin, 32, 'IHU.timestamp.origin');
      checkUint(t.timestamp.receive, 32, 'IHU.timestamp.receive');
    }
    checkUnknownSubTlvs(t.unknownSubTlvs, 'IHU');
    this.begin(TlvType.IHU);
    this.u8(t.ae);
    this.u8(0);
    this.u16(t.rxcost);
    this.u16(t.interval);
    this.pos += writeAddress(scratch, this.pos, t.ae, t.address);
    if (t.timestamp) {
      this.u8(SUBTLV_TIMESTAMP);
      this.u8(IHU_TIMESTAMP_BYTES);
      this.u32(t.timestamp.origin);
      this.u32(t.timestamp.receive);
    }
    this.unknownSubTlvs(t.unknownSubTlvs);
    this.end();
  }

  private update(u: Update): void {
    checkUint(u.flags, 8, 'Update.flags');
    checkUint(u.interval, 16, 'Update.interval');
    checkUint(u.seqno, 16, 'Update.seqno');
    checkUint(u.metric, 16, 'Update.metric');
    checkPrefix(u.prefix, 'Update.prefix');
    if (u.routerId !== undefined) checkBytes(u.routerId, ROUTER_ID_BYTES, 'Update.routerId');
    if (u.originator !== undefined) checkBytes(u.originator, ORIGINATOR_KEY_BYTES, 'Update.originator');
    if (u.signature !== undefined) checkBytes(u.signature, SIGNATURE_BYTES, 'Update.signature');
    checkUnknownSubTlvs(u.unknownSubTlvs, 'Update');
    const { ae, plen } = u.prefix;
    if (ae === AE.Wildcard && u.metric !== METRIC_INFINITY) {
      throw new RangeError('Update: a wildcard Update must be a retraction (metric 0xFFFF)');
    }

    if (ae !== AE.Wildcard) {
      const id = u.routerId ?? this.assumedRouterId;
      if (id === undefined && u.metric !== METRIC_INFINITY) {
        throw new RangeError('Update: no router id (set Update.routerId or write a RouterId TLV before it)');
      }
      if (id !== undefined && !sameBytes(id, this.routerId)) this.routerIdTlv(id);
      this.assumedRouterId = id;
    }

    let flags = u.flags & ~(UPDATE_FLAG_DEFAULT_PREFIX | UPDATE_FLAG_ROUTER_ID);
    let omitted = 0;
    let addr: Uint8Array | undefined;
    if (this.compress && (ae === AE.IPv4 || ae === AE.IPv6)) {
      // Every compressed Update sets the default prefix, so each one is compressed against the last.
      addr = maskInPlace(u.prefix.addr.slice(), plen);
      const base = ae === AE.IPv4 ? this.defaultIPv4 : this.defaultIPv6;
      if (base !== undefined) omitted = commonBytes(base, addr, prefixBytes(plen));
      flags |= UPDATE_FLAG_DEFAULT_PREFIX;
    }

    this.begin(TlvType.Update);
    this.u8(ae);
    this.u8(flags);
    this.u8(plen);
    this.u8(omitted);
    this.u16(u.interval);
    this.u16(u.seqno);
    this.u16(u.metric);
    this.pos += writePrefix(scratch, this.pos, u.prefix, omitted);
    if (u.originator) this.subTlv(SUBTLV_HYPHA_ORIGINATOR, u.originator);
    if (u.signature) this.subTlv(SUBTLV_HYPHA_SIGNATURE, u.signature);
    this.unknownSubTlvs(u.unknownSubTlvs);
    this.end();
    if (addr !== undefined) {
      if (ae === AE.IPv4) this.defaultIPv4 = addr;
      else this.defaultIPv6 = addr;
    }
  }

  private routeRequest(r: RouteRequest): void {
    checkPrefix(r.prefix, 'RouteRequest.prefix');
    if (r.hopCount !== undefined) checkUint(r.hopCount, 8, 'RouteRequest.hopCount');
    checkUnknownSubTlvs(r.unknownSubTlvs, 'RouteRequest');
    this.begin(TlvType.RouteRequest);
    this.u8(r.prefix.ae);
    this.u8(r.prefix.plen);
    this.pos += writePrefix(scratch, this.pos, r.prefix, 0);
    if (r.hopCount !== undefined) {
      this.u8(SUBTLV_HYPHA_HOP_COUNT);
      this.u8(HOP_COUNT_BYTES);
      this.u8(r.hopCount);
    }
    this.unknownSubTlvs(r.unknownSubTlvs);
    this.end();
  }

  private seqnoRequest(r: SeqnoRequest): void {
    checkUint(r.seqno, 16, 'SeqnoRequest.seqno');
    checkUint(r.hopCount, 8, 'SeqnoRequest.hopCount');
    checkBytes(r.routerId, ROUTER_ID_BYTES, 'SeqnoRequest.routerId');
    checkPrefix(r.prefix, 'SeqnoRequest.prefix');
    if (r.prefix.ae === AE.Wildcard) throw new RangeError('SeqnoRequest: the wildcard AE is not allowed');
    if (r.originator !== undefined) checkBytes(r.originator, ORIGINATOR_KEY_BYTES, 'SeqnoRequest.originator');
    checkUnknownSubTlvs(r.unknownSubTlvs, 'SeqnoRequest');
    this.begin(TlvType.SeqnoRequest);
    this.u8(r.prefix.ae);
    this.u8(r.prefix.plen);
    this.u16(r.seqno);
    this.u8(r.hopCount);
    this.u8(0);
    scratch.set(r.routerId, this.pos);
    this.pos += ROUTER_ID_BYTES;
    this.pos += writePrefix(scratch, this.pos, r.prefix, 0);
    if (r.originator) this.subTlv(SUBTLV_HYPHA_ORIGINATOR, r.originator);
    this.unknownSubTlvs(r.unknownSubTlvs);
    this.end();
  }

  private routerIdTlv(id: Uint8Array): void {
    this.begin(TlvType.RouterId);
    this.u16(0);
    scratch.set(id, this.pos);
    this.pos += ROUTER_ID_BYTES;
    this.end();
    this.routerId = id;
  }

  private unknownSubTlvs(list: readonly UnknownSubTlv[] | undefined): void {
    if (list) for (const s of list) this.subTlv(s.type, s.body);
  }

  private subTlv(type: number, body: Uint8Array): void {
    this.u8(type);
    this.u8(body.length);
    scratch.set(body, this.pos);
    this.pos += body.length;
  }

  /** Starts a TLV; end() fills in its length. */
  private begin(type: TlvType): void {
    this.tlvStart = this.pos;
    scratch[this.pos] = type;
    this.pos += TLV_HEADER_BYTES;
  }

  private end(): void {
    const len = this.pos - this.tlvStart - TLV_HEADER_BYTES;
    if (len > TLV_MAX_BODY_BYTES) {
      throw new RangeError(`TLV ${scratch[this.tlvStart]} body would be ${len} bytes, at most 255 fit`);
    }
    scratch[this.tlvStart + 1] = len;
  }

  private u8(v: number): void {
    scratch[this.pos++] = v;
  }

  private u16(v: number): void {
    writeU16(scratch, this.pos, v);
    this.pos += 2;
  }

  private u32(v: number): void {
    writeU32(scratch, this.pos, v);
    this.pos += 4;
  }
}
