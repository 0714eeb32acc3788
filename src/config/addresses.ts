import { isIPv4, isIPv6 } from 'node:net';

/** A peer to connect to, parsed from `udp://198.18.0.2:9651` or `udp://[fd00:198:18::2]:9651`. */
export interface PeerEndpoint {
  /** The canonical URI (scheme lower-cased, IPv6 lower-cased and bracketed). */
  readonly uri: string;
  /** The IP address without brackets; an IPv6 zone stays attached (`fe80::1%eth0`). */
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** A TCP listening address such as `127.0.0.1:8989` or `[::1]:8989`. */
export interface TcpAddress {
  readonly kind: 'tcp';
  /** The address as written in canonical form, `host:port` with IPv6 bracketed. */
  readonly text: string;
  /** The IP address (or `localhost`) without brackets. */
  readonly host: string;
  readonly port: number;
}

/** A Unix socket address, written `unix:/absolute/path`. */
export interface UnixAddress {
  readonly kind: 'unix';
  readonly text: string;
  readonly path: string;
}

export type ListenAddress = TcpAddress | UnixAddress;

export const PEER_URI_FORM = 'udp://IPV4:PORT or udp://[IPV6]:PORT, e.g. udp://198.18.0.2:9651';
export const TCP_ADDRESS_FORM =
  'HOST:PORT with HOST an IPv4 address, [IPv6] or localhost, e.g. 127.0.0.1:8989';

/** Returns the port number in `text`, a decimal from 1 to 65535, or throws RangeError. */
function parsePort(text: string, what: string): number {
  if (!/^[0-9]{1,5}$/.test(text))
    throw new RangeError(`${what} port "${text}" is not a number from 1 to 65535`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new RangeError(`${what} port ${port} is outside 1 to 65535`);
  return port;
}

/**
 * Splits `host:port` where an IPv6 host is bracketed, returning the bare host and the port text.
 * Throws RangeError naming `form` when the shape is wrong.
 */
function splitHostPort(text: string, form: string): { host: string; bracketed: boolean; port: string } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new RangeError(`missing "]" after the IPv6 address; expected ${form}`);
    if (text[close + 1] !== ':') throw new RangeError(`missing ":PORT" after the address; expected ${form}`);
    return { host: text.slice(1, close), bracketed: true, port: text.slice(close + 2) };
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw new RangeError(`missing ":PORT"; expected ${form}`);
  const host = text.slice(0, colon);
  if (host.includes(':')) throw new RangeError(`an IPv6 address must be in brackets; expected ${form}`);
  return { host, bracketed: false, port: text.slice(colon + 1) };
}

/** Returns the IPv6 address in `host`, decoding an RFC 6874 zone (`%25eth0`), or undefined if it is not one. */
function ipv6(host: string): string | undefined {
  const decoded = host.replace(/%25/, '%');
  return isIPv6(decoded) ? decoded.toLowerCase() : undefined;
}

/**
 * Parses a peer URI: `udp://` followed by an IPv4 address or a bracketed IPv6 address, then `:PORT`.
 * Throws RangeError with a message that shows the expected form.
 */
export function parsePeerUri(uri: string): PeerEndpoint {
  if (typeof uri !== 'string') throw new TypeError('peer URI must be a string');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(uri);
  if (m === null) throw new RangeError(`not a URI; expected ${PEER_URI_FORM}`);
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'udp') throw new RangeError(`unsupported scheme "${m[1]}"; expected ${PEER_URI_FORM}`);
  const rest = m[2]!;
  if (/[/?#@]/.test(rest)) throw new RangeError(`no user, path or query allowed; expected ${PEER_URI_FORM}`);
  const { host, bracketed, port: portText } = splitHostPort(rest, PEER_URI_FORM);
  const port = parsePort(portText, 'peer');
  if (bracketed) {
    const v6 = ipv6(host);
    if (v6 === undefined)
      throw new RangeError(`"[${host}]" is not an IPv6 address; expected ${PEER_URI_FORM}`);
    return { uri: `udp://[${v6}]:${port}`, host: v6, port, family: 6 };
  }
  if (!isIPv4(host)) {
    throw new RangeError(
      `host "${host}" is not an IPv4 address or a bracketed IPv6 address; expected ${PEER_URI_FORM}`,
    );
  }
  return { uri: `udp://${host}:${port}`, host, port, family: 4 };
}

/** Parses a TCP listening address `HOST:PORT` (IPv4, `[IPv6]` or `localhost`). Throws RangeError. */
export function parseTcpAddress(text: string): TcpAddress {
  if (typeof text !== 'string') throw new TypeError('address must be a string');
  const { host, bracketed, port: portText } = splitHostPort(text, TCP_ADDRESS_FORM);
  const port = parsePort(portText, 'address');
  if (bracketed) {
    const v6 = ipv6(host);
    if (v6 === undefined)
      throw new RangeError(`"[${host}]" is not an IPv6 address; expected ${TCP_ADDRESS_FORM}`);
    return { kind: 'tcp', text: `[${v6}]:${port}`, host: v6, port };
  }
  if (!isIPv4(host) && host.toLowerCase() !== 'localhost') {
    throw new RangeError(`host "${host}" is not an IP address; expected ${TCP_ADDRESS_FORM}`);
  }
  const h = host.toLowerCase();
  return { kind: 'tcp', text: `${h}:${port}`, host: h, port };
}

/** Parses `HOST:PORT` or `unix:/absolute/path`. Throws RangeError. */
export function parseListenAddress(text: string): ListenAddress {
  if (typeof text !== 'string') throw new TypeError('address must be a string');
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (!path.startsWith('/'))
      throw new RangeError('a unix socket path must be absolute: unix:/absolute/path');
    if (path.includes('\0')) throw new RangeError('a unix socket path cannot contain NUL');
    return { kind: 'unix', text, path };
  }
  return parseTcpAddress(text);
}

/** Returns whether a listening address is reachable only from this host (loopback or a Unix socket). */
export function isLocalOnly(addr: ListenAddress): boolean {
  if (addr.kind === 'unix') return true;
  const h = addr.host;
  if (h === 'localhost' || h === '::1') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  // IPv4-mapped loopback, ::ffff:127.x.y.z (RFC 4291 §2.5.5.2).
  return /^::ffff:127\./.test(h);
}

/** Linux's IFNAMSIZ (`include/uapi/linux/if.h`): 16 bytes including the terminating NUL. */
export const IFNAMSIZ = 16;

/**
 * Returns why `name` is not a valid Linux interface name, or undefined when it is.
 * Mirrors `dev_valid_name()` in `net/core/dev.c`: 1 to IFNAMSIZ-1 bytes, not "." or "..",
 * no '/', ':' or whitespace.
 */
export function interfaceNameProblem(name: string): string | undefined {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0) return 'must not be empty';
  if (bytes > IFNAMSIZ - 1) return `must be at most ${IFNAMSIZ - 1} bytes (Linux IFNAMSIZ), got ${bytes}`;
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  if (/[/:\s\0]/.test(name)) return "must not contain '/', ':', NUL or whitespace";
  return undefined;
}
