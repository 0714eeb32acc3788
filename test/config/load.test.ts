import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type ConfigProblem,
  type LoadOptions,
  loadConfig,
  resolveConfig,
} from '../../src/config/index.js';

const FILE = '/etc/hypha/hypha.toml';
const BASE = { env: { HOME: '/home/u' }, uid: 1000, cwd: '/work' } as const;

function load(opts: Partial<LoadOptions> = {}) {
  return loadConfig({ ...BASE, ...opts, env: { ...BASE.env, ...opts.env } });
}

function fromText(text: string, opts: Partial<LoadOptions> = {}) {
  return load({ file: FILE, fileText: text, ...opts });
}

/** Returns the problems of the ConfigError that `f` throws; fails if it throws anything else. */
function problemsOf(f: () => unknown): readonly ConfigProblem[] {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('HYPHA_ERR_CONFIG');
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

function originOf(key: string, opts: Partial<LoadOptions>) {
  const r = resolveConfig({ ...BASE, ...opts, env: { ...BASE.env, ...opts.env } });
  return r.entries.find((e) => e.key === key)!.origin;
}

describe('defaults', () => {
  it('gives every documented default with no sources', () => {
    const c = load();
    expect(c.listen_port).toBe(9651);
    expect(c.peers).toEqual([]);
    expect(c.tun_name).toBe('hypha0');
    expect(c.tun_mtu).toBe(1352);
    expect(c.api_addr).toEqual({ kind: 'tcp', text: '127.0.0.1:8989', host: '127.0.0.1', port: 8989 });
    expect(c.api_allow_remote).toBe(false);
    expect(c.api_token_file).toBeUndefined();
    expect(c.metrics_addr).toMatchObject({ host: '127.0.0.1', port: 9090 });
    expect(c.discovery).toEqual({ enabled: true, interfaces: [], port: 9650 });
    expect(c.network).toBeUndefined();
    expect(c.log).toEqual({ level: 'info', format: 'auto' });
  });

  it('puts key_file under /var/lib/hypha for root', () => {
    expect(load({ uid: 0 }).key_file).toBe('/var/lib/hypha/key.bin');
  });

  it('puts key_file under $XDG_STATE_HOME, else ~/.local/state, for other users', () => {
    expect(load({ env: { XDG_STATE_HOME: '/xdg/state' } }).key_file).toBe('/xdg/state/hypha/key.bin');
    expect(load().key_file).toBe('/home/u/.local/state/hypha/key.bin');
    // A relative XDG_STATE_HOME is invalid per the XDG spec and ignored.
    expect(load({ env: { XDG_STATE_HOME: 'rel' } }).key_file).toBe('/home/u/.local/state/hypha/key.bin');
  });

  it('returns a deeply frozen object', () => {
    const c = fromText('peers = ["udp://198.18.0.2:9651"]');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.peers)).toBe(true);
    expect(Object.isFrozen(c.peers[0])).toBe(true);
    expect(Object.isFrozen(c.discovery)).toBe(true);
    expect(() => {
      (c as { listen_port: number }).listen_port = 1;
    }).toThrow(TypeError);
  });
});

