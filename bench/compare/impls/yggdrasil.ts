import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun } from '../exec.js';
import { debianVersion, waitInterface, waitListening } from './support.js';
import type { Implementation } from './types.js';

const PORT = 14801;
const DEV = 'ygg0';

/**
 * yggdrasil 0.4.x: TCP peering over the IPv6 underlay, 200::/7 addresses derived from the key.
 * A dialling side tries once at start and then backs off for a long time, so the listening side
 * must be listening before it starts (the runner starts listeners first; start() waits for the socket).
 */
export const yggdrasil: Implementation = {
  name: 'yggdrasil',
  description: 'yggdrasil (TCP peering over the IPv6 underlay, 200::/7 overlay, default TUN MTU)',
  requiredCommands: ['yggdrasil'],
  debianPackages: ['yggdrasil'],
  version: () => debianVersion('yggdrasil'),
  async start(ctx) {
    const conf = JSON.parse(await mustRun('yggdrasil', ['-genconf', '-json'])) as Record<string, unknown>;
    const listens = ctx.neighbours.filter((n) => !n.dial);
    const dials = ctx.neighbours.filter((n) => n.dial);
    conf.AdminListen = 'none';
    conf.MulticastInterfaces = [];
    conf.IfName = DEV;
    conf.NodeInfoPrivacy = true;
    conf.Listen = listens.map((n) => `tcp://[${n.own.v6}]:${PORT}`);
    conf.Peers = dials.map((n) => `tcp://[${n.peer.v6}]:${PORT}`);
    if (ctx.overlayMtu) conf.IfMTU = ctx.overlayMtu;
    const file = join(ctx.dir, 'yggdrasil.json');
    writeFileSync(file, JSON.stringify(conf, null, 2), { mode: 0o600 });
    const pid = ctx.spawnDaemon(`yggdrasil-${ctx.side}`, 'yggdrasil', [
      '-useconffile',
      file,
      '-logto',
      'stdout',
    ]);
    if (listens.length > 0) await waitListening(ctx.ns, PORT, 'tcp');
    await waitInterface(ctx.ns, DEV);
    const address = (await mustRun('yggdrasil', ['-useconffile', file, '-address'])).trim();
    return { address, pids: [pid] };
  },
};
