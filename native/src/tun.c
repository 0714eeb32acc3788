/*
 * hypha_tun: the Linux TUN device as a handful of syscalls for Node-API.
 *
 * Only mechanism lives here; every decision (names, MTU, address, what to do with an
 * error, which errors are harmless) is made by src/tun/native-tun.ts. The functions:
 *
 *   open(name, extraFlags, devicePath)   -> { fd, name }     IFF_TUN | IFF_NO_PI | extraFlags
 *   closeFd(fd)
 *   setMtu(name, mtu) / getMtu(name)                          SIOCSIFMTU / SIOCGIFMTU
 *   setTxQueueLen(name, length)                               SIOCSIFTXQLEN
 *   setOffload(fd, flags)                                     TUNSETOFFLOAD (TUN_F_CSUM, TUN_F_TSO6)
 *   checksum(buf, start, end, initial) -> folded 16-bit sum   RFC 1071, no syscall
 *   setUp(name)                                               SIOCSIFFLAGS |= IFF_UP
 *   addAddress(name, addr16, prefixLen)                       SIOCSIFADDR, struct in6_ifreq
 *   readStart(fd, slab, lengths, slotSize, headroom, batchMax, cb, vnetBytes) -> reader
 *       vnetBytes > 0 (IFF_VNET_HDR): that many header bytes are read into the end of the headroom
 *       and left out of the length.
 *   writeVnet(fd, header, packet) -> 0 or errno                one writev(2): header, then packet
 *   readStop(reader)
 *   write(fd, packet, offset, length) -> 0 or errno
 *   writeBatch(fd, packets, count, result Int32Array(4)) -> packets written
 *
 * Reading: the fd is non-blocking and registered with libuv as a uv_poll_t. On each wake-up
 * the reader reads until EAGAIN or until batchMax packets, each into its own fixed slot of a
 * slab the caller allocated once (slot i starts at i * slotSize + headroom; its length goes in
 * lengths[i]), then makes exactly one call cb(count, truncated, errno). The slab is reused on
 * the next wake-up, so a packet is only valid during that call. No JS object is created per
 * packet. A packet larger than its slot is dropped and counted in `truncated`.
 *
 * Errors are thrown as Error objects with `code` (the errno name, e.g. "EPERM"), `errno`
 * and `syscall`, and a message that says what is missing.
 */
#define ADDON_NAME "hypha_tun"
#include "napi_util.h"
#include "poller.h"
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_tun.h>

/* <linux/ipv6.h> clashes with <netinet/in.h>; this is its struct in6_ifreq. */
struct hypha_in6_ifreq {
  struct in6_addr ifr6_addr;
  uint32_t ifr6_prefixlen;
  int ifr6_ifindex;
};

#define CAP_NET_ADMIN_HINT \
  "hypha needs CAP_NET_ADMIN (run as root or give the service that capability)"

/* A datagram socket to carry interface ioctls; AF_INET6 because SIOCSIFADDR is per family. */
static int ctl_socket(napi_env env) {
  int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    int err = errno;
    throw_errno(env, err, "socket",
                err == EAFNOSUPPORT ? "IPv6 is disabled in this kernel: enable it (ipv6.disable=0)"
                                    : "cannot open a control socket");
  }
  return s;
}

static const char *config_hint(int err) {
  if (err == EPERM || err == EACCES) return ": permission denied: " CAP_NET_ADMIN_HINT;
  if (err == ENODEV) return ": no such interface (was the TUN closed?)";
  return "";
}

/* ---- open / close ---------------------------------------------------------------------- */