describe('precedence: flag > env > file > default', () => {
  const text = 'listen_port = 1001\n[log]\nlevel = "warn"\n';

  it('file beats default', () => {
    expect(fromText(text).listen_port).toBe(1001);
    expect(originOf('listen_port', { file: FILE, fileText: text })).toEqual({
      kind: 'file',
      path: FILE,
      line: 1,
    });
  });

  it('env beats file', () => {
    const opts = { env: { HYPHA_LISTEN_PORT: '1002', HYPHA_LOG__LEVEL: 'debug' } };
    const c = fromText(text, opts);
    expect(c.listen_port).toBe(1002);
    expect(c.log.level).toBe('debug');
    expect(originOf('log.level', { file: FILE, fileText: text, ...opts })).toEqual({
      kind: 'env',
      name: 'HYPHA_LOG__LEVEL',
    });
  });

  it('flag beats env and file, as argv or as a parsed record', () => {
    const env = { HYPHA_LISTEN_PORT: '1002' };
    expect(fromText(text, { env, flags: ['--listen-port', '1003'] }).listen_port).toBe(1003);
    expect(fromText(text, { env, flags: ['--listen-port=1004'] }).listen_port).toBe(1004);
    expect(fromText(text, { env, flags: { listenPort: 1005 } }).listen_port).toBe(1005);
    expect(fromText(text, { env, flags: { 'listen-port': '1006' } }).listen_port).toBe(1006);
    expect(fromText(text, { env, flags: { listen_port: '1007' } }).listen_port).toBe(1007);
    expect(fromText(text, { env, flags: ['--set', 'listen_port=1008'] }).listen_port).toBe(1008);
    expect(
      originOf('listen_port', { file: FILE, fileText: text, env, flags: ['--listen-port', '1003'] }),
    ).toEqual({
      kind: 'flag',
      flag: '--listen-port',
    });
  });

  it('a layer that sets a list replaces the lower layer, and repeated flags append', () => {
    const file = 'peers = ["udp://10.0.0.1:1"]';
    expect(fromText(file).peers.map((p) => p.uri)).toEqual(['udp://10.0.0.1:1']);
    const env = { HYPHA_PEERS: 'udp://10.0.0.2:2, udp://[fd00::3]:3' };
    expect(fromText(file, { env }).peers.map((p) => p.uri)).toEqual([
      'udp://10.0.0.2:2',
      'udp://[fd00::3]:3',
    ]);
    const flags = ['--peer', 'udp://10.0.0.4:4', '--peer', 'udp://10.0.0.5:5'];
    expect(fromText(file, { env, flags }).peers.map((p) => p.uri)).toEqual([
      'udp://10.0.0.4:4',
      'udp://10.0.0.5:5',
    ]);
  });

  it('dotted keys and tables mean the same thing in the file', () => {
    expect(fromText('discovery.port = 7000').discovery.port).toBe(7000);
    expect(fromText('[discovery]\nport = 7000').discovery.port).toBe(7000);
    expect(fromText('discovery = { port = 7000 }').discovery.port).toBe(7000);
  });
});

describe('reset to default', () => {
  it('--reset puts a key back to its default though the file and env set it', () => {
    const file = 'listen_port = 1001\n[discovery]\nenabled = false\n';
    const env = { HYPHA_LISTEN_PORT: '1002' };
    const c = fromText(file, { env, flags: ['--reset', 'listen_port', '--reset', 'discovery.enabled'] });
    expect(c.listen_port).toBe(9651);
    expect(c.discovery.enabled).toBe(true);
    expect(
      originOf('listen_port', { file: FILE, fileText: file, env, flags: { reset: ['listen_port'] } }),
    ).toEqual({ kind: 'flag', flag: '--reset listen_port' });
  });

  it('--reset unsets an optional key', () => {
    const file = '[network]\nname = "n"\npsk_file = "k"\n';
    expect(fromText(file).network).toEqual({ name: 'n', psk_file: '/etc/hypha/k' });
    const c = fromText(file, { flags: ['--reset', 'network.name', '--reset', 'network.psk_file'] });
    expect(c.network).toBeUndefined();
  });

  it('a boolean flag can turn off what the file turned on, and on what it turned off', () => {
    expect(
      fromText('[discovery]\nenabled = true', { flags: ['--no-discovery-enabled'] }).discovery.enabled,
    ).toBe(false);
    expect(
      fromText('[discovery]\nenabled = true', { flags: ['--discovery-enabled=false'] }).discovery.enabled,
    ).toBe(false);
    expect(
      fromText('[discovery]\nenabled = false', { flags: ['--discovery-enabled'] }).discovery.enabled,
    ).toBe(true);
  });

  it('a flag can set the default value explicitly (unlike a merge that ignores default-valued flags)', () => {
    expect(fromText('listen_port = 1001', { flags: ['--listen-port', '9651'] }).listen_port).toBe(9651);
  });

  it('an empty environment variable unsets an optional key', () => {
    const file = 'api_token_file = "/t"';
    expect(fromText(file).api_token_file).toBe('/t');
    expect(fromText(file, { env: { HYPHA_API_TOKEN_FILE: '' } }).api_token_file).toBeUndefined();
  });

  it('refuses to set and reset the same key', () => {
    const ps = problemsOf(() => load({ flags: ['--listen-port', '1', '--reset', 'listen_port'] }));
    expect(ps).toHaveLength(1);
    expect(ps[0]!.message).toMatch(/also reset by --reset listen_port/);
  });
});

