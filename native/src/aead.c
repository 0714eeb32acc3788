/*
 * hypha_aead: AES-256-GCM and ChaCha20-Poly1305 through the OpenSSL that Node itself links (the
 * library behind node:crypto), with one cipher context per key instead of one per packet.
 *
 * node:crypto creates and initialises a Cipheriv object (and its EVP_CIPHER_CTX, key schedule
 * included) for every message, and Buffer.concat()s the result; per 1400-byte packet that costs
 * several times the encryption itself. Here a key is set up once and each packet only sets the
 * nonce. src/crypto/aead.ts uses this when it is built and node:crypto otherwise; tests check
 * that both produce the same bytes.
 *
 *   create(algorithm, key32, forSealing) -> context      algorithm 0 = aes-256-gcm, 1 = chacha20-poly1305
 *   seal(ctx, counterHigh, counterLow, ad, plain, out, outOffset) -> bytes written (len + 16)
 *   open(ctx, counterHigh, counterLow, ad, sealed, out, outOffset) -> plaintext length, or -1
 *
 * The nonce is 4 zero bytes and the 64-bit big-endian counter (high, low: unsigned 32-bit).
 */
#define ADDON_NAME "hypha_aead"
#include "napi_util.h"

#include <openssl/evp.h>
#include <stdlib.h>

#define KEY_BYTES 32
#define TAG_BYTES 16
#define NONCE_BYTES 12

typedef struct {
  EVP_CIPHER_CTX *ctx;
  int sealing;
} aead_t;

static void aead_finalize(napi_env env, void *data, void *hint) {
  aead_t *a = data;
  EVP_CIPHER_CTX_free(a->ctx);
  free(a);
}

static napi_value js_create(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t alg;
  uint8_t *key;
  size_t key_len;
  bool sealing;
  if (!get_args(env, info, 3, argv) || !get_i32(env, argv[0], "algorithm", &alg)) return NULL;
  if (!get_bytes(env, argv[1], &key, &key_len) || key_len != KEY_BYTES)
    return throw_type(env, ADDON_NAME ": key must be a 32-byte Uint8Array");
  if (napi_get_value_bool(env, argv[2], &sealing) != napi_ok)
    return throw_type(env, ADDON_NAME ": forSealing must be a boolean");
  const EVP_CIPHER *cipher = alg == 0 ? EVP_aes_256_gcm() : alg == 1 ? EVP_chacha20_poly1305() : NULL;
  if (cipher == NULL) return throw_range(env, ADDON_NAME ": algorithm must be 0 (aes-256-gcm) or 1 (chacha20-poly1305)");
  aead_t *a = calloc(1, sizeof *a);
  if (a == NULL) return throw_errno(env, ENOMEM, "calloc", "cannot allocate an AEAD context");
  a->ctx = EVP_CIPHER_CTX_new();
  a->sealing = sealing;
  int ok = a->ctx != NULL &&
           (sealing ? EVP_EncryptInit_ex(a->ctx, cipher, NULL, NULL, NULL)
                    : EVP_DecryptInit_ex(a->ctx, cipher, NULL, NULL, NULL)) == 1 &&
           EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_IVLEN, NONCE_BYTES, NULL) == 1 &&
           (sealing ? EVP_EncryptInit_ex(a->ctx, NULL, NULL, key, NULL)
                    : EVP_DecryptInit_ex(a->ctx, NULL, NULL, key, NULL)) == 1;
  if (!ok) {
    EVP_CIPHER_CTX_free(a->ctx);
    free(a);
    return throw_errno(env, EINVAL, "EVP_CipherInit_ex", "OpenSSL refused the AEAD key setup");
  }
  napi_value handle;
  napi_create_external(env, a, aead_finalize, NULL, &handle);
  return handle;
}

