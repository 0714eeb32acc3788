import { describe, expect, it } from 'vitest';
import { configCheck, configKeys, configShow, EXIT_INVALID_CONFIG } from '../../src/config/index.js';

const BASE = { uid: 1000, cwd: '/work', env: { HOME: '/home/u' } } as const;

describe('configShow', () => {
  const opts = {
    ...BASE,
    file: '/etc/hypha/hypha.toml',
    fileText: 'listen_port = 9000\nmetrics_addr = ""\n',
    env: { ...BASE.env, HYPHA_LOG__LEVEL: 'debug' },
    flags: ['--peer', 'udp://[FD00::2]:9651'],
  };

  it('prints every key with its value and source, as TOML', () => {
    const r = configShow(opts);
    expect(r.exitCode).toBe(0);
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('# effective hypha configuration; file /etc/hypha/hypha.toml');
    const row = (key: string) => lines.find((l) => l.startsWith(`${key} = `) || l.startsWith(`# ${key} is`));
    expect(row('listen_port')).toMatch(/^listen_port = 9000 +# \/etc\/hypha\/hypha\.toml:1$/);
    expect(row('metrics_addr')).toMatch(/^metrics_addr = "" +# \/etc\/hypha\/hypha\.toml:2$/);
    expect(row('log.level')).toMatch(/^log\.level = "debug" +# env HYPHA_LOG__LEVEL$/);
    expect(row('peers')).toMatch(/^peers = \["udp:\/\/\[fd00::2\]:9651"\] +# flag --peer$/);
    expect(row('key_file')).toMatch(/^key_file = "\/home\/u\/\.local\/state\/hypha\/key\.bin" +# default$/);
    expect(row('network.name')).toMatch(/^# network\.name is unset +# default$/);
  });

  it('prints JSON on request', () => {
    const r = configShow(opts, 'json');
    const out = JSON.parse(r.text) as Record<string, { value: string; source: string }>;
    expect(out.listen_port).toEqual({ value: '9000', source: '/etc/hypha/hypha.toml:1' });
    expect(out['log.level']).toEqual({ value: '"debug"', source: 'env HYPHA_LOG__LEVEL' });
  });

  it('prints the problems and fails on an invalid configuration', () => {
    const r = configShow({ ...opts, fileText: 'listen_prot = 1' });
    expect(r.exitCode).toBe(EXIT_INVALID_CONFIG);
    expect(r.text).toContain(
      '/etc/hypha/hypha.toml:1: listen_prot = 1: unknown key; did you mean listen_port?',
    );
  });
});

describe('configCheck', () => {
  it('says ok for a valid file, ignoring the environment', () => {
    expect(configCheck('/x/h.toml', { fileText: 'listen_port = 1' })).toEqual({
      text: '/x/h.toml: ok\n',
      exitCode: 0,
    });
  });

  it('lists every problem with its line', () => {
    const r = configCheck('/x/h.toml', { fileText: 'listen_port = 0\n[log]\nlevel = "loud"\n' });
    expect(r.exitCode).toBe(EXIT_INVALID_CONFIG);
    expect(r.text).toBe(
      [
        'invalid configuration (2 problems):',
        '  /x/h.toml:1: listen_port = 0: must be an integer from 1 to 65535',
        '  /x/h.toml:3: log.level = "loud": must be one of trace, debug, info, warn, error, fatal',
        '',
      ].join('\n'),
    );
  });
});

describe('configKeys', () => {
  it('lists every key with env var and flag', () => {
    const r = configKeys();
    expect(r.exitCode).toBe(0);
    expect(r.text).toContain('discovery.port (integer, default 9650)');
    expect(r.text).toContain('env HYPHA_DISCOVERY__PORT, flag --discovery-port');
  });
});
