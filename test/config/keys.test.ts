import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configCheck, DEFAULT_TUN_MTU, describeConfig, envName, loadConfig } from '../../src/config/index.js';
import { KEYS } from '../../src/config/keys.js';
import { editDistance, nearest } from '../../src/config/suggest.js';
import { DEFAULT_TUN_MTU as LINK_DEFAULT_TUN_MTU } from '../../src/wire/link/constants.js';

const SHIPPED = new URL('../../config/hypha.toml', import.meta.url);
const DOCS = new URL('../../docs/configuration.md', import.meta.url);

describe('the key table', () => {
  it('keeps the default TUN MTU equal to the link layer constant', () => {
    expect(DEFAULT_TUN_MTU).toBe(LINK_DEFAULT_TUN_MTU);
  });

  it('names environment variables HYPHA_ + upper case, with . as __', () => {
    expect(envName('listen_port')).toBe('HYPHA_LISTEN_PORT');
    expect(envName('discovery.enabled')).toBe('HYPHA_DISCOVERY__ENABLED');
    expect(envName('network.psk_file')).toBe('HYPHA_NETWORK__PSK_FILE');
  });

  it('describes every key, with distinct env vars and flags', () => {
    const docs = describeConfig();
    expect(docs.map((d) => d.key)).toEqual(KEYS.map((k) => k.key));
    expect(new Set(docs.map((d) => d.env)).size).toBe(docs.length);
    expect(new Set(docs.map((d) => d.flag)).size).toBe(docs.length);
    for (const d of docs) expect(d.doc.length, d.key).toBeGreaterThan(10);
  });

  it('has defaults that pass their own schemas', () => {
    for (const k of KEYS) {
      const def = k.default({ stateDir: '/var/lib/hypha' });
      if (def !== undefined) expect(k.schema.safeParse(def).success, k.key).toBe(true);
    }
  });

  it('accepts every key through its environment variable and its flag', () => {
    const sample: Record<string, string> = {
      key_file: '/k',
      listen_port: '1',
      peers: 'udp://1.2.3.4:5',
      tun_name: 't0',
      tun_mtu: '1500',
      api_addr: '127.0.0.2:1',
      api_allow_remote: 'true',
      api_token_file: '/t',
      metrics_addr: '[::1]:2',
      'discovery.enabled': 'false',
      'discovery.interfaces': 'eth0,eth1',
      'discovery.port': '3',
      'network.name': 'n',
      'network.psk_file': '/p',
      'log.level': 'trace',
      'log.format': 'json',
    };
    expect(Object.keys(sample).sort()).toEqual(KEYS.map((k) => k.key).sort());
    const env = Object.fromEntries(describeConfig().map((d) => [d.env, sample[d.key]]));
    const flags = describeConfig().flatMap((d) => [`${d.flag}=${sample[d.key]}`]);
    const base = { uid: 1000, cwd: '/', env: { HOME: '/h' } };
    const viaEnv = loadConfig({ ...base, env: { ...base.env, ...env } });
    const viaFlags = loadConfig({ ...base, flags });
    expect(viaFlags).toEqual(viaEnv);
    expect(viaEnv.discovery.interfaces).toEqual(['eth0', 'eth1']);
    expect(viaEnv.network).toEqual({ name: 'n', psk_file: '/p' });
    expect(viaEnv.log).toEqual({ level: 'trace', format: 'json' });
  });
});

/** Returns the dotted keys a TOML text sets or shows commented out (`# key = ...`), tracking tables. */
function keysMentioned(text: string): Set<string> {
  const out = new Set<string>();
  let table = '';
  for (const line of text.split('\n')) {
    const header = /^\[([a-z_]+)\]/.exec(line);
    if (header !== null) table = `${header[1]}.`;
    const key = /^(?:# )?([a-z_.]+) = /.exec(line);
    if (key !== null) out.add(table + key[1]);
  }
  return out;
}

describe('config/hypha.toml', () => {
  const text = readFileSync(SHIPPED, 'utf8');

  it('loads, and gives the built-in defaults', () => {
    const opts = { uid: 1000, cwd: '/', env: { HOME: '/h' } };
    expect(loadConfig({ ...opts, file: '/etc/hypha/hypha.toml', fileText: text })).toEqual(loadConfig(opts));
  });

  it('passes `config check`', () => {
    expect(configCheck(SHIPPED.pathname)).toEqual({ text: `${SHIPPED.pathname}: ok\n`, exitCode: 0 });
  });

  it('shows every key of the schema, and no other', () => {
    expect([...keysMentioned(text)].sort()).toEqual(KEYS.map((k) => k.key).sort());
  });

  it('loads with every commented-out key uncommented', () => {
    const all = text
      .replace(/^peers = \[\]$/m, '')
      .replace(/^# ((?:key_file|peers|api_token_file|name|psk_file) = )/gm, '$1');
    const c = loadConfig({ uid: 1000, cwd: '/', env: {}, file: '/etc/hypha/hypha.toml', fileText: all });
    expect(c.network).toEqual({ name: 'my-network', psk_file: '/etc/hypha/network.key' });
    expect(c.peers.map((p) => p.family)).toEqual([4, 6]);
  });
});

describe('docs/configuration.md', () => {
  it('has a table row for every key with its env var, flag and default', () => {
    const md = readFileSync(DOCS, 'utf8');
    for (const d of describeConfig()) {
      const row = md
        .split('\n')
        .find((l) => new RegExp(`^\\| \`${d.key}\` +\\|`).test(l) && l.includes(`\`${d.flag}\``));
      expect(row, d.key).toBeDefined();
      expect(row).toContain(`\`${d.env}\``);
      expect(row).toContain(
        d.default.startsWith('<') || d.default === 'unset' ? d.default : `\`${d.default}\``,
      );
    }
  });
});

describe('suggestions', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('lisetn_port', 'listen_port')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('folds case, dashes and dots, and matches on the last segment', () => {
    const keys = KEYS.map((k) => k.key);
    expect(nearest('ListenPort', keys)).toBe('listen_port');
    expect(nearest('psk_file', keys)).toBe('network.psk_file');
    expect(nearest('interface', keys)).toBe('discovery.interfaces');
    expect(nearest('xyz', keys)).toBeUndefined();
    expect(nearest('', keys)).toBeUndefined();
  });
});