/* Reads the arguments both calls share; returns 0 with an exception pending on bad input. */
static int get_call(napi_env env, napi_callback_info info, aead_t **a, uint8_t nonce[NONCE_BYTES], uint8_t **ad,
                    size_t *ad_len, uint8_t **in, size_t *in_len, uint8_t **out, size_t *out_len,
                    int32_t *offset) {
  napi_value argv[7];
  uint32_t hi, lo;
  if (!get_args(env, info, 7, argv)) return 0;
  if (napi_get_value_external(env, argv[0], (void **)a) != napi_ok || *a == NULL) {
    throw_type(env, ADDON_NAME ": context must come from create()");
    return 0;
  }
  if (napi_get_value_uint32(env, argv[1], &hi) != napi_ok || napi_get_value_uint32(env, argv[2], &lo) != napi_ok) {
    throw_type(env, ADDON_NAME ": the counter halves must be numbers");
    return 0;
  }
  if (!get_bytes(env, argv[3], ad, ad_len) || !get_bytes(env, argv[4], in, in_len) ||
      !get_bytes(env, argv[5], out, out_len)) {
    throw_type(env, ADDON_NAME ": ad, input and output must be Uint8Arrays");
    return 0;
  }
  if (!get_i32(env, argv[6], "outOffset", offset)) return 0;
  memset(nonce, 0, 4);
  for (int i = 0; i < 4; i++) {
    nonce[4 + i] = (uint8_t)(hi >> (24 - 8 * i));
    nonce[8 + i] = (uint8_t)(lo >> (24 - 8 * i));
  }
  return 1;
}

static napi_value js_seal(napi_env env, napi_callback_info info) {
  aead_t *a;
  uint8_t nonce[NONCE_BYTES], *ad, *in, *out;
  size_t ad_len, in_len, out_len;
  int32_t offset;
  if (!get_call(env, info, &a, nonce, &ad, &ad_len, &in, &in_len, &out, &out_len, &offset)) return NULL;
  if (!a->sealing) return throw_type(env, ADDON_NAME ": this context opens; create one for sealing");
  if (offset < 0 || (size_t)offset + in_len + TAG_BYTES > out_len || in_len > INT32_MAX - TAG_BYTES)
    return throw_range(env, ADDON_NAME ": output is too small for ciphertext and tag");
  uint8_t *dst = out + offset;
  int n = 0, f = 0;
  int ok = EVP_EncryptInit_ex(a->ctx, NULL, NULL, NULL, nonce) == 1 &&
           (ad_len == 0 || EVP_EncryptUpdate(a->ctx, NULL, &n, ad, (int)ad_len) == 1) &&
           EVP_EncryptUpdate(a->ctx, dst, &n, in, (int)in_len) == 1 &&
           EVP_EncryptFinal_ex(a->ctx, dst + n, &f) == 1 &&
           EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, TAG_BYTES, dst + in_len) == 1;
  if (!ok) return throw_errno(env, EINVAL, "EVP_EncryptUpdate", "OpenSSL failed to seal a packet");
  return make_int(env, (int32_t)(in_len + TAG_BYTES));
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  aead_t *a;
  uint8_t nonce[NONCE_BYTES], *ad, *in, *out;
  size_t ad_len, in_len, out_len;
  int32_t offset;
  if (!get_call(env, info, &a, nonce, &ad, &ad_len, &in, &in_len, &out, &out_len, &offset)) return NULL;
  if (a->sealing) return throw_type(env, ADDON_NAME ": this context seals; create one for opening");
  if (in_len < TAG_BYTES) return make_int(env, -1);
  size_t ct_len = in_len - TAG_BYTES;
  if (offset < 0 || (size_t)offset + ct_len > out_len || ct_len > INT32_MAX)
    return throw_range(env, ADDON_NAME ": output is too small for the plaintext");
  uint8_t *dst = out + offset;
  int n = 0, f = 0;
  int ok = EVP_DecryptInit_ex(a->ctx, NULL, NULL, NULL, nonce) == 1 &&
           (ad_len == 0 || EVP_DecryptUpdate(a->ctx, NULL, &n, ad, (int)ad_len) == 1) &&
           EVP_DecryptUpdate(a->ctx, dst, &n, in, (int)ct_len) == 1 &&
           EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, TAG_BYTES, in + ct_len) == 1 &&
           EVP_DecryptFinal_ex(a->ctx, dst + n, &f) == 1;
  if (!ok) {
    memset(dst, 0, ct_len); /* nothing of a forgery leaves this call */
    return make_int(env, -1);
  }
  return make_int(env, (int32_t)ct_len);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"create", NULL, js_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seal", NULL, js_seal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
