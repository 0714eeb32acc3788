import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CipherState,
  type HandshakePattern,
  HandshakeState,
  PATTERN_XX,
  X25519,
} from '../../src/crypto/noise.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

interface Vector {
  name: string;
  init_prologue: string;
  init_psk?: string;
  init_static?: string;
  init_ephemeral: string;
  init_remote_static?: string;
  resp_prologue: string;
  resp_psk?: string;
  resp_static?: string;
  resp_ephemeral: string;
  messages: { payload: string; ciphertext: string }[];
}
const file = JSON.parse(
  readFileSync(new URL('../vectors/noise-cacophony.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

const PATTERNS: Record<string, HandshakePattern> = {
  XX: PATTERN_XX,
  XXpsk3: {
    name: 'XXpsk3',
    preInitiator: [],
    preResponder: [],
    messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se', 'psk']],
  },
  NKpsk0: {
    name: 'NKpsk0',
    preInitiator: [],
    preResponder: ['s'],
    messages: [
      ['psk', 'e', 'es'],
      ['e', 'ee'],
    ],
  },
};

const h = (s: string) => fromHex(s)!;
const noRandom = () => {
  throw new Error('vectors fix every ephemeral');
};

/** Standard Noise statics: the `s` token carries the X25519 public key itself. */
function staticOf(secretHex: string | undefined) {
  if (!secretHex) return undefined;
  const secret = h(secretHex);
  return { secret, publicBytes: X25519.publicKey(secret) };
}

describe('Noise core against cacophony vectors (25519_ChaChaPoly_SHA256)', () => {
  it('RFC 7748 §6.1 X25519 public keys and shared secret', () => {
    const a = h('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const b = h('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(toHex(X25519.publicKey(a))).toBe(
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    expect(toHex(X25519.dh(a, X25519.publicKey(b))!)).toBe(
      '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    );
    expect(X25519.dh(a, new Uint8Array(32))).toBeUndefined(); // all-zero output refused
  });

  for (const v of file.vectors) {
    it(v.name, () => {
      const patternName = v.name.split('_')[1]!;
      const pattern = PATTERNS[patternName]!;
      const initiator = new HandshakeState({
        protocolName: v.name,
        pattern,
        initiator: true,
        prologue: h(v.init_prologue),
        s: staticOf(v.init_static),
        rs: v.init_remote_static ? h(v.init_remote_static) : undefined,
        psk: v.init_psk ? h(v.init_psk) : undefined,
        e: h(v.init_ephemeral),
        randomBytes: noRandom,
      });
      const responder = new HandshakeState({
        protocolName: v.name,
        pattern,
        initiator: false,
        prologue: h(v.resp_prologue),
        s: staticOf(v.resp_static),
        psk: v.resp_psk ? h(v.resp_psk) : undefined,
        e: h(v.resp_ephemeral),
        randomBytes: noRandom,
      });
      const n = pattern.messages.length;
      for (let i = 0; i < n; i++) {
        const [w, r] = i % 2 === 0 ? [initiator, responder] : [responder, initiator];
        const msg = w.writeMessage(h(v.messages[i]!.payload));
        expect(toHex(msg)).toBe(v.messages[i]!.ciphertext);
        const got = r.readMessage(msg);
        expect(got.ok && toHex(got.payload)).toBe(v.messages[i]!.payload);
      }
      expect(toHex(initiator.getHandshakeHash())).toBe(toHex(responder.getHandshakeHash()));
      const [i1, i2] = initiator.split();
      const [r1, r2] = responder.split();
      const iSend = new CipherState(i1);
      const iRecv = new CipherState(i2);
      const rSend = new CipherState(r2);
      const rRecv = new CipherState(r1);
      const empty = new Uint8Array(0);
      for (let i = n; i < v.messages.length; i++) {
        const fromInitiator = i % 2 === 0;
        const [send, recv] = fromInitiator ? [iSend, rRecv] : [rSend, iRecv];
        const ct = send.encryptWithAd(empty, h(v.messages[i]!.payload));
        expect(toHex(ct)).toBe(v.messages[i]!.ciphertext);
        expect(toHex(recv.decryptWithAd(empty, ct)!)).toBe(v.messages[i]!.payload);
      }
    });
  }
});