static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  char name[IFNAMSIZ];
  int32_t extra;
  char path[256];
  size_t path_len = 0;
  if (!get_ifname(env, argv[0], name) || !get_i32(env, argv[1], "extraFlags", &extra)) return NULL;
  if (extra & ~(IFF_VNET_HDR | IFF_MULTI_QUEUE))
    return throw_range(env, "hypha_tun: extraFlags may only hold IFF_VNET_HDR and IFF_MULTI_QUEUE");
  if (napi_get_value_string_utf8(env, argv[2], path, sizeof path, &path_len) != napi_ok || path_len == 0)
    return throw_type(env, "hypha_tun: devicePath must be a non-empty string");

  int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENODEV || err == ENXIO)
      return throw_errno(env, err, "open",
                         "%s not found: load the tun module (modprobe tun); in a container, pass the "
                         "device in (--device /dev/net/tun)", path);
    if (err == EACCES || err == EPERM)
      return throw_errno(env, err, "open", "permission denied opening %s: " CAP_NET_ADMIN_HINT, path);
    return throw_errno(env, err, "open", "cannot open %s", path);
  }

  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | extra);
  memcpy(ifr.ifr_name, name, IFNAMSIZ);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    if (err == EPERM || err == EACCES)
      return throw_errno(env, err, "ioctl(TUNSETIFF)", "permission denied creating %s: " CAP_NET_ADMIN_HINT,
                         name);
    if (err == EBUSY)
      return throw_errno(env, err, "ioctl(TUNSETIFF)",
                         "interface %s is already attached to another process (is another hypha "
                         "running?): stop it or pick another name", name);
    if (err == EINVAL)
      return throw_errno(env, err, "ioctl(TUNSETIFF)",
                         "cannot create TUN %s: the name is invalid, or an interface of another kind "
                         "has it: pick another name", name);
    return throw_errno(env, err, "ioctl(TUNSETIFF)", "cannot create TUN %s", name);
  }

  napi_value out, fd_value, name_value;
  napi_create_object(env, &out);
  napi_create_int32(env, fd, &fd_value);
  napi_create_string_utf8(env, ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ), &name_value);
  napi_set_named_property(env, out, "fd", fd_value);
  napi_set_named_property(env, out, "name", name_value);
  return out;
}

static napi_value js_close_fd(napi_env env, napi_callback_info info) {
  return close_fd_call(env, info, "TUN");
}

/* ---- interface configuration ----------------------------------------------------------- */

/* Sets one int-valued interface property (SIOCSIFMTU, SIOCSIFTXQLEN: both the ifreq's int). Returns
 * 0, the ioctl's errno, or -1 with an exception pending (no control socket). */
static int set_if_int(napi_env env, const char name[IFNAMSIZ], unsigned long request, int value) {
  int s = ctl_socket(env);
  if (s < 0) return -1;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, IFNAMSIZ);
  ifr.ifr_ifru.ifru_ivalue = value;
  int rc = ioctl(s, request, &ifr);
  int err = errno;
  close(s);
  return rc < 0 ? err : 0;
}

static napi_value js_set_mtu(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char name[IFNAMSIZ];
  int32_t mtu;
  if (!get_args(env, info, 2, argv) || !get_ifname(env, argv[0], name) ||
      !get_i32(env, argv[1], "mtu", &mtu))
    return NULL;
  int err = set_if_int(env, name, SIOCSIFMTU, mtu);
  if (err == EINVAL)
    return throw_errno(env, err, "ioctl(SIOCSIFMTU)",
                       "MTU %d is out of range for %s (IPv6 needs at least 1280)", mtu, name);
  if (err > 0)
    return throw_errno(env, err, "ioctl(SIOCSIFMTU)", "cannot set the MTU of %s%s", name, config_hint(err));
  return NULL;
}

/* The Internet checksum's sum (RFC 1071) of buf[start, end) plus `initial`, folded to 16 bits, not
 * complemented: what finishing a TSO segment or a partial checksum needs per packet. */
static napi_value js_checksum(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  uint8_t *buf;
  size_t len;
  int32_t start, end;
  uint32_t initial;
  if (!get_args(env, info, 4, argv) || !get_bytes(env, argv[0], &buf, &len) || !get_i32(env, argv[1], "start", &start) ||
      !get_i32(env, argv[2], "end", &end) || napi_get_value_uint32(env, argv[3], &initial) != napi_ok)
    return throw_type(env, "hypha_tun: checksum(buf, start, end, initial)");
  if (start < 0 || end < start || (size_t)end > len) return throw_range(env, "hypha_tun: start/end outside the buffer");
  uint64_t sum = initial;
  const uint8_t *p = buf + start;
  size_t n = (size_t)(end - start);
  while (n >= 4) {
    sum += ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    sum += ((uint32_t)p[0] << 8) | p[1];
    p += 2;
    n -= 2;
  }
  if (n == 1) sum += (uint32_t)p[0] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return make_int(env, (int32_t)sum);
}

/* TUNSETOFFLOAD: what the kernel may hand us unfinished (partial checksums, TSO super-packets). */
static napi_value js_set_offload(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, flags;
  if (!get_args(env, info, 2, argv) || !get_i32(env, argv[0], "fd", &fd) || !get_i32(env, argv[1], "flags", &flags))
    return NULL;
  if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags) < 0)
    return throw_errno(env, errno, "ioctl(TUNSETOFFLOAD)", "cannot set TUN offloads 0x%x", flags);
  return NULL;
}

