/**
 * The Noise Protocol Framework core (revision 34), in the spec's own words: CipherState (§5.1),
 * SymmetricState (§5.2) and a token-driven HandshakeState (§5.3) for the cipher suite
 * 25519 / ChaChaPoly / SHA256. src/crypto/handshake.ts runs it for hypha's XXpsk0 link handshake;
 * tests run it for standard patterns against published vectors.
 *
 * Two hooks let hypha differ from plain Noise without forking the core:
 * - `s.publicBytes` is what an `s` token carries (hypha: the Ed25519 identity key), while
 *   `s.secret` is the X25519 scalar used for DH;
 * - `remoteStaticToDh` turns the received `s` bytes into the X25519 key used for DH (hypha: the
 *   Montgomery form of the Ed25519 key, refusing small-order points). Without it, the bytes are the
 *   X25519 key, as in standard Noise.
 *
 * The cipher here is Noise's ChaChaPoly (§12.3): the nonce is 4 zero bytes then the counter n as a
 * **little-endian** u64. src/crypto/aead.ts encodes counters big-endian (hypha's transport
 * convention), so the handshake seals with its own few lines over node:crypto; the transport keys
 * that split() returns are used through aead.ts (see transport.ts).
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
} from 'node:crypto';
import { DH_LEN, HASH_LEN, KEY_LEN, TAG_LEN } from './constants.js';
import { clean, noiseHkdf, sha256 } from './kdf.js';

// ---------------------------------------------------------------------------------------------
// DH functions (Noise §4.1, §12.1): X25519 on node:crypto
// ---------------------------------------------------------------------------------------------

/** The DH functions a handshake uses; tests inject a counting wrapper. */
export interface DhFunctions {
  /** Returns the X25519 public key of a 32-byte secret (RFC 7748 §6.1). */
  publicKey(secret: Uint8Array): Uint8Array;
  /** Returns X25519(secret, publicKey), or undefined when the result is all zero (low-order input). */
  dh(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined;
}

// DER wrappers for raw X25519 keys (RFC 8410): PKCS#8 private and SPKI public.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function privateKeyObject(secret: Uint8Array): KeyObject {
  if (secret.length !== DH_LEN)
    throw new RangeError(`X25519 secret must be ${DH_LEN} bytes, got ${secret.length}`);
  const der = Buffer.concat([PKCS8_PREFIX, secret]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/**
 * X25519 on OpenSSL: measured here ~0.1 ms per DH against ~5 ms for @noble/curves' x25519.
 * OpenSSL refuses an all-zero shared secret (a small-order public key); that is mapped to undefined,
 * and the result is also checked here so the guarantee does not rest on the provider alone.
 */
export const X25519: DhFunctions = {
  publicKey(secret) {
    const spki = createPublicKey(privateKeyObject(secret)).export({ format: 'der', type: 'spki' });
    return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  },
  dh(secret, publicKey) {
    if (publicKey.length !== DH_LEN) return undefined;
    let shared: Buffer;
    try {
      shared = diffieHellman({
        privateKey: privateKeyObject(secret),
        publicKey: createPublicKey({
          key: Buffer.concat([SPKI_PREFIX, publicKey]),
          format: 'der',
          type: 'spki',
        }),
      });
    } catch {
      return undefined;
    }
    let acc = 0;
    for (let i = 0; i < shared.length; i++) acc |= shared[i]!;
    const out = acc === 0 ? undefined : new Uint8Array(shared);
    shared.fill(0);
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// Cipher functions (Noise §12.3 ChaChaPoly) and CipherState (§5.1)
// ---------------------------------------------------------------------------------------------

/** The largest nonce this implementation uses; Noise allows 2^64 - 2, exact JS numbers stop here. */
const MAX_NONCE = Number.MAX_SAFE_INTEGER - 1;

function noiseNonce(n: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32LE(n >>> 0, 4);
  nonce.writeUInt32LE(Math.floor(n / 0x1_0000_0000), 8);
  return nonce;
}

/** ENCRYPT(k, n, ad, plaintext): ChaCha20-Poly1305 (RFC 8439) with Noise's little-endian nonce. */
export function chachaPolyEncrypt(
  k: Uint8Array,
  n: number,
  ad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const cipher = createCipheriv('chacha20-poly1305', k, noiseNonce(n), { authTagLength: TAG_LEN });
  cipher.setAAD(ad, { plaintextLength: plaintext.length });
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return new Uint8Array(Buffer.concat([head, tail, cipher.getAuthTag()]));
}

/** DECRYPT(k, n, ad, ciphertext): the plaintext, or undefined when the tag does not verify. */
export function chachaPolyDecrypt(
  k: Uint8Array,
  n: number,
  ad: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array | undefined {
  if (ciphertext.length < TAG_LEN) return undefined;
  const ctLen = ciphertext.length - TAG_LEN;
  const decipher = createDecipheriv('chacha20-poly1305', k, noiseNonce(n), { authTagLength: TAG_LEN });
  decipher.setAAD(ad, { plaintextLength: ctLen });
  decipher.setAuthTag(ciphertext.subarray(ctLen));
  const head = decipher.update(ciphertext.subarray(0, ctLen));
  try {
    const tail = decipher.final();
    return new Uint8Array(Buffer.concat([head, tail]));
  } catch {
    head.fill(0);
    return undefined;
  }
}

/** Noise §5.1: a key k (or none) and a nonce n. */
export class CipherState {
  private k: Uint8Array | undefined;
  private n = 0;

  constructor(k?: Uint8Array) {
    if (k) this.initializeKey(k);
  }

  /** Sets k (copied) and resets n to 0. */
  initializeKey(key: Uint8Array): void {
    if (key.length !== KEY_LEN)
      throw new RangeError(`cipher key must be ${KEY_LEN} bytes, got ${key.length}`);
    clean(this.k);
    this.k = Uint8Array.from(key);
    this.n = 0;
  }

  hasKey(): boolean {
    return this.k !== undefined;
  }

  /** The next nonce this state will use. */
  get nonce(): number {
    return this.n;
  }

  /** Encrypts with the current nonce and increments it; without a key, returns a copy of the plaintext. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (!this.k) return Uint8Array.from(plaintext);
    if (this.n > MAX_NONCE) throw new RangeError('nonce exhausted');
    const out = chachaPolyEncrypt(this.k, this.n, ad, plaintext);
    this.n++;
    return out;
  }

  /** Decrypts with the current nonce; increments it only on success (§5.1). Undefined on failure. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
    if (!this.k) return Uint8Array.from(ciphertext);
    if (this.n > MAX_NONCE) return undefined;
    const out = chachaPolyDecrypt(this.k, this.n, ad, ciphertext);
    if (out) this.n++;
    return out;
  }

  clone(): CipherState {
    const c = new CipherState(this.k);
    c.n = this.n;
    return c;
  }

  /** Wipes the key. */
  clean(): void {
    clean(this.k);
    this.k = undefined;
    this.n = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// SymmetricState (§5.2)
// ---------------------------------------------------------------------------------------------

/** Noise §5.2: the chaining key ck, the handshake hash h and a CipherState. */
export class SymmetricState {
  private ck: Uint8Array;
  private h: Uint8Array;
  private cs = new CipherState();

  /** InitializeSymmetric(protocol_name). */
  constructor(protocolName: Uint8Array) {
    if (protocolName.length <= HASH_LEN) {
      this.h = new Uint8Array(HASH_LEN);
      this.h.set(protocolName);
    } else {
      this.h = sha256(protocolName);
    }
    this.ck = Uint8Array.from(this.h);
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, tempK] = noiseHkdf(this.ck, ikm, 2);
    clean(this.ck);
    this.ck = ck;
    this.cs.initializeKey(tempK);
    clean(tempK);
  }

  mixHash(data: Uint8Array): void {
    const h = sha256(this.h, data);
    this.h = h;
  }

  /** For psk tokens (§9.2). */
  mixKeyAndHash(ikm: Uint8Array): void {
    const [ck, tempH, tempK] = noiseHkdf(this.ck, ikm, 3);
    clean(this.ck);
    this.ck = ck;
    this.mixHash(tempH);
    this.cs.initializeKey(tempK);
    clean(tempH, tempK);
  }

  /** A copy of h. */
  getHandshakeHash(): Uint8Array {
    return Uint8Array.from(this.h);
  }

  hasKey(): boolean {
    return this.cs.hasKey();
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ct = this.cs.encryptWithAd(this.h, plaintext);
    this.mixHash(ct);
    return ct;
  }

  /** Undefined when the tag fails; the state is then unchanged except for nothing (h is not mixed). */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array | undefined {
    const pt = this.cs.decryptWithAd(this.h, ciphertext);
    if (!pt) return undefined;
    this.mixHash(ciphertext);
    return pt;
  }

  /** Split(): the two transport keys [initiator→responder, responder→initiator]; wipes ck and k. */
  split(): [Uint8Array, Uint8Array] {
    const [k1, k2] = noiseHkdf(this.ck, new Uint8Array(0), 2);
    this.clean();
    return [k1, k2];
  }

  clone(): SymmetricState {
    const c = Object.create(SymmetricState.prototype) as SymmetricState;
    c.ck = Uint8Array.from(this.ck);
    c.h = Uint8Array.from(this.h);
    c.cs = this.cs.clone();
    return c;
  }

  /** Wipes ck and the cipher key (h is public to both sides and kept). */
  clean(): void {
    clean(this.ck);
    this.cs.clean();
  }
}

// ---------------------------------------------------------------------------------------------
// HandshakeState (§5.3)
// ---------------------------------------------------------------------------------------------

export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';

/** A handshake pattern (§7): pre-messages and messages, initiator first, alternating. */
export interface HandshakePattern {
  readonly name: string;
  readonly preInitiator: readonly ('e' | 's')[];
  readonly preResponder: readonly ('e' | 's')[];
  readonly messages: readonly (readonly Token[])[];
}

/** XX (§7.5): `-> e` / `<- e, ee, s, es` / `-> s, se`. */
export const PATTERN_XX: HandshakePattern = {
  name: 'XX',
  preInitiator: [],
  preResponder: [],
  messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']],
};
/** XXpsk0 (§9.3): XX with `psk` first in the first message; hypha's link handshake. */
export const PATTERN_XX_PSK0: HandshakePattern = {
  name: 'XXpsk0',
  preInitiator: [],
  preResponder: [],
  messages: [
    ['psk', 'e'],
    ['e', 'ee', 's', 'es'],
    ['s', 'se'],
  ],
};

/** A local static key: the bytes an `s` token sends, and the X25519 secret used for DH with it. */
export interface LocalStatic {
  readonly publicBytes: Uint8Array;
  readonly secret: Uint8Array;
}

export interface HandshakeStateOptions {
  readonly protocolName: string;
  readonly pattern: HandshakePattern;
  readonly initiator: boolean;
  readonly prologue: Uint8Array;
  readonly s?: LocalStatic;
  /** The remote static bytes, for patterns whose pre-message carries it. */
  readonly rs?: Uint8Array;
  readonly psk?: Uint8Array;
  /** A fixed ephemeral secret (known-answer tests); otherwise 32 bytes from randomBytes. */
  readonly e?: Uint8Array;
  readonly randomBytes: (n: number) => Uint8Array;
  readonly dh?: DhFunctions;
  /** Maps received static bytes to an X25519 public key, or undefined to refuse them. Default: identity. */
  readonly remoteStaticToDh?: (bytes: Uint8Array) => Uint8Array | undefined;
}

/** Why readMessage refused a message. */
export type ReadFailure = 'short' | 'bad-static' | 'low-order' | 'decrypt' | 'state';

/** Noise §5.3, driven by the tokens of a pattern. Not safe to reuse after split() or clean(). */
export class HandshakeState {
  private ss: SymmetricState;
  private s: LocalStatic | undefined;
  private eSecret: Uint8Array | undefined;
  private ePublic: Uint8Array | undefined;
  private fixedE: Uint8Array | undefined;
  /** Remote static as received (what `s` carried) and as used for DH. */
  private rsBytes: Uint8Array | undefined;
  private rsDh: Uint8Array | undefined;
  private re: Uint8Array | undefined;
  private psk: Uint8Array | undefined;
  private index = 0;
  private readonly pskMode: boolean;
  private readonly opts: HandshakeStateOptions;
  private readonly dhf: DhFunctions;

  constructor(opts: HandshakeStateOptions) {
    this.opts = opts;
    this.dhf = opts.dh ?? X25519;
    this.pskMode = opts.pattern.messages.some((m) => m.includes('psk'));
    if (this.pskMode && opts.psk?.length !== KEY_LEN) throw new RangeError(`psk must be ${KEY_LEN} bytes`);
    this.psk = opts.psk ? Uint8Array.from(opts.psk) : undefined;
    this.s = opts.s;
    this.fixedE = opts.e;
    this.ss = new SymmetricState(new TextEncoder().encode(opts.protocolName));
    this.ss.mixHash(opts.prologue);
    // Pre-messages (§7): the initiator's first, then the responder's. Only `s` is supported.
    const mixPre = (tokens: readonly ('e' | 's')[], ours: boolean) => {
      for (const t of tokens) {
        if (t !== 's') throw new TypeError('pre-message ephemeral keys are not supported');
        if (ours) {
          if (!this.s) throw new TypeError('pattern needs a local static key');
          this.ss.mixHash(this.s.publicBytes);
        } else {
          if (!opts.rs) throw new TypeError('pattern needs the remote static key');
          this.acceptRemoteStatic(opts.rs);
          this.ss.mixHash(opts.rs);
        }
      }
    };
    mixPre(opts.pattern.preInitiator, opts.initiator);
    mixPre(opts.pattern.preResponder, !opts.initiator);
  }

  private acceptRemoteStatic(bytes: Uint8Array): boolean {
    const dhKey = this.opts.remoteStaticToDh ? this.opts.remoteStaticToDh(bytes) : Uint8Array.from(bytes);
    if (!dhKey || dhKey.length !== DH_LEN) return false;
    this.rsBytes = Uint8Array.from(bytes);
    this.rsDh = dhKey;
    return true;
  }

  /** True when every message of the pattern has been written or read. */
  get isComplete(): boolean {
    return this.index >= this.opts.pattern.messages.length;
  }

  /** True when the next message is ours to write. */
  get isMyTurn(): boolean {
    return (this.index % 2 === 0) === this.opts.initiator;
  }

  /** The remote static key as its `s` token carried it (hypha: the Ed25519 key), once known. */
  get remoteStatic(): Uint8Array | undefined {
    return this.rsBytes;
  }

  /** The remote static key's X25519 form, once known. */
  get remoteStaticDh(): Uint8Array | undefined {
    return this.rsDh;
  }

  get remoteEphemeral(): Uint8Array | undefined {
    return this.re;
  }

  get localEphemeral(): Uint8Array | undefined {
    return this.ePublic;
  }

  getHandshakeHash(): Uint8Array {
    return this.ss.getHandshakeHash();
  }

  /** The DH of a token, or undefined when a key is missing or the result is all zero. */
  private dhToken(token: 'ee' | 'es' | 'se' | 'ss'): Uint8Array | undefined {
    const i = this.opts.initiator;
    // `es`: initiator's e with responder's s; `se`: initiator's s with responder's e (§5.3).
    let mine: Uint8Array | undefined;
    let theirs: Uint8Array | undefined;
    switch (token) {
      case 'ee':
        mine = this.eSecret;
        theirs = this.re;
        break;
      case 'es':
        mine = i ? this.eSecret : this.s?.secret;
        theirs = i ? this.rsDh : this.re;
        break;
      case 'se':
        mine = i ? this.s?.secret : this.eSecret;
        theirs = i ? this.re : this.rsDh;
        break;
      case 'ss':
        mine = this.s?.secret;
        theirs = this.rsDh;
        break;
    }
    if (!mine || !theirs) return undefined;
    return this.dhf.dh(mine, theirs);
  }

  /** WriteMessage(payload): returns the message bytes. Throws on misuse (wrong turn, missing keys). */
  writeMessage(payload: Uint8Array): Uint8Array {
    if (this.isComplete || !this.isMyTurn) throw new Error('not this side’s turn to write');
    const parts: Uint8Array[] = [];
    for (const token of this.opts.pattern.messages[this.index]!) {
      switch (token) {
        case 'e': {
          this.eSecret = this.fixedE ? Uint8Array.from(this.fixedE) : this.opts.randomBytes(DH_LEN);
          if (this.eSecret.length !== DH_LEN) throw new RangeError('randomBytes returned the wrong length');
          this.ePublic = this.dhf.publicKey(this.eSecret);
          parts.push(this.ePublic);
          this.ss.mixHash(this.ePublic);
          if (this.pskMode) this.ss.mixKey(this.ePublic);
          break;
        }
        case 's':
          if (!this.s) throw new TypeError('pattern needs a local static key');
          parts.push(this.ss.encryptAndHash(this.s.publicBytes));
          break;
        case 'psk':
          this.ss.mixKeyAndHash(this.psk!);
          break;
        default: {
          const shared = this.dhToken(token);
          if (!shared) throw new Error(`DH for ${token} failed (missing key or low-order point)`);
          this.ss.mixKey(shared);
          clean(shared);
        }
      }
    }
    parts.push(this.ss.encryptAndHash(payload));
    this.index++;
    return new Uint8Array(Buffer.concat(parts));
  }

  /**
   * ReadMessage(message): returns the payload, or why it was refused. All or nothing: the message
   * is processed on a copy of the state that replaces this one only on success, so a forged
   * message cannot spoil a handshake in progress.
   */
  readMessage(message: Uint8Array): { ok: true; payload: Uint8Array } | { ok: false; reason: ReadFailure } {
    if (this.isComplete || this.isMyTurn) return { ok: false, reason: 'state' };
    const trial = Object.assign(Object.create(HandshakeState.prototype), this) as HandshakeState;
    trial.ss = this.ss.clone();
    const result = trial.readInPlace(message);
    if (!result.ok) {
      trial.ss.clean();
      return result;
    }
    this.ss.clean();
    this.ss = trial.ss;
    this.re = trial.re;
    this.rsBytes = trial.rsBytes;
    this.rsDh = trial.rsDh;
    this.index = trial.index;
    return result;
  }

  private readInPlace(
    message: Uint8Array,
  ): { ok: true; payload: Uint8Array } | { ok: false; reason: ReadFailure } {
    let at = 0;
    for (const token of this.opts.pattern.messages[this.index]!) {
      switch (token) {
        case 'e': {
          if (message.length < at + DH_LEN) return { ok: false, reason: 'short' };
          this.re = Uint8Array.from(message.subarray(at, at + DH_LEN));
          at += DH_LEN;
          this.ss.mixHash(this.re);
          if (this.pskMode) this.ss.mixKey(this.re);
          break;
        }
        case 's': {
          const len = DH_LEN + (this.ss.hasKey() ? TAG_LEN : 0);
          if (message.length < at + len) return { ok: false, reason: 'short' };
          const bytes = this.ss.decryptAndHash(message.subarray(at, at + len));
          at += len;
          if (!bytes) return { ok: false, reason: 'decrypt' };
          if (!this.acceptRemoteStatic(bytes)) return { ok: false, reason: 'bad-static' };
          break;
        }
        case 'psk':
          this.ss.mixKeyAndHash(this.psk!);
          break;
        default: {
          const shared = this.dhToken(token);
          if (!shared) return { ok: false, reason: 'low-order' };
          this.ss.mixKey(shared);
          clean(shared);
        }
      }
    }
    const payload = this.ss.decryptAndHash(message.subarray(at));
    if (!payload) return { ok: false, reason: 'decrypt' };
    this.index++;
    return { ok: true, payload };
  }

  /**
   * Split() once the pattern is complete: [initiator→responder, responder→initiator] keys. Wipes
   * the ephemeral secret, the chaining key and the psk; the handshake hash stays readable.
   */
  split(): [Uint8Array, Uint8Array] {
    if (!this.isComplete) throw new Error('handshake not complete');
    const keys = this.ss.split();
    this.wipeSecrets();
    return keys;
  }

  private wipeSecrets(): void {
    clean(this.eSecret, this.psk);
    this.eSecret = undefined;
    this.psk = undefined;
  }

  /** Abandons the handshake: wipes every secret it holds (not the caller's long-term static key). */
  clean(): void {
    this.ss.clean();
    this.wipeSecrets();
    this.index = this.opts.pattern.messages.length + 1;
  }
}
