import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun, runCommand } from '../exec.js';
import { overlayV4, waitInterface, waitListening } from './support.js';
import type { Implementation } from './types.js';

const PORT = 10100;
const NET = 14;
const DEV = 'fastd0';

/**
 * fastd in TUN mode with salsa2012+umac over the IPv4 underlay. Only the dialling side has `remote`:
 * when both sides start a handshake at the same moment, fastd v22 reports the connection as established
 * but then fails to verify every data packet.
 */
export const fastd: Implementation = {
  name: 'fastd',
  description: 'fastd (TUN mode, salsa2012+umac, UDP over IPv4)',
  requiredCommands: ['fastd'],
  debianPackages: ['fastd'],
  async version() {
    const r = await runCommand('fastd', ['--version'], { timeoutMs: 5_000 });
    return r.stdout.trim() || 'fastd unknown';
  },
  async prepare(workdir, sides) {
    for (const side of sides) {
      const dir = join(workdir, side);
      const secret = (await mustRun('fastd', ['--generate-key', '--machine-readable'])).trim();
      writeFileSync(join(dir, 'fastd.secret'), `${secret}\n`, { mode: 0o600 });
      const secretConf = join(dir, 'secret.conf');
      writeFileSync(secretConf, `secret "${secret}";\n`, { mode: 0o600 });
      const pub = (await mustRun('fastd', ['--machine-readable', '--show-key', '-c', secretConf])).trim();
      writeFileSync(join(dir, 'fastd.pub'), `${pub}\n`);
    }
  },
  async start(ctx) {
    const address = overlayV4(NET, ctx.sides.indexOf(ctx.side));
    const secret = readFileSync(join(ctx.dir, 'fastd.secret'), 'utf8').trim();
    const peers = ctx.neighbours.map((n) => {
      const pub = readFileSync(join(ctx.workdir, n.peer.side, 'fastd.pub'), 'utf8').trim();
      const remote = n.dial ? `  remote ${n.peer.v4}:${PORT};\n` : '';
      return `peer "${n.peer.side.toLowerCase()}" {\n  key "${pub}";\n${remote}}\n`;
    });
    const bind = ctx.neighbours[0]?.own.v4 ?? '0.0.0.0';
    const conf = [
      'log level info;',
      'mode tun;',
      `interface "${DEV}";`,
      'method "salsa2012+umac";',
      `secret "${secret}";`,
      `mtu ${ctx.overlayMtu ?? 1426};`,
      `bind ${bind}:${PORT};`,
      `on up sync "ip addr add ${address}/24 dev $INTERFACE && ip link set up dev $INTERFACE";`,
      ...peers,
    ].join('\n');
    const file = join(ctx.dir, 'fastd.conf');
    writeFileSync(file, conf, { mode: 0o600 });
    const pid = ctx.spawnDaemon(`fastd-${ctx.side}`, 'fastd', ['-c', file]);
    await waitInterface(ctx.ns, DEV);
    if (ctx.neighbours.some((n) => !n.dial)) await waitListening(ctx.ns, PORT, 'udp');
    return { address, pids: [pid] };
  },
};