/* The kernel's queue of packets waiting for hypha to read them (the device's "transmit" side). */
static napi_value js_set_tx_queue_len(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char name[IFNAMSIZ];
  int32_t qlen;
  if (!get_args(env, info, 2, argv) || !get_ifname(env, argv[0], name) ||
      !get_i32(env, argv[1], "length", &qlen))
    return NULL;
  if (qlen < 1) return throw_range(env, "hypha_tun: queue length must be at least 1");
  int err = set_if_int(env, name, SIOCSIFTXQLEN, qlen);
  if (err > 0)
    return throw_errno(env, err, "ioctl(SIOCSIFTXQLEN)", "cannot set the queue length of %s%s", name,
                       config_hint(err));
  return NULL;
}

static napi_value js_get_mtu(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[IFNAMSIZ];
  if (!get_args(env, info, 1, argv) || !get_ifname(env, argv[0], name)) return NULL;
  int s = ctl_socket(env);
  if (s < 0) return NULL;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, IFNAMSIZ);
  int rc = ioctl(s, SIOCGIFMTU, &ifr);
  int err = errno;
  close(s);
  if (rc < 0)
    return throw_errno(env, err, "ioctl(SIOCGIFMTU)", "cannot read the MTU of %s%s", name, config_hint(err));
  return make_int(env, ifr.ifr_mtu);
}

static napi_value js_set_up(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[IFNAMSIZ];
  if (!get_args(env, info, 1, argv) || !get_ifname(env, argv[0], name)) return NULL;
  int s = ctl_socket(env);
  if (s < 0) return NULL;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, IFNAMSIZ);
  int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
  const char *call = "ioctl(SIOCGIFFLAGS)";
  if (rc == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    call = "ioctl(SIOCSIFFLAGS)";
  }
  int err = errno;
  close(s);
  if (rc < 0) return throw_errno(env, err, call, "cannot bring %s up%s", name, config_hint(err));
  return NULL;
}

static napi_value js_add_address(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char name[IFNAMSIZ];
  int32_t prefix;
  uint8_t *addr;
  size_t addr_len;
  if (!get_args(env, info, 3, argv) || !get_ifname(env, argv[0], name)) return NULL;
  if (!get_bytes(env, argv[1], &addr, &addr_len) || addr_len != 16)
    return throw_type(env, "hypha_tun: address must be a 16-byte Uint8Array");
  if (!get_i32(env, argv[2], "prefixLen", &prefix)) return NULL;
  if (prefix < 0 || prefix > 128) return throw_range(env, "hypha_tun: prefixLen must be 0 to 128");

  int s = ctl_socket(env);
  if (s < 0) return NULL;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, IFNAMSIZ);
  if (ioctl(s, SIOCGIFINDEX, &ifr) < 0) {
    int err = errno;
    close(s);
    return throw_errno(env, err, "ioctl(SIOCGIFINDEX)", "cannot find interface %s%s", name, config_hint(err));
  }
  struct hypha_in6_ifreq req;
  memset(&req, 0, sizeof req);
  memcpy(&req.ifr6_addr, addr, 16);
  req.ifr6_prefixlen = (uint32_t)prefix;
  req.ifr6_ifindex = ifr.ifr_ifindex;
  int rc = ioctl(s, SIOCSIFADDR, &req);
  int err = errno;
  close(s);
  if (rc < 0) {
    if (err == EEXIST)
      return throw_errno(env, err, "ioctl(SIOCSIFADDR)", "%s already has this address", name);
    return throw_errno(env, err, "ioctl(SIOCSIFADDR)", "cannot add the IPv6 address to %s%s", name,
                       config_hint(err));
  }
  return NULL;
}

/* ---- batched reads --------------------------------------------------------------------- */

typedef struct reader {
  poller_t poller; /* first: the poller frees the whole reader */
  int fd;
  uint8_t *slab;
  uint32_t *lengths;
  uint32_t slot_size, headroom, batch_max;
  uint32_t vnet; /* bytes of virtio_net_hdr in front of each packet (IFF_VNET_HDR), read into the headroom */
  uint32_t truncated; /* packets dropped since the last delivery: larger than a slot */
} reader_t;