describe('unknown keys', () => {
  it('refuses an unknown file key and suggests the nearest', () => {
    const ps = problemsOf(() => fromText('listen_port = 1\nlisten-port = 2\nlisetn_port = 3\n'));
    expect(ps.map((p) => [p.key, p.suggestion, p.origin])).toEqual([
      ['listen-port', 'listen_port', { kind: 'file', path: FILE, line: 2 }],
      ['lisetn_port', 'listen_port', { kind: 'file', path: FILE, line: 3 }],
    ]);
  });

  it('suggests a key in its table, and a table key misplaced at the top', () => {
    const ps = problemsOf(() => fromText('enabled = false\n[discovery]\nenable = false\n'));
    expect(ps.map((p) => [p.key, p.suggestion])).toEqual([
      ['enabled', 'discovery.enabled'],
      ['discovery.enable', 'discovery.enabled'],
    ]);
    expect(ps[1]!.origin).toEqual({ kind: 'file', path: FILE, line: 3 });
  });

  it('gives no suggestion when nothing is close', () => {
    const ps = problemsOf(() => fromText('frobnicate = 1'));
    expect(ps[0]!.suggestion).toBeUndefined();
    expect(ps[0]!.message).toBe('unknown key');
  });

  it('refuses an unknown HYPHA_ variable and suggests the nearest', () => {
    const ps = problemsOf(() =>
      load({ env: { HYPHA_LISTEN_PROT: '1', HYPHA_LOG_LEVEL: 'debug', OTHER: 'x' } }),
    );
    expect(ps.map((p) => [p.key, p.suggestion])).toEqual([
      ['HYPHA_LISTEN_PROT', 'HYPHA_LISTEN_PORT'],
      ['HYPHA_LOG_LEVEL', 'HYPHA_LOG__LEVEL'],
    ]);
  });

  it('refuses an unknown flag, --set or --reset key, and suggests the nearest', () => {
    const ps = problemsOf(() =>
      load({ flags: ['--listen-prot', '1', '--set', 'tun_nme=x', '--reset', 'log.levle', 'stray'] }),
    );
    expect(ps.map((p) => [p.key, p.suggestion ?? p.message])).toEqual([
      ['--listen-prot', '--listen-port'],
      ['tun_nme', 'tun_name'],
      ['log.levle', 'log.level'],
      ['stray', 'unexpected argument'],
    ]);
    expect(problemsOf(() => load({ flags: { tunNmae: 'x' } }))[0]!.suggestion).toBe('--tun-name');
  });

  it('explains a top-level key written under a table', () => {
    const ps = problemsOf(() => fromText('[log]\nlevel = "info"\nlisten_port = 1\n'));
    expect(ps[0]!.key).toBe('log.listen_port');
    expect(ps[0]!.suggestion).toBe('listen_port');
    expect(ps[0]!.message).toMatch(/write it above the first \[table\] header/);
  });

  it('lists file problems by line, then environment, then flags', () => {
    const ps = problemsOf(() =>
      fromText('peers = ["x"]\nlisten_port = 0\nbogus = 1\n', {
        env: { HYPHA_TUN_MTU: '1' },
        flags: ['--tun-name', ''],
      }),
    );
    expect(ps.map((p) => p.key)).toEqual(['peers[0]', 'listen_port', 'bogus', 'tun_mtu', 'tun_name']);
  });

  it('refuses a known table written as a value', () => {
    const ps = problemsOf(() => fromText('log = "debug"'));
    expect(ps[0]!.message).toMatch(/must be a table: write \[log\]/);
  });
});

