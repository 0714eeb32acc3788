import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hypha-cli-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const io = {
    stdout: (t: string) => {
      out += t;
    },
    stderr: (t: string) => {
      err += t;
    },
    env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg'), ...env },
  };
  return { code: await main(args, io), out, err };
}

describe('hypha config', () => {
  it('show prints each value with its source; flags after -- win over the file and env', async () => {
    const file = join(dir, 'hypha.toml');
    writeFileSync(file, 'listen_port = 9700\ntun_name = "ovl0"\n');
    const r = await run(['config', 'show', '-c', file, '--json', '--', '--tun-name', 'ovl1'], {
      HYPHA_LISTEN_PORT: '9800',
    });
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.out) as Record<string, { value: string; source: string }>;
    expect(shown.listen_port?.value).toBe('9800');
    expect(shown.listen_port?.source).toContain('HYPHA_LISTEN_PORT');
    expect(shown.tun_name?.value).toBe('"ovl1"');
    expect(shown.tun_name?.source).toContain('--tun-name');
  });

  it('check exits 0 for the shipped file and 1 naming the line of a bad value', async () => {
    expect((await run(['config', 'check', 'config/hypha.toml'])).code).toBe(0);
    const file = join(dir, 'bad.toml');
    writeFileSync(file, '# comment\nlisten_port = 70000\n');
    const r = await run(['config', 'check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('listen_port');
    expect(r.err).toContain(':2');
  });

  it('keys lists every key with its environment variable', async () => {
    const r = await run(['config', 'keys']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('HYPHA_LISTEN_PORT');
    expect(r.out).toContain('discovery.enabled');
  });

  it('generate-keys writes to key_file from the configuration when --key-file is absent', async () => {
    const file = join(dir, 'hypha.toml');
    writeFileSync(file, 'key_file = "state/node.key"\n');
    const r = await run(['generate-keys', '-c', file]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(dir, 'state', 'node.key'))).toBe(true);
  });

  it('HYPHA_KEY_SEED is the identity loader’s, not an unknown configuration variable', async () => {
    const r = await run(['config', 'show'], { HYPHA_KEY_SEED: '00'.repeat(32) });
    expect(r.code, r.err).toBe(0);
    const typo = await run(['config', 'show'], { HYPHA_LISTEN_PROT: '1' });
    expect(typo.code).toBe(1);
    expect(typo.err).toContain('HYPHA_LISTEN_PORT');
  });
});