static void tun_drain(poller_t *p, int status) {
  reader_t *r = (reader_t *)p;
  uint32_t n = 0;
  int err = 0;
  /* On EPOLLERR libuv reports UV_EBADF and stops the poll; reading anyway drains what is queued
   * and yields the kernel's own errno (EBADFD once the interface was deleted). */
  const size_t cap = r->slot_size - r->headroom + r->vnet;
  while (n < r->batch_max) {
    uint8_t *pkt = r->slab + (size_t)n * r->slot_size + r->headroom - r->vnet;
    ssize_t k = read(r->fd, pkt, cap);
    if (k < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
      break;
    }
    if (k == 0) break;
    if ((size_t)k > cap || (size_t)k <= r->vnet) { /* cut short (the kernel reports the full length), or no packet */
      r->truncated++;
      continue;
    }
    r->lengths[n++] = (uint32_t)k - r->vnet;
  }
  if (status < 0 && err == 0) err = -status;
  if (n == 0 && r->truncated == 0 && err == 0) return;
  if (err != 0) poller_pause(p); /* JS decides what happens next */
  const int32_t args[3] = {(int32_t)n, (int32_t)r->truncated, err};
  r->truncated = 0;
  poller_deliver(p, 3, args);
}

static napi_value js_read_start(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!get_args(env, info, 8, argv)) return NULL;
  int32_t fd, slot_size, headroom, batch_max, vnet;
  uint8_t *slab, *lengths;
  size_t slab_len, lengths_len;
  if (!get_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!get_bytes(env, argv[1], &slab, &slab_len)) return throw_type(env, "hypha_tun: slab must be a Uint8Array");
  napi_typedarray_type lt;
  size_t lcount;
  void *ldata;
  bool is_ta = false;
  napi_is_typedarray(env, argv[2], &is_ta);
  if (!is_ta || napi_get_typedarray_info(env, argv[2], &lt, &lcount, &ldata, NULL, NULL) != napi_ok ||
      lt != napi_uint32_array)
    return throw_type(env, "hypha_tun: lengths must be a Uint32Array");
  lengths = ldata;
  lengths_len = lcount;
  if (!get_i32(env, argv[3], "slotSize", &slot_size) || !get_i32(env, argv[4], "headroom", &headroom) ||
      !get_i32(env, argv[5], "batchMax", &batch_max) || !get_i32(env, argv[7], "vnetBytes", &vnet))
    return NULL;
  if (vnet < 0 || vnet > headroom) return throw_range(env, "hypha_tun: vnetBytes must fit in the headroom");
  napi_valuetype cbt;
  napi_typeof(env, argv[6], &cbt);
  if (cbt != napi_function) return throw_type(env, "hypha_tun: callback must be a function");
  if (batch_max < 1 || slot_size < 1 || headroom < 0 || headroom >= slot_size)
    return throw_range(env, "hypha_tun: need batchMax >= 1 and 0 <= headroom < slotSize");
  if (slab_len < (size_t)batch_max * (size_t)slot_size || lengths_len < (size_t)batch_max)
    return throw_range(env, "hypha_tun: slab or lengths is smaller than batchMax slots");

  reader_t *r = calloc(1, sizeof *r);
  if (!r) return throw_errno(env, ENOMEM, "calloc", "cannot allocate a TUN reader");
  r->fd = fd;
  r->slab = slab;
  r->lengths = (uint32_t *)lengths;
  r->slot_size = (uint32_t)slot_size;
  r->headroom = (uint32_t)headroom;
  r->batch_max = (uint32_t)batch_max;
  r->vnet = (uint32_t)vnet;
  const napi_value keep[2] = {argv[1], argv[2]};
  return poller_start(env, &r->poller, fd, tun_drain, argv[6], keep, 2, "hypha:tun-read");
}

static napi_value js_read_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  return poller_stop(env, argv[0]);
}

/* ---- writes ---------------------------------------------------------------------------- */