describe('bad values name the key, the source and what is allowed', () => {
  it('reports the file and line of each bad value', () => {
    const text = [
      '# comment',
      'listen_port = 70000',
      'tun_name = "much-too-long-name0"',
      '',
      '[log]',
      'level = "verbose"',
      'format = 3',
    ].join('\n');
    const ps = problemsOf(() => fromText(text));
    expect(ps.map((p) => [p.key, p.origin, p.value])).toEqual([
      ['listen_port', { kind: 'file', path: FILE, line: 2 }, '70000'],
      ['tun_name', { kind: 'file', path: FILE, line: 3 }, '"much-too-long-name0"'],
      ['log.level', { kind: 'file', path: FILE, line: 6 }, '"verbose"'],
      ['log.format', { kind: 'file', path: FILE, line: 7 }, '3'],
    ]);
    expect(ps[0]!.message).toBe('must be an integer from 1 to 65535');
    expect(ps[1]!.message).toMatch(/at most 15 bytes/);
    expect(ps[2]!.message).toBe('must be one of trace, debug, info, warn, error, fatal');
    expect(ps[3]!.message).toBe('must be one of json, pretty, auto');
  });

  it('renders all problems in one message', () => {
    try {
      fromText('listen_port = 0\ntun_mtu = 100\n');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe(
        [
          'invalid configuration (2 problems):',
          `  ${FILE}:1: listen_port = 0: must be an integer from 1 to 65535`,
          `  ${FILE}:2: tun_mtu = 100: must be an integer from 1280 to 65535`,
        ].join('\n'),
      );
    }
  });

  it('names the environment variable and shows its text', () => {
    const ps = problemsOf(() => load({ env: { HYPHA_TUN_MTU: 'big', HYPHA_DISCOVERY__ENABLED: 'maybe' } }));
    expect(ps.map((p) => [p.key, p.origin, p.value])).toEqual([
      ['tun_mtu', { kind: 'env', name: 'HYPHA_TUN_MTU' }, '"big"'],
      ['discovery.enabled', { kind: 'env', name: 'HYPHA_DISCOVERY__ENABLED' }, '"maybe"'],
    ]);
    expect(ps[1]!.message).toBe('must be true or false');
  });

  it('names the flag', () => {
    const ps = problemsOf(() =>
      load({ flags: ['--tun-mtu', '1279', '--set', 'log.format=xml', '--api-addr'] }),
    );
    expect(ps.map((p) => [p.key, p.origin])).toEqual([
      ['--api-addr', { kind: 'flag', flag: '--api-addr' }],
      ['tun_mtu', { kind: 'flag', flag: '--tun-mtu' }],
      ['log.format', { kind: 'flag', flag: '--set log.format' }],
    ]);
    expect(ps[0]!.message).toBe('needs a value');
  });

  it('reports a bad peer by index, with the expected form', () => {
    const text =
      'peers = [\n  "udp://198.18.0.2:9651",\n  "tcp://198.18.0.3:9651",\n  "udp://198.18.0.2",\n]';
    const ps = problemsOf(() => fromText(text));
    expect(ps.map((p) => [p.key, p.value])).toEqual([
      ['peers[1]', '"tcp://198.18.0.3:9651"'],
      ['peers[2]', '"udp://198.18.0.2"'],
    ]);
    expect(ps[0]!.origin).toEqual({ kind: 'file', path: FILE, line: 1 });
    for (const p of ps) expect(p.message).toMatch(/expected udp:\/\/IPV4:PORT or udp:\/\/\[IPV6\]:PORT/);
  });

  it('refuses a duplicate peer and a non-array peers', () => {
    expect(problemsOf(() => fromText('peers = ["udp://1.2.3.4:5", "udp://1.2.3.4:5"]'))[0]!.message).toMatch(
      /listed twice/,
    );
    expect(problemsOf(() => fromText('peers = "udp://1.2.3.4:5"'))[0]!.message).toMatch(
      /must be an array of peer URIs/,
    );
  });

  it('reports a TOML syntax error with its line', () => {
    const ps = problemsOf(() => fromText('listen_port = 1\ntun_name = \n'));
    expect(ps).toHaveLength(1);
    expect(ps[0]!.origin).toEqual({ kind: 'file', path: FILE, line: 2 });
    expect(ps[0]!.message).toMatch(/invalid TOML/);
  });

  it('reports a missing file', () => {
    const ps = problemsOf(() => load({ file: '/nonexistent/hypha.toml' }));
    expect(ps[0]!.message).toMatch(/cannot read the file \(ENOENT\)/);
  });

  it('collects problems from every source at once', () => {
    const ps = problemsOf(() =>
      fromText('listen_port = "x"', { env: { HYPHA_TUN_NAME: '' }, flags: ['--log-level', 'loud'] }),
    );
    expect(ps.map((p) => p.origin.kind).sort()).toEqual(['env', 'file', 'flag']);
  });

  it('reports a bad file value even when a flag overrides it', () => {
    const ps = problemsOf(() => fromText('listen_port = -1', { flags: ['--listen-port', '5'] }));
    expect(ps.map((p) => p.key)).toEqual(['listen_port']);
  });
});

