import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun } from '../exec.js';
import type { Implementation } from './types.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const HYPHA_BIN = join(REPO_ROOT, 'bin', 'hypha.js');
const PORT = 9651;
const DEV = 'hypha0';

interface Identity {
  readonly publicKey: string;
  readonly address: string;
  readonly subnet: string;
}

/**
 * hypha from this checkout (dist/, built by the runner): `node bin/hypha.js run --config FILE`.
 * Discovery and metrics are off; the admin API sits on a unix socket in the side's own directory so
 * nothing collides with another node or another run. The dialling side lists the other as a static peer.
 */
export const hypha: Implementation = {
  name: 'hypha',
  description: 'hypha from this checkout (node, UDP over the IPv4 underlay, 400::/7 overlay)',
  requiredCommands: [],
  debianPackages: [],
  relays: true,
  // docs/OPERATING.md: hypha adds 148 bytes of headers, so tun_mtu 1352 fills a 1500-byte underlay
  maxOverlayMtu: 1500 - 148,
  async version() {
    const v = (await mustRun(process.execPath, [HYPHA_BIN, '--version'], { cwd: REPO_ROOT })).trim();
    const commit = (
      await mustRun('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']).catch(() => '?')
    ).trim();
    return `hypha ${v} (${commit}), node ${process.version}`;
  },
  async prepare(workdir, sides) {
    for (const side of sides) {
      const keyFile = join(workdir, side, 'key.bin');
      await mustRun(process.execPath, [HYPHA_BIN, 'generate-keys', '--key-file', keyFile, '--force'], {
        cwd: REPO_ROOT,
      });
      const json = await mustRun(process.execPath, [HYPHA_BIN, 'inspect', '--key-file', keyFile, '--json'], {
        cwd: REPO_ROOT,
      });
      writeFileSync(join(workdir, side, 'identity.json'), json);
    }
  },
  async start(ctx) {
    const identity = JSON.parse(readFileSync(join(ctx.dir, 'identity.json'), 'utf8')) as Identity;
    const peers = ctx.neighbours
      .filter((n) => n.dial)
      .map((n) => JSON.stringify(`udp://${n.peer.v4}:${PORT}`));
    const lines = [
      '# written by bench/compare/impls/hypha.ts',
      `key_file = ${JSON.stringify(join(ctx.dir, 'key.bin'))}`,
      `listen_port = ${PORT}`,
      `peers = [${peers.join(', ')}]`,
      `tun_name = ${JSON.stringify(DEV)}`,
      ...(ctx.overlayMtu ? [`tun_mtu = ${ctx.overlayMtu}`] : []),
      `api_addr = ${JSON.stringify(`unix:${join(ctx.dir, 'api.sock')}`)}`,
      'metrics_addr = ""',
      '',
      '[discovery]',
      'enabled = false',
      '',
      '[log]',
      'level = "info"',
      'format = "json"',
      '',
    ];
    const file = join(ctx.dir, 'hypha.toml');
    writeFileSync(file, lines.join('\n'), { mode: 0o600 });
    const pid = ctx.spawnDaemon(`hypha-${ctx.side}`, process.execPath, [HYPHA_BIN, 'run', '--config', file]);
    return { address: identity.address, pids: [pid] };
  },
};
