/**
 * The network key: a 32-byte secret every member of one hypha network shares. It is the Noise psk
 * of the link handshake (psk0), and it keys mac1 and the cookie replies, so a node of another
 * network is refused at the first message and never sees a static key.
 *
 *   private network:  HKDF-SHA256(ikm = the 32-byte PSK file, salt = "hypha network", info = name)
 *   public network:   SHA-256("hypha public network v1")   (public: it keeps nobody out)
 */
import { NETWORK_KEY_LEN } from './constants.js';
import { clean, hkdfSha256, hmacSha256, sha256, utf8 } from './kdf.js';

/** Length of the PSK file of a private network. It must be random: a passphrase is guessable offline. */
export const PSK_FILE_BYTES = 32;
/** Length of the discovery beacon's network tag. */
export const NETWORK_TAG_BYTES = 8;

const PRIVATE_SALT = utf8('hypha network');
const PUBLIC_LABEL = utf8('hypha public network v1');
const MAC1_LABEL = utf8('mac1');
const COOKIE_LABEL = utf8('cookie');
const TAG_LABEL = utf8('hypha beacon tag');

/** Returns the network key of a private network from its PSK file and its name. */
export function privateNetworkKey(psk: Uint8Array, networkName: string): Uint8Array {
  if (!(psk instanceof Uint8Array)) throw new TypeError('psk must be a Uint8Array');
  if (psk.length !== PSK_FILE_BYTES)
    throw new RangeError(`psk must be ${PSK_FILE_BYTES} bytes, got ${psk.length}`);
  if (typeof networkName !== 'string' || networkName.length === 0)
    throw new TypeError('networkName must be a non-empty string');
  return hkdfSha256(psk, PRIVATE_SALT, utf8(networkName), NETWORK_KEY_LEN);
}

/** Returns the network key of the public network, SHA-256("hypha public network v1"). */
export function publicNetworkKey(): Uint8Array {
  return sha256(PUBLIC_LABEL);
}

/** The keys a node derives once from its network key. */
export interface NetworkKeys {
  /** The Noise psk. */
  readonly psk: Uint8Array;
  /** HMAC key of mac1: SHA-256("mac1" || networkKey). */
  readonly mac1Key: Uint8Array;
  /** HMAC key from which each CookieReply's sealing key is derived: SHA-256("cookie" || networkKey). */
  readonly cookieKey: Uint8Array;
  /** True on the public network, whose key everyone knows. */
  readonly isPublic: boolean;
}

/** Derives the handshake's keys from a network key. */
export function networkKeys(networkKey: Uint8Array, isPublic = false): NetworkKeys {
  if (!(networkKey instanceof Uint8Array)) throw new TypeError('networkKey must be a Uint8Array');
  if (networkKey.length !== NETWORK_KEY_LEN)
    throw new RangeError(`networkKey must be ${NETWORK_KEY_LEN} bytes, got ${networkKey.length}`);
  return {
    psk: Uint8Array.from(networkKey),
    mac1Key: sha256(MAC1_LABEL, networkKey),
    cookieKey: sha256(COOKIE_LABEL, networkKey),
    isPublic,
  };
}

/**
 * Returns the discovery beacon's network tag: all zero on the public network, otherwise the first 8
 * bytes of HMAC-SHA256(networkKey, "hypha beacon tag"). Anyone on the link sees it, so it only tells
 * networks apart; it reveals nothing usable about a random PSK.
 */
export function beaconNetworkTag(keys: NetworkKeys): Uint8Array {
  if (keys.isPublic) return new Uint8Array(NETWORK_TAG_BYTES);
  const mac = hmacSha256(keys.psk, TAG_LABEL);
  const tag = mac.slice(0, NETWORK_TAG_BYTES);
  clean(mac);
  return tag;
}

/** Wipes the derived keys (call when the configuration is replaced). */
export function cleanNetworkKeys(keys: NetworkKeys): void {
  clean(keys.psk, keys.mac1Key, keys.cookieKey);
}
