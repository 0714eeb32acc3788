/*
 * hypha_udp: the link socket as a handful of syscalls for Node-API, batched both ways.
 *
 * Only mechanism lives here; src/link/native-udp.ts makes the decisions. The functions:
 *
 *   open(family, addr16, port, bufferBytes)  -> { fd, port, rcvbuf, sndbuf }
 *       family 6: a dual-stack AF_INET6 socket (IPV6_V6ONLY off); family 4: AF_INET.
 *       Buffers: SO_RCVBUFFORCE/SO_SNDBUFFORCE (CAP_NET_ADMIN), else the clamped SO_RCVBUF/SO_SNDBUF.
 *       UDP_GRO is switched on when the kernel has it (rcvbuf/sndbuf report what was granted).
 *   closeFd(fd)
 *   readStart(fd, family, slab, lengths, segments, addrs, slotSize, batchMax, cb) -> reader
 *       On each wake-up one recvmmsg(2) of up to batchMax datagrams into fixed slots of the slab;
 *       lengths[i] = bytes, segments[i] = the GRO segment size (0: one datagram), addrs[24*i..] =
 *       the source as an address record; then one call cb(count, truncated, errno).
 *   readStop(reader)
 *   sendBatch(fd, family, slab, lengths, addrs, slotSize, count, gsoMax, result) -> datagrams sent
 *       Sends slots [0, count) with sendmmsg(2). With gsoMax > 0, a run of consecutive slots to the
 *       same address with equal lengths of at most gsoMax bytes (the last may be shorter) goes as
 *       one UDP_SEGMENT send (a segment must fit the path's MTU: larger ones go alone, fragmented).
 *       A datagram the kernel refuses (EHOSTUNREACH, EMSGSIZE, ...) is counted as failed and the
 *       rest go on; EAGAIN (the send buffer is full) drops it and every one after it as `again`.
 *       result = [sent, again, failed, lastErrno, gsoFailed] (gsoFailed: refused UDP_SEGMENT sends).
 *
 * An address record is 24 bytes: the IPv6 address (IPv4 as ::ffff:a.b.c.d), the port (big
 * endian), two zero bytes, the scope id (interface index of a link-local address; host order).
 */
#define ADDON_NAME "hypha_udp"
#include "napi_util.h"
#include "poller.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

#define ADDR_RECORD 24
/* Datagrams per sendmmsg/recvmmsg call, and segments per UDP_SEGMENT send (the kernel's cap is 64
 * on older kernels). */
#define CHUNK 64
#define MAX_SEGMENTS 64
/* A GSO send carries at most this much payload (IP's 16-bit length, less the headers). */
#define MAX_GSO_BYTES 65000

static const uint8_t V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Writes sockaddr of a record; returns its length. */
static socklen_t record_to_sockaddr(int family, const uint8_t *rec, struct sockaddr_storage *ss) {
  uint16_t port = (uint16_t)((rec[16] << 8) | rec[17]);
  memset(ss, 0, sizeof *ss);
  if (family == 4) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    memcpy(&a->sin_addr, rec + 12, 4);
    return sizeof *a;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  memcpy(&a->sin6_addr, rec, 16);
  memcpy(&a->sin6_scope_id, rec + 20, 4);
  return sizeof *a;
}

static void sockaddr_to_record(const struct sockaddr_storage *ss, uint8_t *rec) {
  memset(rec, 0, ADDR_RECORD);
  uint16_t port = 0;
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
    memcpy(rec, V4_MAPPED, 12);
    memcpy(rec + 12, &a->sin_addr, 4);
    port = ntohs(a->sin_port);
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
    memcpy(rec, &a->sin6_addr, 16);
    memcpy(rec + 20, &a->sin6_scope_id, 4);
    port = ntohs(a->sin6_port);
  }
  rec[16] = (uint8_t)(port >> 8);
  rec[17] = (uint8_t)port;
}

static int get_family(napi_env env, napi_value v, int32_t *family) {
  if (!get_i32(env, v, "family", family)) return 0;
  if (*family != 4 && *family != 6) {
    throw_range(env, ADDON_NAME ": family must be 4 or 6");
    return 0;
  }
  return 1;
}

static int get_u32_array(napi_env env, napi_value v, const char *what, uint32_t **out, size_t *count) {
  bool is_ta = false;
  napi_typedarray_type t;
  void *data;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta || napi_get_typedarray_info(env, v, &t, count, &data, NULL, NULL) != napi_ok ||
      (t != napi_uint32_array && t != napi_int32_array)) {
    char msg[128];
    snprintf(msg, sizeof msg, ADDON_NAME ": %s must be a Uint32Array", what);
    throw_type(env, msg);
    return 0;
  }
  *out = data;
  return 1;
}

