/**
 * The receive-side entry point: dispatch a UDP datagram on its first byte, with each type's exact
 * size and field checks. A bad datagram is a cheap drop: nothing here throws, and the error code is
 * the drop counter's label.
 *
 * checkFrame allocates nothing for a good frame, so the hot path can validate, then read fields in
 * place (readDataReceiverIndex, decrementDataHopLimit, …) without building an object per packet.
 * decodeFrame builds the typed value, for control traffic and tests.
 */
import { failure } from './_bytes.js';
import { FrameType } from './constants.js';
import { checkCookieReply, decodeCookieReply } from './cookie.js';
import { checkData, decodeData } from './data.js';
import { checkDiscoveryBeacon, decodeDiscoveryBeacon } from './discovery.js';
import {
  checkHandshakeFinish,
  checkHandshakeInitiation,
  checkHandshakeResponse,
  decodeHandshakeFinish,
  decodeHandshakeInitiation,
  decodeHandshakeResponse,
} from './handshake.js';
import { checkTransport, decodeTransport } from './transport.js';
import type { LinkDecodeError, LinkDecodeResult, LinkFrame } from './types.js';

/** Returns the frame type of a datagram if byte 0 names a known type, else undefined. Checks nothing else. */
export function peekFrameType(datagram: Uint8Array): FrameType | undefined {
  const t = datagram[0];
  return t !== undefined && t >= FrameType.HandshakeInitiation && t <= FrameType.HandshakeFinish
    ? (t as FrameType)
    : undefined;
}

/** Returns why `datagram` is no well-formed frame, or undefined when it is one. Allocates only on failure. */
export function checkFrame(datagram: Uint8Array): LinkDecodeError | undefined {
  if (datagram.length === 0) return failure('truncated', 0, 'empty datagram');
  switch (datagram[0]) {
    case FrameType.HandshakeInitiation:
      return checkHandshakeInitiation(datagram);
    case FrameType.HandshakeResponse:
      return checkHandshakeResponse(datagram);
    case FrameType.CookieReply:
      return checkCookieReply(datagram);
    case FrameType.Transport:
      return checkTransport(datagram);
    case FrameType.Data:
      return checkData(datagram);
    case FrameType.DiscoveryBeacon:
      return checkDiscoveryBeacon(datagram);
    case FrameType.HandshakeFinish:
      return checkHandshakeFinish(datagram);
    default:
      return failure('unknown-type', 0, `unknown frame type ${datagram[0]}`);
  }
}

/** Decodes any frame into its typed value; byte fields are views into `datagram`. Never throws. */
export function decodeFrame(datagram: Uint8Array): LinkDecodeResult<LinkFrame> {
  if (datagram.length === 0) return { ok: false, error: failure('truncated', 0, 'empty datagram') };
  switch (datagram[0]) {
    case FrameType.HandshakeInitiation:
      return decodeHandshakeInitiation(datagram);
    case FrameType.HandshakeResponse:
      return decodeHandshakeResponse(datagram);
    case FrameType.CookieReply:
      return decodeCookieReply(datagram);
    case FrameType.Transport:
      return decodeTransport(datagram);
    case FrameType.Data:
      return decodeData(datagram);
    case FrameType.DiscoveryBeacon:
      return decodeDiscoveryBeacon(datagram);
    case FrameType.HandshakeFinish:
      return decodeHandshakeFinish(datagram);
    default:
      return { ok: false, error: failure('unknown-type', 0, `unknown frame type ${datagram[0]}`) };
  }
}
