import { describe, expect, it } from 'vitest';
import {
  interfaceNameProblem,
  isLocalOnly,
  parseListenAddress,
  parsePeerUri,
  parseTcpAddress,
} from '../../src/config/addresses.js';

describe('parsePeerUri', () => {
  it('parses an IPv4 peer', () => {
    expect(parsePeerUri('udp://198.18.0.2:9651')).toEqual({
      uri: 'udp://198.18.0.2:9651',
      host: '198.18.0.2',
      port: 9651,
      family: 4,
    });
  });

  it('parses a bracketed IPv6 peer and canonicalises case', () => {
    expect(parsePeerUri('UDP://[FD00:198:18::2]:9651')).toEqual({
      uri: 'udp://[fd00:198:18::2]:9651',
      host: 'fd00:198:18::2',
      port: 9651,
      family: 6,
    });
  });

  it('keeps an IPv6 zone, raw or percent-encoded (RFC 6874)', () => {
    expect(parsePeerUri('udp://[fe80::1%eth0]:9651').host).toBe('fe80::1%eth0');
    expect(parsePeerUri('udp://[fe80::1%25eth0]:9651').host).toBe('fe80::1%eth0');
  });

  it.each([
    ['udp://198.18.0.2', /missing ":PORT"/],
    ['udp://[fd00::2]', /missing ":PORT"/],
    ['udp://[fd00::2]9651', /missing ":PORT"/],
    ['udp://198.18.0.2:', /port "" is not a number/],
    ['udp://198.18.0.2:0', /outside 1 to 65535/],
    ['udp://198.18.0.2:65536', /outside 1 to 65535/],
    ['udp://198.18.0.2:96x1', /not a number/],
    ['tcp://198.18.0.2:9651', /unsupported scheme "tcp"/],
    ['quic://[fd00::2]:9651', /unsupported scheme "quic"/],
    ['198.18.0.2:9651', /not a URI/],
    ['udp://fd00::2:9651', /IPv6 address must be in brackets/],
    ['udp://[198.18.0.2]:9651', /is not an IPv6 address/],
    ['udp://example.org:9651', /not an IPv4 address or a bracketed IPv6 address/],
    ['udp://256.1.1.1:9651', /not an IPv4 address/],
    ['udp://198.18.0.2:9651/path', /no user, path or query/],
    ['udp://user@198.18.0.2:9651', /no user, path or query/],
    ['udp://[fd00::2:9651', /missing "]"/],
  ])('rejects %s, saying what form is expected', (uri, why) => {
    expect(() => parsePeerUri(uri)).toThrow(why);
    expect(() => parsePeerUri(uri)).toThrow(
      /udp:\/\/IPV4:PORT or udp:\/\/\[IPV6\]:PORT|outside|not a number/,
    );
  });
});

describe('listen addresses', () => {
  it('parses host:port for IPv4, IPv6 and localhost', () => {
    expect(parseTcpAddress('127.0.0.1:8989')).toMatchObject({
      host: '127.0.0.1',
      port: 8989,
      text: '127.0.0.1:8989',
    });
    expect(parseTcpAddress('[::1]:8989')).toMatchObject({ host: '::1', port: 8989, text: '[::1]:8989' });
    expect(parseTcpAddress('LocalHost:1')).toMatchObject({ host: 'localhost', port: 1 });
  });

  it('parses unix:/absolute/path and refuses a relative one', () => {
    expect(parseListenAddress('unix:/run/hypha/api.sock')).toEqual({
      kind: 'unix',
      text: 'unix:/run/hypha/api.sock',
      path: '/run/hypha/api.sock',
    });
    expect(() => parseListenAddress('unix:run/api.sock')).toThrow(/absolute/);
  });

  it('refuses host names and missing ports', () => {
    expect(() => parseTcpAddress('example.org:80')).toThrow(/not an IP address/);
    expect(() => parseTcpAddress('127.0.0.1')).toThrow(/missing ":PORT"/);
  });

  it('tells loopback and Unix sockets from reachable addresses', () => {
    for (const a of [
      '127.0.0.1:1',
      '127.8.9.1:1',
      '[::1]:1',
      'localhost:1',
      '[::ffff:127.0.0.1]:1',
      'unix:/x',
    ]) {
      expect(isLocalOnly(parseListenAddress(a)), a).toBe(true);
    }
    for (const a of ['0.0.0.0:1', '[::]:1', '192.168.1.1:1', '[fd00::1]:1', '128.0.0.1:1']) {
      expect(isLocalOnly(parseListenAddress(a)), a).toBe(false);
    }
  });
});

describe('interfaceNameProblem (Linux dev_valid_name)', () => {
  it('accepts 1 to 15 bytes', () => {
    expect(interfaceNameProblem('hypha0')).toBeUndefined();
    expect(interfaceNameProblem('a'.repeat(15))).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['a'.repeat(16), /at most 15 bytes/],
    ['é'.repeat(8), /at most 15 bytes/],
    ['.', /"\."/],
    ['..', /"\."/],
    ['tun/0', /'\/'/],
    ['tun 0', /whitespace/],
    ['tun:0', /':'/],
  ])('rejects %j', (name, why) => {
    expect(interfaceNameProblem(name)).toMatch(why);
  });
});