/* Sets a buffer size, forcing it past the sysctl cap when allowed; returns what the kernel reports. */
static int32_t set_buffer(int fd, int force_opt, int opt, int32_t bytes) {
  if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof bytes) < 0)
    (void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes);
  int32_t got = 0;
  socklen_t len = sizeof got;
  if (getsockopt(fd, SOL_SOCKET, opt, &got, &len) < 0) return 0;
  return got;
}

/* ---- open / close ---------------------------------------------------------------------- */

static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t family, port, buffer_bytes;
  uint8_t *addr;
  size_t addr_len;
  if (!get_args(env, info, 4, argv) || !get_family(env, argv[0], &family)) return NULL;
  if (!get_bytes(env, argv[1], &addr, &addr_len) || addr_len != 16)
    return throw_type(env, ADDON_NAME ": addr must be a 16-byte Uint8Array");
  if (!get_i32(env, argv[2], "port", &port) || !get_i32(env, argv[3], "bufferBytes", &buffer_bytes)) return NULL;
  if (port < 0 || port > 65535) return throw_range(env, ADDON_NAME ": port must be 0..65535");

  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket", "cannot open a UDP socket");
  if (family == 6) {
    int off = 0;
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  }
  uint8_t rec[ADDR_RECORD] = {0};
  memcpy(rec, addr, 16);
  rec[16] = (uint8_t)(port >> 8);
  rec[17] = (uint8_t)port;
  struct sockaddr_storage ss;
  socklen_t sl = record_to_sockaddr(family, rec, &ss);
  if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "bind", "cannot bind UDP port %d", port);
  }
  int32_t rcv = buffer_bytes > 0 ? set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, buffer_bytes) : 0;
  int32_t snd = buffer_bytes > 0 ? set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, buffer_bytes) : 0;
  /* A datagram larger than the path's MTU (a TUN MTU above what the underlay carries) is sent as
   * IP fragments rather than refused with EMSGSIZE. */
  int dont = IP_PMTUDISC_DONT;
  (void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof dont);
  if (family == 6) {
    int dont6 = IPV6_PMTUDISC_DONT;
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &dont6, sizeof dont6);
  }
  int on = 1;
  int gro = setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on) == 0;

  struct sockaddr_storage bound;
  socklen_t bl = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &bl);
  uint8_t brec[ADDR_RECORD];
  sockaddr_to_record(&bound, brec);

  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "fd", make_int(env, fd));
  napi_set_named_property(env, out, "port", make_int(env, (brec[16] << 8) | brec[17]));
  napi_set_named_property(env, out, "rcvbuf", make_int(env, rcv));
  napi_set_named_property(env, out, "sndbuf", make_int(env, snd));
  napi_set_named_property(env, out, "gro", make_int(env, gro));
  return out;
}

static napi_value js_close_fd(napi_env env, napi_callback_info info) {
  return close_fd_call(env, info, "UDP");
}

/* ---- batched reads --------------------------------------------------------------------- */

typedef struct reader {
  poller_t poller; /* first: the poller frees the whole reader */
  int fd;
  uint8_t *slab;
  uint32_t *lengths, *segments;
  uint8_t *addrs;
  uint32_t slot_size, batch_max;
  uint32_t truncated;
  struct mmsghdr msgs[CHUNK];
  struct iovec iov[CHUNK];
  struct sockaddr_storage from[CHUNK];
  char control[CHUNK][CMSG_SPACE(sizeof(int))];
} reader_t;

static void udp_drain(poller_t *p, int status) {
  reader_t *r = (reader_t *)p;
  uint32_t want = r->batch_max < CHUNK ? r->batch_max : CHUNK;
  for (uint32_t i = 0; i < want; i++) {
    r->iov[i].iov_base = r->slab + (size_t)i * r->slot_size;
    r->iov[i].iov_len = r->slot_size;
    struct msghdr *h = &r->msgs[i].msg_hdr;
    h->msg_name = &r->from[i];
    h->msg_namelen = sizeof r->from[i];
    h->msg_iov = &r->iov[i];
    h->msg_iovlen = 1;
    h->msg_control = r->control[i];
    h->msg_controllen = sizeof r->control[i];
    h->msg_flags = 0;
  }
  int err = 0;
  int got;
  do {
    got = recvmmsg(r->fd, r->msgs, want, MSG_DONTWAIT, NULL);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
    got = 0;
  }
  uint32_t n = 0;
  for (int i = 0; i < got; i++) {
    struct msghdr *h = &r->msgs[i].msg_hdr;
    if (h->msg_flags & MSG_TRUNC) {
      r->truncated++;
      continue;
    }
    uint32_t seg = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c))
      if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
        int v;
        memcpy(&v, CMSG_DATA(c), sizeof v);
        seg = v > 0 ? (uint32_t)v : 0;
      }
    if (n != (uint32_t)i) memmove(r->slab + (size_t)n * r->slot_size, r->iov[i].iov_base, r->msgs[i].msg_len);
    r->lengths[n] = r->msgs[i].msg_len;
    r->segments[n] = seg >= r->msgs[i].msg_len ? 0 : seg;
    sockaddr_to_record(&r->from[i], r->addrs + (size_t)n * ADDR_RECORD);
    n++;
  }
  if (status < 0 && err == 0) err = -status;
  if (n == 0 && r->truncated == 0 && err == 0) return;
  /* Errors a UDP socket reports on read (ICMP unreachable from an earlier send, ...) are not
   * fatal: deliver them and keep polling. */
  const int32_t args[3] = {(int32_t)n, (int32_t)r->truncated, err};
  r->truncated = 0;
  poller_deliver(p, 3, args);
}

