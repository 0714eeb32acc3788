/**
 * Transport frames on an established keypair (docs/protocol/link-handshake.md §Transport):
 *
 * 1. send: take the next counter (refused past the reject limits), write the 16-byte header,
 *    seal [content type ‖ body] under sendKey with that counter as nonce and the header as AD;
 * 2. receive: check the frame, the index and the keypair's age, ask the replay window whether the
 *    counter is new (a cheap drop), open under recvKey, and only then mark the counter as seen, so
 *    a forged frame cannot move the window.
 *
 * The AEAD is src/crypto/aead.ts (nonce = 4 zero bytes ‖ counter as u64 big-endian, the byte order of
 * the counter on the wire). A bad frame is a drop reason, never an exception.
 */

import {
  ContentType,
  checkTransport,
  decodeTransportContent,
  encodeTransportContent,
  readTransportCounter,
  readTransportReceiverIndex,
  TRANSPORT_HEADER_SIZE,
  writeTransportHeader,
} from '../wire/link/index.js';
import type { TransportContent } from '../wire/link/types.js';
import { open, seal } from './aead.js';
import { REJECT_AFTER_MESSAGES } from './constants.js';
import type { Keypair } from './keypair.js';

/** Why a transport frame was not sent or not accepted; stable labels for drop counters. */
export type TransportDropReason =
  | 'malformed'
  | 'wrong-index'
  | 'expired'
  | 'counter-exhausted'
  | 'replay'
  | 'decrypt'
  | 'bad-content';

export type SealResult =
  | { ok: true; frame: Uint8Array; counter: number }
  | { ok: false; reason: TransportDropReason };
export type OpenResult =
  | { ok: true; content: TransportContent; counter: number }
  | { ok: false; reason: TransportDropReason };

/** Seals one Transport frame on `keypair` at `now`. */
export function encryptTransport(
  keypair: Keypair,
  contentType: ContentType,
  body: Uint8Array,
  now: number,
): SealResult {
  if (keypair.sendStatus(now) === 'reject') {
    return {
      ok: false,
      reason: keypair.sendCounter > REJECT_AFTER_MESSAGES ? 'counter-exhausted' : 'expired',
    };
  }
  const plaintext = encodeTransportContent(contentType, body);
  const counter = keypair.nextSendCounter(now)!;
  const header = new Uint8Array(TRANSPORT_HEADER_SIZE);
  writeTransportHeader(header, 0, keypair.remoteIndex, counter);
  const sealed = seal(keypair.sendKey, counter, header, plaintext);
  plaintext.fill(0);
  const frame = new Uint8Array(TRANSPORT_HEADER_SIZE + sealed.length);
  frame.set(header);
  frame.set(sealed, TRANSPORT_HEADER_SIZE);
  return { ok: true, frame, counter };
}

/** Seals a keepalive (content type 0, empty body). */
export function encryptKeepalive(keypair: Keypair, now: number): SealResult {
  return encryptTransport(keypair, ContentType.Keepalive, new Uint8Array(0), now);
}

/** Opens one Transport frame on `keypair` at `now`; the content's body is a view into a fresh buffer. */
export function decryptTransport(keypair: Keypair, frame: Uint8Array, now: number): OpenResult {
  if (checkTransport(frame)) return { ok: false, reason: 'malformed' };
  if (readTransportReceiverIndex(frame) !== keypair.localIndex) return { ok: false, reason: 'wrong-index' };
  if (keypair.receiveStatus(now) === 'reject') return { ok: false, reason: 'expired' };
  const counter = readTransportCounter(frame);
  if (counter > REJECT_AFTER_MESSAGES) return { ok: false, reason: 'counter-exhausted' };
  if (!keypair.replay.check(counter)) return { ok: false, reason: 'replay' };
  const plaintext = open(
    keypair.recvKey,
    counter,
    frame.subarray(0, TRANSPORT_HEADER_SIZE),
    frame.subarray(TRANSPORT_HEADER_SIZE),
  );
  if (!plaintext) return { ok: false, reason: 'decrypt' };
  const content = decodeTransportContent(plaintext);
  // The frame authenticated: its counter is spent even if the content is unusable.
  keypair.replay.update(counter);
  if (!content.ok) return { ok: false, reason: 'bad-content' };
  return { ok: true, content: content.value, counter };
}
