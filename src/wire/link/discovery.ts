/**
 * Frame 6: DiscoveryBeacon (49 bytes), sent in the clear to a link-local multicast group on the
 * underlay. It is only a hint that a node with this key listens on this port at the packet's source
 * address: anyone on the link can forge one, so a receiver acts on it only by starting a handshake,
 * which authenticates the key. The magic keeps stray traffic on a shared group out; the network tag
 * keeps nodes of other private networks from dialling each other.
 */
import { checkBytes, checkInt, failure, readU16, writeU16 } from './_bytes.js';
import { checkTypeByte } from './_header.js';
import {
  BEACON_MAGIC,
  BEACON_OFFSET_FLAGS,
  BEACON_OFFSET_MAGIC,
  BEACON_OFFSET_NETWORK_TAG,
  BEACON_OFFSET_PORT,
  BEACON_OFFSET_PUBLIC_KEY,
  BEACON_OFFSET_VERSION,
  BEACON_SIZE,
  BEACON_VERSION,
  FrameType,
  KEY_SIZE,
  NETWORK_TAG_SIZE,
} from './constants.js';
import type { DiscoveryBeacon, LinkDecodeError, LinkDecodeResult } from './types.js';

/**
 * Returns why `frame` is not a well-formed version-1 beacon, or undefined if it is one. Magic and
 * version are checked before the length, so a beacon of a later version (which may be longer) is
 * counted as `bad-version`, not `bad-length`.
 */
export function checkDiscoveryBeacon(frame: Uint8Array): LinkDecodeError | undefined {
  const bad = checkTypeByte(frame, FrameType.DiscoveryBeacon);
  if (bad) return bad;
  if (frame.length > BEACON_OFFSET_VERSION) {
    for (let i = 0; i < BEACON_MAGIC.length; i++) {
      if (frame[BEACON_OFFSET_MAGIC + i] !== BEACON_MAGIC[i]) {
        return failure('bad-magic', BEACON_OFFSET_MAGIC + i, 'beacon magic is not "HYPH"');
      }
    }
    if (frame[BEACON_OFFSET_VERSION] !== BEACON_VERSION) {
      return failure('bad-version', BEACON_OFFSET_VERSION, `beacon version ${frame[BEACON_OFFSET_VERSION]}`);
    }
  }
  if (frame.length !== BEACON_SIZE) {
    return failure(
      'bad-length',
      Math.min(frame.length, BEACON_SIZE),
      `beacon is ${BEACON_SIZE} bytes, got ${frame.length}`,
    );
  }
  if (readU16(frame, BEACON_OFFSET_PORT) === 0)
    return failure('bad-port', BEACON_OFFSET_PORT, 'listen port 0');
  return undefined;
}

/** Encodes a DiscoveryBeacon into a new 49-byte frame. `version` defaults to BEACON_VERSION, `flags` to 0. */
export function encodeDiscoveryBeacon(
  msg: Omit<DiscoveryBeacon, 'type' | 'version' | 'flags'> & {
    readonly version?: number;
    readonly flags?: number;
  },
): Uint8Array {
  const version = msg.version ?? BEACON_VERSION;
  const flags = msg.flags ?? 0;
  checkInt('version', version, BEACON_VERSION, BEACON_VERSION);
  checkInt('flags', flags, 0, 0xff);
  checkInt('port', msg.port, 1, 0xffff);
  checkBytes('publicKey', msg.publicKey, KEY_SIZE);
  checkBytes('networkTag', msg.networkTag, NETWORK_TAG_SIZE);
  const out = new Uint8Array(BEACON_SIZE);
  out[0] = FrameType.DiscoveryBeacon;
  out.set(BEACON_MAGIC, BEACON_OFFSET_MAGIC);
  out[BEACON_OFFSET_VERSION] = version;
  out[BEACON_OFFSET_FLAGS] = flags;
  writeU16(out, BEACON_OFFSET_PORT, msg.port);
  out.set(msg.publicKey, BEACON_OFFSET_PUBLIC_KEY);
  out.set(msg.networkTag, BEACON_OFFSET_NETWORK_TAG);
  return out;
}

/** Decodes a DiscoveryBeacon; byte fields are views into `frame`. Never throws. */
export function decodeDiscoveryBeacon(frame: Uint8Array): LinkDecodeResult<DiscoveryBeacon> {
  const error = checkDiscoveryBeacon(frame);
  if (error) return { ok: false, error };
  return {
    ok: true,
    value: {
      type: FrameType.DiscoveryBeacon,
      version: frame[BEACON_OFFSET_VERSION]!,
      flags: frame[BEACON_OFFSET_FLAGS]!,
      port: readU16(frame, BEACON_OFFSET_PORT),
      publicKey: frame.subarray(BEACON_OFFSET_PUBLIC_KEY, BEACON_OFFSET_NETWORK_TAG),
      networkTag: frame.subarray(BEACON_OFFSET_NETWORK_TAG, BEACON_SIZE),
    },
  };
}
