/*
 * Helpers every hypha addon file shares: errors thrown as Error objects with the errno's name as
 * `code`, and argument readers that throw a TypeError/RangeError naming the argument.
 * Define ADDON_NAME (the prefix of messages) before including this file.
 */
#ifndef HYPHA_NAPI_UTIL_H
#define HYPHA_NAPI_UTIL_H

#include <node_api.h>

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef ADDON_NAME
#error "define ADDON_NAME before including napi_util.h"
#endif

/* ---- errors ---------------------------------------------------------------------------- */

/* Throws Error(message) with code = errno name, errno and syscall; returns NULL for the caller. */
static inline napi_value throw_errno(napi_env env, int err, const char *syscall, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n < sizeof msg) snprintf(msg + n, sizeof msg - n, " [%s: %s]", syscall, strerror(err));

  const char *name = strerrorname_np(err);
  napi_value code, message, error, errno_value, syscall_value;
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, err, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_throw(env, error);
  return NULL;
}

static inline napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

static inline napi_value throw_range(napi_env env, const char *msg) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
  return NULL;
}

/* ---- argument helpers ------------------------------------------------------------------ */

static inline int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want) {
    throw_type(env, ADDON_NAME ": too few arguments");
    return 0;
  }
  return 1;
}

static inline int get_i32(napi_env env, napi_value v, const char *what, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, ADDON_NAME ": %s must be a number", what);
    throw_type(env, msg);
    return 0;
  }
  return 1;
}

/* Copies an interface name into buf[IFNAMSIZ]; names longer than 15 bytes are a RangeError. */
static inline int get_ifname(napi_env env, napi_value v, char buf[IFNAMSIZ]) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    throw_type(env, ADDON_NAME ": interface name must be a string");
    return 0;
  }
  if (len == 0 || len >= IFNAMSIZ) {
    throw_range(env, ADDON_NAME ": interface name must be 1 to 15 bytes");
    return 0;
  }
  memset(buf, 0, IFNAMSIZ);
  napi_get_value_string_utf8(env, v, buf, IFNAMSIZ, &len);
  return 1;
}

/* Returns the bytes of a Buffer or any TypedArray (by its byte view). */
static inline int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return 0;
  napi_typedarray_type type;
  size_t elems = 0, offset = 0;
  void *p = NULL;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &elems, &p, &ab, &offset) != napi_ok) return 0;
  size_t esize = 1;
  switch (type) {
    case napi_int16_array: case napi_uint16_array: esize = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: esize = 4; break;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: esize = 8; break;
    default: esize = 1;
  }
  *data = p;
  *len = elems * esize;
  return 1;
}

static inline napi_value make_int(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

/* closeFd(fd) for an addon: `what` names the fd in the error ("TUN", "UDP"). */
static inline napi_value close_fd_call(napi_env env, napi_callback_info info, const char *what) {
  napi_value argv[1];
  int32_t fd;
  if (!get_args(env, info, 1, argv) || !get_i32(env, argv[0], "fd", &fd)) return NULL;
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, errno, "close", "cannot close %s fd %d", what, fd);
  return NULL;
}

#endif