describe('rules across keys', () => {
  it('needs network.name and network.psk_file together', () => {
    const ps = problemsOf(() => fromText('[network]\nname = "n"'));
    expect(ps[0]!.key).toBe('network.name');
    expect(ps[0]!.origin).toEqual({ kind: 'file', path: FILE, line: 2 });
    expect(ps[0]!.message).toMatch(/network.psk_file must be set too/);
    expect(problemsOf(() => load({ env: { HYPHA_NETWORK__PSK_FILE: 'k' } }))[0]!.key).toBe(
      'network.psk_file',
    );
  });

  it('resolves relative paths from the file against its directory, from env and flags against cwd', () => {
    const file = '[network]\nname = "n"\npsk_file = "psk.bin"';
    expect(fromText(file).network!.psk_file).toBe('/etc/hypha/psk.bin');
    expect(fromText(file, { env: { HYPHA_NETWORK__PSK_FILE: 'e.bin' } }).network!.psk_file).toBe(
      '/work/e.bin',
    );
    expect(fromText(file, { flags: ['--network-psk-file', 'f.bin'] }).network!.psk_file).toBe('/work/f.bin');
    expect(fromText('key_file = "~/k.bin"').key_file).toBe('/home/u/k.bin');
  });

  it('refuses a non-loopback API address without api_allow_remote and a token file', () => {
    const ps = problemsOf(() => fromText('api_addr = "0.0.0.0:8989"'));
    expect(ps[0]!.key).toBe('api_addr');
    expect(ps[0]!.message).toMatch(/api_allow_remote = true and api_token_file/);
    const ps2 = problemsOf(() => fromText('api_addr = "0.0.0.0:8989"\napi_allow_remote = true'));
    expect(ps2[0]!.key).toBe('api_token_file');
    const c = fromText(
      'api_addr = "[::]:8989"\napi_allow_remote = true\napi_token_file = "/etc/hypha/token"',
    );
    expect(c.api_addr).toMatchObject({ host: '::', port: 8989 });
    expect(fromText('api_addr = "unix:/run/hypha.sock"').api_addr).toEqual({
      kind: 'unix',
      text: 'unix:/run/hypha.sock',
      path: '/run/hypha.sock',
    });
  });

  it('disables metrics with an empty address', () => {
    expect(fromText('metrics_addr = ""').metrics_addr).toBeUndefined();
    expect(load({ env: { HYPHA_METRICS_ADDR: '' } }).metrics_addr).toBeUndefined();
  });

  it('needs the discovery port to differ from listen_port while discovery is on', () => {
    expect(problemsOf(() => fromText('listen_port = 9650'))[0]!.key).toBe('discovery.port');
    expect(fromText('listen_port = 9650\n[discovery]\nenabled = false').listen_port).toBe(9650);
  });
});

describe('config file location', () => {
  it('takes --config over the file option over $HYPHA_CONFIG', () => {
    const r = (o: Partial<LoadOptions>) =>
      resolveConfig({
        ...BASE,
        fileText: '',
        ...o,
        env: { ...BASE.env, HYPHA_CONFIG: '/env.toml', ...o.env },
      }).file;
    expect(r({})).toBe('/env.toml');
    expect(r({ file: 'rel.toml' })).toBe('/work/rel.toml');
    expect(r({ file: '/opt.toml', flags: ['-c', '/flag.toml'] })).toBe('/flag.toml');
    expect(r({ flags: { config: '/rec.toml' } })).toBe('/rec.toml');
    expect(r({ env: { HYPHA_CONFIG: '' } })).toBeUndefined();
    expect(r({ defaultFile: '/default.toml' })).toBe('/env.toml');
    expect(r({ defaultFile: '/default.toml', env: { HYPHA_CONFIG: '' } })).toBe('/default.toml');
  });

  it('reads the default file only if it exists', () => {
    const r = (defaultFile: string) => resolveConfig({ ...BASE, defaultFile }).file;
    expect(r('/nonexistent/hypha.toml')).toBeUndefined();
    const shipped = new URL('../../config/hypha.toml', import.meta.url).pathname;
    expect(r(shipped)).toBe(shipped);
  });
});
