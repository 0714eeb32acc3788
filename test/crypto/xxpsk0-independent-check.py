#!/usr/bin/env python3
"""Independent re-derivation of test/vectors/link-handshake.json with pyca/cryptography.

Written from the Noise specification (rev 34) and docs/protocol/link-handshake.md, sharing no code
with src/crypto. Run by hand: python3 test/crypto/xxpsk0-independent-check.py
"""
import hashlib, hmac, json, pathlib, struct
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes, serialization

V = json.loads((pathlib.Path(__file__).parent.parent / 'vectors' / 'link-handshake.json').read_text())
I = V['inputs']
P = 2**255 - 19
H = lambda *p: hashlib.sha256(b''.join(p)).digest()
M = lambda k, *p: hmac.new(k, b''.join(p), hashlib.sha256).digest()

def rnd(label):
    c = 0
    def take(n):
        nonlocal c
        out = b''
        while len(out) < n:
            out += H(label.encode(), struct.pack('>I', c)); c += 1
        return out[:n]
    return take

def ed_pub(seed):
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

def x_secret(seed):
    h = bytearray(hashlib.sha512(seed).digest()[:32]); h[0] &= 248; h[31] &= 127; h[31] |= 64
    return bytes(h)

def ed_to_x(pub):
    y = int.from_bytes(pub, 'little') & ((1 << 255) - 1)
    return ((1 + y) * pow(1 - y, P - 2, P) % P).to_bytes(32, 'little')

def xpub(sk): return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
def dh(sk, pk): return X25519PrivateKey.from_private_bytes(sk).exchange(X25519PublicKey.from_public_bytes(pk))

def hkdf(ck, ikm, n):
    t = M(ck, ikm); o = [M(t, b'\x01')]
    for i in range(2, n + 1): o.append(M(t, o[-1], bytes([i])))
    return o

class SS:
    def __init__(s):
        s.h = H(b'Noise_XXpsk0_25519_ChaChaPoly_SHA256'); s.ck = s.h; s.k = None; s.n = 0
    def mh(s, d): s.h = H(s.h, d)
    def mk(s, ikm): s.ck, s.k = hkdf(s.ck, ikm, 2); s.n = 0
    def mkh(s, ikm):
        s.ck, th, s.k = hkdf(s.ck, ikm, 3); s.mh(th); s.n = 0
    def enc(s, pt):
        ct = ChaCha20Poly1305(s.k).encrypt(b'\0' * 4 + struct.pack('<Q', s.n), pt, s.h); s.n += 1; s.mh(ct); return ct

seed_i, seed_r = bytes.fromhex(I['initiatorSeed']), bytes.fromhex(I['responderSeed'])
psk = HKDF(hashes.SHA256(), 32, b'hypha network', I['networkName'].encode()).derive(bytes.fromhex(I['psk']))
assert psk.hex() == V['networkKey'], 'network key'
assert H(b'hypha public network v1').hex() == V['publicNetworkKey']
mac1k, cookiek = H(b'mac1', psk), H(b'cookie', psk)
assert mac1k.hex() == V['mac1Key'] and cookiek.hex() == V['cookieKey']
ei, er = rnd(I['initiatorRandom'])(32), rnd(I['responderRandom'])(32)
si, sr = x_secret(seed_i), x_secret(seed_r)
Ei, Er = ed_pub(seed_i), ed_pub(seed_r)
assert Ei.hex() == V['initiatorPublicKey'] and Er.hex() == V['responderPublicKey']
mac = lambda k, d: M(k, d)[:16]

ss = SS(); ss.mh(b'hypha link v1')
ss.mkh(psk); e1 = xpub(ei); ss.mh(e1); ss.mk(e1); t1 = ss.enc(b'')
f1 = bytes([1, 0, 0, 0]) + struct.pack('>I', I['initiatorIndex']) + e1 + t1
f1 += mac(mac1k, f1) + b'\0' * 16
assert f1.hex() == V['initiation'], 'msg1'

e2 = xpub(er); ss.mh(e2); ss.mk(e2); ss.mk(dh(er, e1)); s2 = ss.enc(Er); ss.mk(dh(sr, e1)); t2 = ss.enc(b'')
f2 = bytes([2, 0, 0, 0]) + struct.pack('>II', I['responderIndex'], I['initiatorIndex']) + e2 + s2 + t2
f2 += mac(mac1k, f2) + b'\0' * 16
assert f2.hex() == V['response'], 'msg2'

s3 = ss.enc(Ei); ss.mk(dh(er, ed_to_x(Ei))); t3 = ss.enc(b'')
f3 = bytes([7, 0, 0, 0]) + struct.pack('>I', I['responderIndex']) + s3 + t3
f3 += mac(mac1k, f3) + b'\0' * 16
assert f3.hex() == V['finish'], 'msg3'
assert ss.h.hex() == V['handshakeHash']
k1, k2 = hkdf(ss.ck, b'', 2)
assert k1.hex() == V['initiatorToResponderKey'] and k2.hex() == V['responderToInitiatorKey']
# Sanity of the Ed25519 → X25519 map: the responder's DH with the converted key equals the initiator's own.
assert dh(er, ed_to_x(Ei)) == dh(si, e2)

# Transport: header = type 4, reserved, receiver index, counter (BE); AEAD nonce 0^4 || counter BE; AD = header.
def transport(key, rx, ctr, pt):
    hdr = bytes([4, 0, 0, 0]) + struct.pack('>IQ', rx, ctr)
    return hdr + ChaCha20Poly1305(key).encrypt(b'\0' * 4 + struct.pack('>Q', ctr), pt, hdr)
assert transport(k1, I['responderIndex'], 0, b'\x01' + bytes.fromhex(I['controlBody'])).hex() == V['transportInitiatorControl']
assert transport(k2, I['initiatorIndex'], 0, b'\x00').hex() == V['transportResponderKeepalive']

# CookieReply: secret and nonce from the cookie randomness; cookie = HMAC(secret, ip || port)[:16].
cr = rnd(I['cookieRandom']); secret = cr(32); nonce = cr(24)
cookie = M(secret, bytes.fromhex(I['source']['ipHex']) + struct.pack('>H', I['source']['port']))[:16]
sealed = ChaCha20Poly1305(M(cookiek, nonce)).encrypt(b'\0' * 12, cookie, f1[56:72])
assert (bytes([3, 0, 0, 0]) + struct.pack('>I', I['initiatorIndex']) + nonce + sealed).hex() == V['cookieReply']
print('link-handshake.json: every value re-derived independently')
