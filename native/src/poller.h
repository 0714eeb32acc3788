/*
 * A non-blocking fd watched by libuv (uv_poll_t) that calls one JS function with a few int32
 * arguments whenever the file-specific drain function found something. Shared by the TUN and
 * UDP readers. The poller must be the first member of the reader that embeds it: the memory is
 * freed (free(poller)) once libuv has closed the handle and the JS handle was collected.
 */
#ifndef HYPHA_POLLER_H
#define HYPHA_POLLER_H

#include <node_api.h>
#include <stdlib.h>
#include <uv.h>

#define POLLER_MAX_KEEP 4
#define POLLER_MAX_ARGS 4

typedef struct poller poller_t;
/* Reads what is ready; `status` < 0 is libuv's error for the fd. */
typedef void (*poller_drain_fn)(poller_t *p, int status);

struct poller {
  uv_poll_t poll;
  napi_env env;
  poller_drain_fn drain;
  napi_ref cb_ref;
  napi_ref keep[POLLER_MAX_KEEP]; /* buffers the drain function writes into */
  int nkeep;
  napi_async_context async_ctx;
  int polling, closing, closed, collected;
};

static inline void poller_maybe_free(poller_t *p) {
  if (p->closed && p->collected) free(p);
}

static inline void poller_on_closed(uv_handle_t *h) {
  poller_t *p = h->data;
  p->closed = 1;
  poller_maybe_free(p);
}

static inline void poller_close_handle(poller_t *p) {
  if (p->closing) return;
  p->closing = 1;
  p->polling = 0;
  uv_poll_stop(&p->poll);
  uv_close((uv_handle_t *)&p->poll, poller_on_closed);
}

/* Environment teardown (process or worker exit) with the poller still running. */
static inline void poller_cleanup_hook(void *arg) {
  poller_close_handle((poller_t *)arg);
}

static inline void poller_finalize(napi_env env, void *data, void *hint) {
  poller_t *p = data;
  p->collected = 1;
  poller_maybe_free(p);
}

static inline void poller_on_readable(uv_poll_t *h, int status, int events) {
  poller_t *p = h->data;
  if (!p->closing) p->drain(p, status);
}

/* Stops watching after an error that would otherwise wake the loop for ever. */
static inline void poller_pause(poller_t *p) {
  if (!p->polling) return;
  uv_poll_stop(&p->poll);
  p->polling = 0;
}

/* Calls the JS callback with `argc` int32 arguments; an exception there is fatal, as in Node. */
static inline void poller_deliver(poller_t *p, int argc, const int32_t *args) {
  napi_env env = p->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, global, argv[POLLER_MAX_ARGS], result;
  napi_get_reference_value(env, p->cb_ref, &cb);
  napi_get_global(env, &global);
  for (int i = 0; i < argc && i < POLLER_MAX_ARGS; i++) napi_create_int32(env, args[i], &argv[i]);
  napi_status st = napi_make_callback(env, p->async_ctx, global, cb, (size_t)argc, argv, &result);
  if (st == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
  napi_close_handle_scope(env, scope);
}

/*
 * Starts watching `fd` for reads; returns the JS handle (an external) or NULL with an exception
 * pending. `p` was calloc'ed by the caller; on failure it is freed here.
 */
static inline napi_value poller_start(napi_env env, poller_t *p, int fd, poller_drain_fn drain, napi_value cb,
                                      const napi_value *keep, int nkeep, const char *resource) {
  p->env = env;
  p->drain = drain;
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  int rc = uv_poll_init(loop, &p->poll, fd);
  if (rc < 0) {
    free(p);
    return throw_errno(env, -rc, "uv_poll_init", "cannot watch fd %d", fd);
  }
  p->poll.data = p;
  rc = uv_poll_start(&p->poll, UV_READABLE, poller_on_readable);
  if (rc < 0) {
    p->collected = 1; /* no JS handle will exist */
    poller_close_handle(p);
    return throw_errno(env, -rc, "uv_poll_start", "cannot watch fd %d", fd);
  }
  p->polling = 1;
  napi_value resource_name, handle;
  napi_create_reference(env, cb, 1, &p->cb_ref);
  p->nkeep = nkeep < POLLER_MAX_KEEP ? nkeep : POLLER_MAX_KEEP;
  for (int i = 0; i < p->nkeep; i++) napi_create_reference(env, keep[i], 1, &p->keep[i]);
  napi_create_string_utf8(env, resource, NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &p->async_ctx);
  napi_add_env_cleanup_hook(env, poller_cleanup_hook, p);
  napi_create_external(env, p, poller_finalize, NULL, &handle);
  return handle;
}

/* Stops for good (idempotent); the memory goes when the JS handle is collected. */
static inline napi_value poller_stop(napi_env env, napi_value handle) {
  poller_t *p;
  if (napi_get_value_external(env, handle, (void **)&p) != napi_ok || p == NULL)
    return throw_type(env, ADDON_NAME ": readStop needs the handle readStart returned");
  if (p->closing) return NULL;
  napi_remove_env_cleanup_hook(env, poller_cleanup_hook, p);
  napi_delete_reference(env, p->cb_ref);
  for (int i = 0; i < p->nkeep; i++) napi_delete_reference(env, p->keep[i]);
  napi_async_destroy(env, p->async_ctx);
  poller_close_handle(p);
  return NULL;
}

#endif
