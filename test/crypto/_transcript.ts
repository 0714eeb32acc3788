/**
 * Builds the known-answer transcript of test/vectors/link-handshake.json: a full handshake between
 * two fixed identities with fixed randomness, one transport frame each way, and a CookieReply.
 * Regenerate (only when the construction changes on purpose) with:
 *   npx tsx test/crypto/_transcript.ts > test/vectors/link-handshake.json
 */
import { CookieChecker, CookieGenerator, endpointBytes } from '../../src/crypto/cookie.js';
import {
  consumeFinish,
  consumeInitiation,
  consumeResponse,
  createFinish,
  createHandshakeContext,
  createInitiation,
  createResponse,
} from '../../src/crypto/handshake.js';
import { networkKeys, privateNetworkKey, publicNetworkKey } from '../../src/crypto/network-key.js';
import { encryptTransport } from '../../src/crypto/transport.js';
import { identityFromSeed } from '../../src/identity/keys.js';
import { toHex } from '../../src/util/bytes.js';
import { ContentType } from '../../src/wire/link/constants.js';
import { seededRandom } from './_handshake-helpers.js';

export const TRANSCRIPT_INPUTS = {
  initiatorSeed: '01'.repeat(32),
  responderSeed: '02'.repeat(32),
  psk: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  networkName: 'lab',
  initiatorRandom: 'hypha-kat-initiator',
  responderRandom: 'hypha-kat-responder',
  cookieRandom: 'hypha-kat-cookie',
  initiatorIndex: 0x0a0b0c0d,
  responderIndex: 0x01020304,
  now: 1000,
  source: { ip: 'fd00:198:18::1', ipHex: 'fd000198001800000000000000000001', port: 9651 },
  controlBody: '2a020000',
};

export function transcript() {
  const t = TRANSCRIPT_INPUTS;
  const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
  const a = identityFromSeed(hex(t.initiatorSeed));
  const b = identityFromSeed(hex(t.responderSeed));
  const networkKey = privateNetworkKey(hex(t.psk), t.networkName);
  const keys = networkKeys(networkKey);
  const ia = createHandshakeContext(a, keys, seededRandom(t.initiatorRandom));
  const rb = createHandshakeContext(b, keys, seededRandom(t.responderRandom));
  const source = endpointBytes(hex(t.source.ipHex), t.source.port);
  const m1 = createInitiation(ia, t.initiatorIndex, t.now, new CookieGenerator(keys));
  const c1 = consumeInitiation(rb, m1.frame, { now: t.now, source });
  if (!c1.ok) throw new Error(c1.reason);
  const m2 = createResponse(rb, c1.initiation, t.responderIndex, t.now);
  if (!m2.ok) throw new Error(m2.reason);
  const c2 = consumeResponse(ia, m1.handshake, m2.frame, { now: t.now, source });
  if (!c2.ok) throw new Error(c2.reason);
  const m3 = createFinish(ia, c2.handshake, t.now);
  const c3 = consumeFinish(rb, m2.handshake, m3.frame, { now: t.now });
  if (!c3.ok) throw new Error(c3.reason);
  const ki = m3.keypair;
  const kr = c3.keypair;
  const t1 = encryptTransport(ki, ContentType.Control, hex(t.controlBody), t.now);
  const t2 = encryptTransport(kr, ContentType.Keepalive, new Uint8Array(0), t.now);
  if (!t1.ok || !t2.ok) throw new Error('transport');
  const checker = new CookieChecker(keys, seededRandom(t.cookieRandom));
  const cookieReply = checker.createReply(m1.frame, t.initiatorIndex, source, t.now);
  return {
    description:
      'hypha link handshake known answers (docs/protocol/link-handshake.md): Noise_XXpsk0_25519_ChaChaPoly_SHA256, prologue "hypha link v1", Ed25519 statics. Randomness: randomBytes(n) returns the first n bytes of SHA-256(label || counter as u32 big-endian) blocks, counter from 0 per label. Computed by this implementation; no outside source exists for this variant.',
    inputs: t,
    initiatorPublicKey: toHex(a.publicKey),
    responderPublicKey: toHex(b.publicKey),
    networkKey: toHex(networkKey),
    publicNetworkKey: toHex(publicNetworkKey()),
    mac1Key: toHex(keys.mac1Key),
    cookieKey: toHex(keys.cookieKey),
    initiation: toHex(m1.frame),
    response: toHex(m2.frame),
    finish: toHex(m3.frame),
    handshakeHash: toHex(ki.handshakeHash),
    initiatorToResponderKey: toHex(ki.sendKey.key.export()),
    responderToInitiatorKey: toHex(kr.sendKey.key.export()),
    transportInitiatorControl: toHex(t1.frame),
    transportResponderKeepalive: toHex(t2.frame),
    cookieReply: toHex(cookieReply),
  };
}

if (process.argv[1]?.endsWith('_transcript.ts')) {
  process.stdout.write(`${JSON.stringify(transcript(), null, 2)}\n`);
}
