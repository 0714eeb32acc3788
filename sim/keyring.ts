/**
 * Identities for simulated nodes. Two kinds behind one interface:
 *
 * - `SimKeyring` (default): each node gets a random 32-byte "public key" and a secret only the
 *   keyring knows; a signature is a keyed hash of the message under that secret (64 bytes, the
 *   Ed25519 size, so byte accounting stays honest). A node that does not hold a secret — say, a
 *   malicious one announcing someone else's prefix — cannot produce a signature that verifies.
 *   About 100 ns per sign or verify instead of ~1 ms for Ed25519, which is what makes 1,000+ nodes
 *   practical.
 * - `RealKeyring` (`--real-crypto`): real Ed25519 identities from src/identity/keys.ts.
 *
 * Both share one `addressOf` cache for all nodes (the engine calls it per received Update).
 */
import { addressFromX25519, maskPrefix, NODE_SUBNET_LEN } from '../src/identity/address.js';
import {
  identityFromSeed,
  type NodeIdentity,
  publicIdentityFromEd25519,
  sign,
  verify,
} from '../src/identity/keys.js';
import { bytesEqual } from '../src/util/bytes.js';
import { AE, type Prefix } from '../src/wire/babel/types.js';
import type { Rng } from './rng.js';

export const SIGNATURE_BYTES = 64;

export interface Keyring {
  readonly size: number;
  readonly realCrypto: boolean;
  publicKey(node: number): Uint8Array;
  address(node: number): Uint8Array;
  subnet(node: number): Prefix;
  /** Signs as `node` (only the driver calls this, on behalf of that node's engine). */
  sign(node: number, message: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** The overlay address a key owns, cached for all nodes. */
  addressOf(publicKey: Uint8Array): Uint8Array;
  /** The node index holding this key, or -1. */
  nodeOfKey(publicKey: Uint8Array): number;
  /** The node whose /64 this prefix is (exact match on a /64), or -1. */
  nodeOfPrefix(prefix: Prefix): number;
}

/** Reads bytes [off, off+6) as a non-negative integer below 2^48 (exact in a double). */
function read48(b: Uint8Array, off: number): number {
  return (
    b[off]! * 2 ** 40 +
    b[off + 1]! * 2 ** 32 +
    ((b[off + 2]! << 24) >>> 0) +
    (b[off + 3]! << 16) +
    (b[off + 4]! << 8) +
    b[off + 5]!
  );
}

/** Keyed 64-byte tag: two independent 32-bit multiply-xorshift lanes over the message, expanded. */
function keyedTag(secret0: number, secret1: number, message: Uint8Array): Uint8Array {
  let h1 = secret0 | 0;
  let h2 = secret1 | 0;
  for (let i = 0; i < message.length; i++) {
    const m = message[i]!;
    h1 = Math.imul(h1 ^ m, 0x01000193);
    h1 ^= h1 >>> 15;
    h2 = Math.imul((h2 + m) | 0, 0x85ebca6b);
    h2 ^= h2 >>> 13;
  }
  h1 = Math.imul(h1 ^ message.length, 0xc2b2ae35) ^ secret1;
  h2 = Math.imul(h2 ^ (h1 >>> 7), 0x27d4eb2f) ^ secret0;
  const out = new Uint8Array(SIGNATURE_BYTES);
  let x = h1;
  let y = h2;
  for (let i = 0; i < SIGNATURE_BYTES; i += 8) {
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d) + i;
    y = Math.imul(y ^ (y >>> 15), 0x846ca68b) ^ x;
    out[i] = x;
    out[i + 1] = x >>> 8;
    out[i + 2] = x >>> 16;
    out[i + 3] = x >>> 24;
    out[i + 4] = y;
    out[i + 5] = y >>> 8;
    out[i + 6] = y >>> 16;
    out[i + 7] = y >>> 24;
  }
  return out;
}

function subnetPrefix(address: Uint8Array): Prefix {
  return { ae: AE.IPv6, plen: NODE_SUBNET_LEN, addr: maskPrefix(address, NODE_SUBNET_LEN) };
}

/** Shared indexes from key and subnet to node, with collision-free 48-bit lookups. */
abstract class KeyIndex {
  protected readonly keys: Uint8Array[] = [];
  protected readonly addresses: Uint8Array[] = [];
  protected readonly subnets: Prefix[] = [];
  private readonly byKey48 = new Map<number, number>();
  private readonly bySubnet48 = new Map<number, number>();
  private readonly foreignAddresses = new Map<string, Uint8Array>();

