import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun, mustRunIn, runCommand } from '../exec.js';
import { overlayV4, setInterfaceMtu, waitFile } from './support.js';
import type { Implementation } from './types.js';

const PORT = 51820;
const NET = 11;
const UAPI_DIR = '/var/run/wireguard';

/**
 * The UAPI socket is /var/run/wireguard/<ifname>.sock in the host's file system, shared by every
 * namespace, so each side (and each concurrent benchmark) needs its own interface name.
 */
const created = new Set<string>();
const ifname = (runTag: string, side: string) => `wg${runTag}${side.toLowerCase()}`.slice(0, 15);

export const wireguardGo: Implementation = {
  name: 'wireguard-go',
  description: 'userspace WireGuard (ChaCha20-Poly1305) on a TUN, UDP over the IPv4 underlay',
  requiredCommands: ['wireguard-go', 'wg'],
  debianPackages: ['wireguard-go', 'wireguard-tools'],
  async version() {
    const r = await runCommand('wireguard-go', ['--version'], { timeoutMs: 5_000 });
    const wg = await runCommand('wg', ['--version'], { timeoutMs: 5_000 });
    return `${r.stdout.split('\n')[0]?.trim() ?? 'wireguard-go ?'}; ${wg.stdout.split('\n')[0]?.trim() ?? ''}`;
  },
  async prepare(workdir, sides) {
    for (const side of sides) {
      const key = (await mustRun('wg', ['genkey'])).trim();
      writeFileSync(join(workdir, side, 'wg.key'), `${key}\n`, { mode: 0o600 });
      const pub = (await mustRun('wg', ['pubkey'], { input: `${key}\n` })).trim();
      writeFileSync(join(workdir, side, 'wg.pub'), `${pub}\n`);
    }
  },
  async start(ctx) {
    const index = ctx.sides.indexOf(ctx.side);
    const dev = ifname(ctx.runTag, ctx.side);
    const address = overlayV4(NET, index);
    rmSync(join(UAPI_DIR, `${dev}.sock`), { force: true });
    created.add(dev);
    // -f: stay in the foreground, so the recorded PID is the daemon
    const pid = ctx.spawnDaemon(`wireguard-go-${ctx.side}`, 'wireguard-go', ['-f', dev]);
    await waitFile(join(UAPI_DIR, `${dev}.sock`));
    const args = ['set', dev, 'private-key', join(ctx.dir, 'wg.key'), 'listen-port', String(PORT)];
    for (const n of ctx.neighbours) {
      const peerIndex = ctx.sides.indexOf(n.peer.side);
      const pub = readFileSync(join(ctx.workdir, n.peer.side, 'wg.pub'), 'utf8').trim();
      // both sides get the endpoint: a side without one cannot send first (WireGuard resolves crossed handshakes)
      args.push(
        'peer',
        pub,
        'allowed-ips',
        `${overlayV4(NET, peerIndex)}/32`,
        'endpoint',
        `${n.peer.v4}:${PORT}`,
      );
    }
    await mustRunIn(ctx.ns, 'wg', args);
    if (ctx.overlayMtu) await setInterfaceMtu(ctx.ns, dev, ctx.overlayMtu);
    await mustRun('ip', ['-n', ctx.ns, 'addr', 'add', `${address}/24`, 'dev', dev]);
    await mustRun('ip', ['-n', ctx.ns, 'link', 'set', 'dev', dev, 'up']);
    return { address, pids: [pid] };
  },
  async stop() {
    for (const dev of created) rmSync(join(UAPI_DIR, `${dev}.sock`), { force: true });
    created.clear();
  },
};