static napi_value js_read_start(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int32_t fd, family, slot_size, batch_max;
  uint8_t *slab, *addrs;
  size_t slab_len, addrs_len, lengths_len, segments_len;
  uint32_t *lengths, *segments;
  if (!get_args(env, info, 9, argv) || !get_i32(env, argv[0], "fd", &fd) || !get_family(env, argv[1], &family))
    return NULL;
  if (!get_bytes(env, argv[2], &slab, &slab_len)) return throw_type(env, ADDON_NAME ": slab must be a Uint8Array");
  if (!get_u32_array(env, argv[3], "lengths", &lengths, &lengths_len) ||
      !get_u32_array(env, argv[4], "segments", &segments, &segments_len))
    return NULL;
  if (!get_bytes(env, argv[5], &addrs, &addrs_len)) return throw_type(env, ADDON_NAME ": addrs must be a Uint8Array");
  if (!get_i32(env, argv[6], "slotSize", &slot_size) || !get_i32(env, argv[7], "batchMax", &batch_max)) return NULL;
  napi_valuetype cbt;
  napi_typeof(env, argv[8], &cbt);
  if (cbt != napi_function) return throw_type(env, ADDON_NAME ": callback must be a function");
  if (batch_max < 1 || batch_max > CHUNK || slot_size < 1)
    return throw_range(env, ADDON_NAME ": need 1 <= batchMax <= 64 and slotSize >= 1");
  if (slab_len < (size_t)batch_max * (size_t)slot_size || lengths_len < (size_t)batch_max ||
      segments_len < (size_t)batch_max || addrs_len < (size_t)batch_max * ADDR_RECORD)
    return throw_range(env, ADDON_NAME ": slab, lengths, segments or addrs is smaller than batchMax slots");

  reader_t *r = calloc(1, sizeof *r);
  if (!r) return throw_errno(env, ENOMEM, "calloc", "cannot allocate a UDP reader");
  r->fd = fd;
  r->slab = slab;
  r->lengths = lengths;
  r->segments = segments;
  r->addrs = addrs;
  r->slot_size = (uint32_t)slot_size;
  r->batch_max = (uint32_t)batch_max;
  (void)family;
  const napi_value keep[4] = {argv[2], argv[3], argv[4], argv[5]};
  return poller_start(env, &r->poller, fd, udp_drain, argv[8], keep, 4, "hypha:udp-read");
}

static napi_value js_read_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  return poller_stop(env, argv[0]);
}

/* ---- batched sends --------------------------------------------------------------------- */

