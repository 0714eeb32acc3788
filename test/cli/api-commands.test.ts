import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdminApi, startAdminApi } from '../../src/api/server.js';
import { main } from '../../src/cli/main.js';
import { FakeBackend } from '../api/fake-backend.js';

const execFileAsync = promisify(execFile);

let dir: string;
let backend: FakeBackend;
let api: AdminApi;
const extra: AdminApi[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hypha-cli-api-'));
  backend = new FakeBackend();
  api = await startAdminApi({
    address: { kind: 'tcp', text: '127.0.0.1:0', host: '127.0.0.1', port: 0 },
    backend,
  });
});
afterEach(async () => {
  await api.close();
  for (const a of extra.splice(0)) await a.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), ...env },
  });
  return { code, out, err };
}

/** Runs a command against the stand-in API. */
const cli = (...args: string[]) => run([...args, '--api', api.address]);

describe('hypha info / stats', () => {
  it('info prints the node as aligned fields, and --json the API answer', async () => {
    const r = await cli('info');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`public key  ${'a1'.repeat(32)}\n`);
    expect(r.out).toContain('address     4a1:2b3c:4d5e:6f70:1:2:3:4\n');
    expect(r.out).toContain('uptime      1h02m\n');
    expect(r.out).toContain(`api         ${api.address}\n`);
    const j = await cli('info', '--json');
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toEqual(backend.node);
  });

  it('stats prints counters and gauges sorted by name, and --json the API answer', async () => {
    const r = await cli('stats');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^COUNTER\s+VALUE$/);
    expect(lines[1]).toMatch(/^dataplane\.delivered\s+1200$/);
    expect(r.out).toMatch(/dataplane\.drop\.no-route\s+5\n/);
    expect(r.out).toMatch(/\nGAUGE\s+VALUE\n/);
    expect(JSON.parse((await cli('stats', '--json')).out)).toEqual(backend.statistics);
  });
});

describe('hypha peers', () => {
  it('list prints a table with one row per peer', async () => {
    const r = await cli('peers', 'list');
    expect(r.code).toBe(0);
    const [header, first, second] = r.out.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'ENDPOINT',
      'STATE',
      'ORIGIN',
      'PEER',
      'ADDRESS',
      'RTT',
      'COST',
      'RX',
      'TX',
      'HANDSHAKE',
    ]);
    expect(first).toMatch(
      /^udp:\/\/198\.18\.0\.2:9651\s+up\s+static\s+b2b2b2b2b2b2b2b2\s+5b2:1111:2222:3333::1\s+12\.4 ms\s+96\s+1\.5 MiB\/1200\s+20\.0 KiB\/80\s+42s ago$/,
    );
    expect(second).toMatch(/^udp:\/\/\[fd00:198:18::3\]:9651\s+connecting\s+discovered\s+-\s+-/);
    expect(JSON.parse((await cli('peers', 'list', '--json')).out)).toEqual({ peers: backend.peerList });
  });

  it('list says how to add a peer when there are none', async () => {
    backend.peerList = [];
    expect((await cli('peers', 'list')).out).toContain('hypha peers add');
  });

  it('add sends the canonical URI; a duplicate is exit 1 with the daemon detail and code', async () => {
    const r = await cli('peers', 'add', 'udp://[FD00::7]:9651');
    expect(r).toEqual({ code: 0, out: 'added udp://[fd00::7]:9651 (connecting)\n', err: '' });
    expect(backend.calls).toEqual(['add udp://[fd00::7]:9651']);
    const dup = await cli('peers', 'add', 'udp://198.18.0.2:9651', '--json');
    expect(dup.code).toBe(1);
    expect(dup.out).toBe('');
    expect(dup.err).toBe('hypha: udp://198.18.0.2:9651 is already a peer [HYPHA_ERR_API_CONFLICT]\n');
  });

  it('add --json prints the new PeerInfo', async () => {
    const r = await cli('peers', 'add', 'udp://198.18.0.9:9651', '--json');
    expect(JSON.parse(r.out)).toMatchObject({ endpoint: 'udp://198.18.0.9:9651', state: 'connecting' });
  });

  it('a malformed URI is a usage error (exit 2) and never reaches the daemon', async () => {
    const r = await cli('peers', 'add', 'tcp://1.2.3.4:5');
    expect(r.code).toBe(2);
    expect(r.err).toContain('udp://IPV4:PORT');
    expect((await cli('peers', 'remove', '1.2.3.4')).code).toBe(2);
    expect(backend.calls).toEqual([]);
  });

  it('remove deletes a peer (exit 0) and an unknown one is exit 1', async () => {
    const r = await cli('peers', 'remove', 'udp://198.18.0.2:9651');
    expect(r).toEqual({ code: 0, out: 'removed udp://198.18.0.2:9651\n', err: '' });
    const again = await cli('peers', 'remove', 'udp://198.18.0.2:9651', '--json');
    expect(again.code).toBe(1);
    expect(again.err).toContain('[HYPHA_ERR_API_NOT_FOUND]');
    const json = await cli('peers', 'remove', 'udp://[fd00:198:18::3]:9651', '--json');
    expect(JSON.parse(json.out)).toEqual({ removed: 'udp://[fd00:198:18::3]:9651' });
  });
});