/* One packet is one write(2); TUN never writes part of a packet. Returns 0 or errno. */
static int write_packet(int fd, const uint8_t *p, size_t len) {
  for (;;) {
    ssize_t k = write(fd, p, len);
    if (k >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

static napi_value js_write(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, offset, length;
  uint8_t *data;
  size_t len;
  if (!get_args(env, info, 4, argv) || !get_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!get_bytes(env, argv[1], &data, &len)) return throw_type(env, "hypha_tun: packet must be a Uint8Array");
  if (!get_i32(env, argv[2], "offset", &offset) || !get_i32(env, argv[3], "length", &length)) return NULL;
  if (offset < 0 || length < 0 || (size_t)offset + (size_t)length > len)
    return throw_range(env, "hypha_tun: offset and length must lie inside the packet buffer");
  return make_int(env, write_packet(fd, data + offset, (size_t)length));
}

/* One packet behind its virtio_net_hdr (IFF_VNET_HDR): one writev(2). Returns 0 or errno. */
static napi_value js_write_vnet(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd;
  uint8_t *hdr, *pkt;
  size_t hdr_len, pkt_len;
  if (!get_args(env, info, 3, argv) || !get_i32(env, argv[0], "fd", &fd)) return NULL;
  if (!get_bytes(env, argv[1], &hdr, &hdr_len) || !get_bytes(env, argv[2], &pkt, &pkt_len))
    return throw_type(env, "hypha_tun: header and packet must be Uint8Arrays");
  struct iovec iov[2] = {{hdr, hdr_len}, {pkt, pkt_len}};
  for (;;) {
    ssize_t k = writev(fd, iov, 2);
    if (k >= 0) return make_int(env, 0);
    if (errno != EINTR) return make_int(env, errno);
  }
}

/*
 * Writes packets[0..count) one write(2) each (a TUN fd takes one packet per call, so writev would
 * glue them together). Stops at the first EAGAIN, counting it and every packet after it as
 * `again`; any other error drops that one packet as `failed` and goes on.
 * result = [written, again, failed, lastErrno]. Returns written.
 */
static napi_value js_write_batch(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, count;
  if (!get_args(env, info, 4, argv) || !get_i32(env, argv[0], "fd", &fd) ||
      !get_i32(env, argv[2], "count", &count))
    return NULL;
  bool is_array = false;
  napi_is_array(env, argv[1], &is_array);
  if (!is_array) return throw_type(env, "hypha_tun: packets must be an array");
  uint32_t array_len;
  napi_get_array_length(env, argv[1], &array_len);
  if (count < 0 || (uint32_t)count > array_len) return throw_range(env, "hypha_tun: count exceeds packets.length");
  uint8_t *res_bytes;
  size_t res_len;
  if (!get_bytes(env, argv[3], &res_bytes, &res_len) || res_len < 16)
    return throw_type(env, "hypha_tun: result must be an Int32Array(4)");
  int32_t *result = (int32_t *)res_bytes;

  int32_t written = 0, again = 0, failed = 0, last = 0;
  for (int32_t i = 0; i < count; i++) {
    napi_value el;
    uint8_t *p;
    size_t len;
    napi_get_element(env, argv[1], (uint32_t)i, &el);
    if (!get_bytes(env, el, &p, &len)) {
      failed++;
      last = EINVAL;
      continue;
    }
    int err = write_packet(fd, p, len);
    if (err == 0) {
      written++;
    } else if (err == EAGAIN || err == EWOULDBLOCK) {
      again = count - i;
      last = err;
      break;
    } else {
      failed++;
      last = err;
    }
  }
  result[0] = written;
  result[1] = again;
  result[2] = failed;
  result[3] = last;
  return make_int(env, written);
}

/* ---- module ---------------------------------------------------------------------------- */

static void set_const(napi_env env, napi_value obj, const char *name, int32_t v) {
  napi_set_named_property(env, obj, name, make_int(env, v));
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeFd", NULL, js_close_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setMtu", NULL, js_set_mtu, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getMtu", NULL, js_get_mtu, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setTxQueueLen", NULL, js_set_tx_queue_len, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setOffload", NULL, js_set_offload, NULL, NULL, NULL, napi_enumerable, NULL},
      {"checksum", NULL, js_checksum, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setUp", NULL, js_set_up, NULL, NULL, NULL, napi_enumerable, NULL},
      {"addAddress", NULL, js_add_address, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readStart", NULL, js_read_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readStop", NULL, js_read_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"write", NULL, js_write, NULL, NULL, NULL, napi_enumerable, NULL},
      {"writeBatch", NULL, js_write_batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"writeVnet", NULL, js_write_vnet, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);

  napi_value c;
  napi_create_object(env, &c);
  set_const(env, c, "IFF_VNET_HDR", IFF_VNET_HDR);
  set_const(env, c, "IFF_MULTI_QUEUE", IFF_MULTI_QUEUE);
  set_const(env, c, "TUN_F_CSUM", TUN_F_CSUM);
  set_const(env, c, "TUN_F_TSO6", TUN_F_TSO6);
  set_const(env, c, "IFNAMSIZ", IFNAMSIZ);
  set_const(env, c, "EAGAIN", EAGAIN);
  set_const(env, c, "EEXIST", EEXIST);
  set_const(env, c, "EINVAL", EINVAL);
  napi_set_named_property(env, exports, "constants", c);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