static napi_value js_send_batch(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int32_t fd, family, slot_size, count, gso_max;
  uint8_t *slab, *addrs, *res_bytes;
  uint32_t *lengths;
  size_t slab_len, addrs_len, lengths_len, res_len;
  if (!get_args(env, info, 9, argv) || !get_i32(env, argv[0], "fd", &fd) || !get_family(env, argv[1], &family))
    return NULL;
  if (!get_bytes(env, argv[2], &slab, &slab_len)) return throw_type(env, ADDON_NAME ": slab must be a Uint8Array");
  if (!get_u32_array(env, argv[3], "lengths", &lengths, &lengths_len)) return NULL;
  if (!get_bytes(env, argv[4], &addrs, &addrs_len)) return throw_type(env, ADDON_NAME ": addrs must be a Uint8Array");
  if (!get_i32(env, argv[5], "slotSize", &slot_size) || !get_i32(env, argv[6], "count", &count) ||
      !get_i32(env, argv[7], "gsoMax", &gso_max))
    return NULL;
  if (!get_bytes(env, argv[8], &res_bytes, &res_len) || res_len < 20)
    return throw_type(env, ADDON_NAME ": result must be an Int32Array(5)");
  if (count < 0 || slot_size < 1 || (size_t)count * (size_t)slot_size > slab_len || (size_t)count > lengths_len ||
      (size_t)count * ADDR_RECORD > addrs_len)
    return throw_range(env, ADDON_NAME ": count exceeds the slab, lengths or addrs");
  for (int32_t i = 0; i < count; i++)
    if (lengths[i] > (uint32_t)slot_size) return throw_range(env, ADDON_NAME ": a length exceeds slotSize");

  struct mmsghdr msgs[CHUNK];
  struct iovec iov[CHUNK * MAX_SEGMENTS > 1024 ? 1024 : CHUNK * MAX_SEGMENTS];
  struct sockaddr_storage to[CHUNK];
  char control[CHUNK][CMSG_SPACE(sizeof(uint16_t))];
  const size_t iov_cap = sizeof iov / sizeof iov[0];
  int32_t *result = (int32_t *)res_bytes;
  int32_t sent = 0, again = 0, failed = 0, last = 0, gso_failed = 0;

  int32_t i = 0;
  while (i < count && again == 0) {
    /* Build up to CHUNK messages; msg_first[m] and msg_segs[m] say which slots each one carries. */
    int32_t msg_first[CHUNK], msg_segs[CHUNK];
    int nmsg = 0;
    size_t niov = 0;
    while (i < count && nmsg < CHUNK && niov < iov_cap) {
      const uint8_t *rec = addrs + (size_t)i * ADDR_RECORD;
      uint32_t len = lengths[i];
      int32_t segs = 1;
      if (gso_max > 0 && len <= (uint32_t)gso_max) {
        size_t total = len;
        while (i + segs < count && segs < MAX_SEGMENTS && niov + (size_t)segs < iov_cap) {
          uint32_t next = lengths[i + segs];
          if (next > len || total + next > MAX_GSO_BYTES ||
              memcmp(addrs + (size_t)(i + segs) * ADDR_RECORD, rec, ADDR_RECORD) != 0)
            break;
          total += next;
          segs++;
          if (next < len) break; /* only the last segment may be shorter */
        }
      }
      struct msghdr *h = &msgs[nmsg].msg_hdr;
      memset(h, 0, sizeof *h);
      h->msg_name = &to[nmsg];
      h->msg_namelen = record_to_sockaddr(family, rec, &to[nmsg]);
      h->msg_iov = &iov[niov];
      h->msg_iovlen = (size_t)segs;
      for (int32_t s = 0; s < segs; s++) {
        iov[niov].iov_base = slab + (size_t)(i + s) * (size_t)slot_size;
        iov[niov].iov_len = lengths[i + s];
        niov++;
      }
      if (segs > 1) {
        h->msg_control = control[nmsg];
        h->msg_controllen = sizeof control[nmsg];
        struct cmsghdr *c = CMSG_FIRSTHDR(h);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        uint16_t gso_size = (uint16_t)len;
        memcpy(CMSG_DATA(c), &gso_size, sizeof gso_size);
      }
      msg_first[nmsg] = i;
      msg_segs[nmsg] = segs;
      nmsg++;
      i += segs;
    }
    int m = 0;
    while (m < nmsg) {
      int k = sendmmsg(fd, &msgs[m], (unsigned)(nmsg - m), MSG_DONTWAIT);
      if (k > 0) {
        for (int j = 0; j < k; j++) sent += msg_segs[m + j];
        m += k;
        continue;
      }
      if (k < 0 && errno == EINTR) continue;
      int err = k < 0 ? errno : EIO;
      last = err;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        again = count - msg_first[m];
        break;
      }
      failed += msg_segs[m]; /* this datagram (or run) is refused; go on with the next */
      if (msg_segs[m] > 1) gso_failed++;
      m++;
    }
  }
  result[0] = sent;
  result[1] = again;
  result[2] = failed;
  result[3] = last;
  result[4] = gso_failed;
  return make_int(env, sent);
}

/* ---- module ---------------------------------------------------------------------------- */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeFd", NULL, js_close_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readStart", NULL, js_read_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readStop", NULL, js_read_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendBatch", NULL, js_send_batch, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value c;
  napi_create_object(env, &c);
  napi_set_named_property(env, c, "ADDR_RECORD", make_int(env, ADDR_RECORD));
  napi_set_named_property(env, c, "MAX_BATCH", make_int(env, CHUNK));
  napi_set_named_property(env, c, "EAGAIN", make_int(env, EAGAIN));
  napi_set_named_property(env, exports, "constants", c);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