describe('hypha routes', () => {
  it('selected and fallback print route tables', async () => {
    const r = await cli('routes', 'selected');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PREFIX\s+NEXT HOP\s+VIA\s+METRIC\s+SEQNO\s+FEASIBLE\s+EXPIRES\n/);
    expect(r.out).toMatch(
      /5b2:1111:2222:3333::\/64\s+b2b2b2b2b2b2b2b2\s+udp:\/\/198\.18\.0\.2:9651\s+96\s+7\s+yes\s+1m01s\n/,
    );
    expect(JSON.parse((await cli('routes', 'selected', '--json')).out)).toEqual({ routes: backend.selected });
    expect((await cli('routes', 'fallback')).out).toBe('no fallback routes\n');
  });

  it('queried prints the destinations being resolved', async () => {
    const r = await cli('routes', 'queried');
    expect(r.out).toMatch(/^PREFIX\s+WAITING\s+SINCE\n6c3:4444:5555:6666::\/64\s+3\s+1s ago\n$/);
    expect(JSON.parse((await cli('routes', 'queried', '--json')).out)).toEqual({ routes: backend.queried });
  });

  it('an unknown subcommand is a usage error', async () => {
    expect((await cli('routes', 'everything')).code).toBe(2);
  });
});

describe('reaching the daemon', () => {
  it('exit 3 naming the address and suggesting hypha run when nothing listens', async () => {
    const port = Number(api.address.split(':')[1]);
    await api.close();
    const r = await run(['peers', 'list', '--api', `127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`127.0.0.1:${port}`);
    expect(r.err).toContain('connection refused');
    expect(r.err).toContain('hypha run');
    expect(r.err).toContain('systemctl');
    const sock = await run(['info', '--api', `unix:${join(dir, 'none.sock')}`]);
    expect(sock.code).toBe(3);
    expect(sock.err).toContain(`no socket at ${join(dir, 'none.sock')}`);
  });

  it('exit 2 for a malformed --api', async () => {
    const r = await run(['info', '--api', 'localhost']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--api');
  });

  it('takes api_addr and api_token_file from the configuration', async () => {
    const sock = join(dir, 'api.sock');
    const secured = await startAdminApi({
      address: { kind: 'unix', text: `unix:${sock}`, path: sock },
      backend,
      token: 'tok3n',
    });
    extra.push(secured);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'tok3n\n', { mode: 0o600 });
    const config = join(dir, 'hypha.toml');
    writeFileSync(config, `api_addr = "unix:${sock}"\napi_token_file = "${tokenFile}"\n`);
    const r = await run(['info', '--json', '--config', config]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).publicKey).toBe(backend.node.publicKey);
    // the same through HYPHA_CONFIG
    expect((await run(['stats'], { HYPHA_CONFIG: config })).code).toBe(0);
    // a wrong token is a daemon error (exit 1) that says where the token comes from
    const wrong = join(dir, 'wrong');
    writeFileSync(wrong, 'nope');
    const bad = await run(['info', '--config', config, '--token-file', wrong]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('[HYPHA_ERR_API_UNAUTHORIZED]');
    expect(bad.err).toContain('--token-file');
    // an unreadable token file is an error before any request
    const missing = await run(['info', '--config', config, '--token-file', join(dir, 'absent')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('HYPHA_ERR_API_TOKEN');
  });
});

describe('bin/hypha.js (the built program)', () => {
  const bin = new URL('../../bin/hypha.js', import.meta.url).pathname;
  const spawnCli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], {
        env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), HYPHA_CONFIG: '' },
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exit codes 0, 1, 2 and 3', async () => {
    const ok = await spawnCli(['peers', 'list', '--json', '--api', api.address]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ peers: backend.peerList });
    const fail = await spawnCli(['peers', 'remove', 'udp://9.9.9.9:9', '--api', api.address]);
    expect(fail.code, fail.stderr).toBe(1);
    expect(fail.stderr).toContain('not a peer');
    const usage = await spawnCli(['peers', 'add', 'nonsense', '--api', api.address]);
    expect(usage.code, usage.stderr).toBe(2);
    const down = await spawnCli(['info', '--api', '127.0.0.1:1']);
    expect(down.code, down.stderr).toBe(3);
    expect(down.stderr).toContain('127.0.0.1:1');
  });
});