  get size(): number {
    return this.keys.length;
  }
  publicKey(node: number): Uint8Array {
    return this.keys[node]!;
  }
  address(node: number): Uint8Array {
    return this.addresses[node]!;
  }
  subnet(node: number): Prefix {
    return this.subnets[node]!;
  }

  /** Adds a node if neither its key nor its subnet collides on 48 bits; returns false to ask for another key. */
  protected tryAdd(key: Uint8Array, address: Uint8Array): boolean {
    const k = read48(key, 0);
    const subnet = subnetPrefix(address);
    const s = read48(subnet.addr, 0); // first 6 bytes of the /64
    if (this.byKey48.has(k) || this.bySubnet48.has(s)) return false;
    const idx = this.keys.length;
    this.byKey48.set(k, idx);
    this.bySubnet48.set(s, idx);
    this.keys.push(key);
    this.addresses.push(address);
    this.subnets.push(subnet);
    return true;
  }

  nodeOfKey(publicKey: Uint8Array): number {
    if (publicKey.length !== 32) return -1;
    const idx = this.byKey48.get(read48(publicKey, 0));
    if (idx === undefined || !bytesEqual(this.keys[idx]!, publicKey)) return -1;
    return idx;
  }

  nodeOfPrefix(prefix: Prefix): number {
    if (prefix.ae !== AE.IPv6 || prefix.plen !== NODE_SUBNET_LEN || prefix.addr.length !== 16) return -1;
    const idx = this.bySubnet48.get(read48(prefix.addr, 0));
    if (idx === undefined) return -1;
    const own = this.subnets[idx]!.addr;
    for (let i = 0; i < 8; i++) if (own[i] !== prefix.addr[i]) return -1;
    return idx;
  }

  addressOf(publicKey: Uint8Array): Uint8Array {
    const idx = this.nodeOfKey(publicKey);
    if (idx >= 0) return this.addresses[idx]!;
    const hex = Buffer.from(publicKey).toString('hex');
    let a = this.foreignAddresses.get(hex);
    if (a === undefined) {
      a = this.deriveAddress(publicKey);
      this.foreignAddresses.set(hex, a);
    }
    return a;
  }

  protected abstract deriveAddress(publicKey: Uint8Array): Uint8Array;
}

/** Cheap deterministic stand-in for Ed25519 (see the file comment). */
export class SimKeyring extends KeyIndex implements Keyring {
  readonly realCrypto = false;
  private readonly secrets: Uint32Array;

  constructor(nodes: number, rng: Rng) {
    super();
    this.secrets = new Uint32Array(2 * nodes);
    for (let i = 0; i < nodes; i++) {
      for (;;) {
        const key = rng.bytes(new Uint8Array(32));
        if (this.tryAdd(key, this.deriveAddress(key))) break;
      }
      this.secrets[2 * i] = rng.nextU32();
      this.secrets[2 * i + 1] = rng.nextU32();
    }
  }

  protected deriveAddress(publicKey: Uint8Array): Uint8Array {
    // The key stands in for the X25519 key: same derivation as src/identity, so it lands in 400::/7.
    return addressFromX25519(publicKey);
  }

  sign(node: number, message: Uint8Array): Uint8Array {
    return keyedTag(this.secrets[2 * node]!, this.secrets[2 * node + 1]!, message);
  }

  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const idx = this.nodeOfKey(publicKey);
    if (idx < 0 || signature.length !== SIGNATURE_BYTES) return false;
    return bytesEqual(keyedTag(this.secrets[2 * idx]!, this.secrets[2 * idx + 1]!, message), signature);
  }
}

/** Real Ed25519 identities (slow: for runs of a few dozen nodes). */
export class RealKeyring extends KeyIndex implements Keyring {
  readonly realCrypto = true;
  private readonly identities: NodeIdentity[] = [];

  constructor(nodes: number, rng: Rng) {
    super();
    for (let i = 0; i < nodes; i++) {
      for (;;) {
        const id = identityFromSeed(rng.bytes(new Uint8Array(32)));
        if (this.tryAdd(id.publicKey, id.address)) {
          this.identities.push(id);
          break;
        }
      }
    }
  }

  protected deriveAddress(publicKey: Uint8Array): Uint8Array {
    try {
      return publicIdentityFromEd25519(publicKey).address;
    } catch {
      return new Uint8Array(16); // not a valid key: an address outside 400::/7
    }
  }

  sign(node: number, message: Uint8Array): Uint8Array {
    return sign(this.identities[node]!, message);
  }

  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    return verify(publicKey, message, signature);
  }
}
