import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun, runCommand } from '../exec.js';
import { overlayV4, waitInterface, waitListening } from './support.js';
import type { Implementation } from './types.js';

const PORT = 4242;
const NET = 12;
const DEV = 'neb0';

/**
 * nebula: one CA, a certificate per side. The listening side is the lighthouse; a dialling side finds it
 * through static_host_map over the veth. Hole punching and relays are off, the firewall allows everything.
 */
export const nebula: Implementation = {
  name: 'nebula',
  description: 'nebula (default cipher AES-256-GCM, lighthouse + static_host_map, UDP over IPv4)',
  requiredCommands: ['nebula', 'nebula-cert'],
  debianPackages: ['nebula'],
  async version() {
    const r = await runCommand('nebula', ['-version'], { timeoutMs: 5_000 });
    const m = /Version:\s*(\S+)/.exec(r.stdout);
    return `nebula ${m?.[1] ?? 'unknown'}`;
  },
  async prepare(workdir, sides) {
    const ca = ['-ca-crt', join(workdir, 'ca.crt'), '-ca-key', join(workdir, 'ca.key')];
    await mustRun('nebula-cert', [
      'ca',
      '-name',
      'hypha-bench',
      '-duration',
      '24h',
      '-out-crt',
      ca[1]!,
      '-out-key',
      ca[3]!,
    ]);
    for (const [i, side] of sides.entries()) {
      await mustRun('nebula-cert', [
        'sign',
        ...ca,
        '-name',
        side.toLowerCase(),
        '-ip',
        `${overlayV4(NET, i)}/24`,
        '-out-crt',
        join(workdir, side, 'host.crt'),
        '-out-key',
        join(workdir, side, 'host.key'),
      ]);
    }
  },
  async start(ctx) {
    const index = ctx.sides.indexOf(ctx.side);
    const address = overlayV4(NET, index);
    const isLighthouse = ctx.neighbours.every((n) => !n.dial);
    const dials = ctx.neighbours.filter((n) => n.dial);
    const hostMap = dials
      .map((n) => `  "${overlayV4(NET, ctx.sides.indexOf(n.peer.side))}": ["${n.peer.v4}:${PORT}"]`)
      .join('\n');
    const lighthouses = dials.map((n) => `"${overlayV4(NET, ctx.sides.indexOf(n.peer.side))}"`).join(', ');
    const own = ctx.neighbours[0]?.own.v4 ?? '0.0.0.0';
    const yaml = `pki:
  ca: ${join(ctx.workdir, 'ca.crt')}
  cert: ${join(ctx.dir, 'host.crt')}
  key: ${join(ctx.dir, 'host.key')}
static_host_map:
${hostMap || '  {}'}
lighthouse:
  am_lighthouse: ${isLighthouse}
  interval: 60
  hosts: [${isLighthouse ? '' : lighthouses}]
listen:
  host: ${own}
  port: ${PORT}
punchy:
  punch: false
relay:
  use_relays: false
tun:
  disabled: false
  dev: ${DEV}
  mtu: ${ctx.overlayMtu ?? 1300}
logging:
  level: info
  format: text
firewall:
  outbound:
    - port: any
      proto: any
      host: any
  inbound:
    - port: any
      proto: any
      host: any
`;
    const file = join(ctx.dir, 'nebula.yml');
    writeFileSync(file, yaml, { mode: 0o600 });
    const pid = ctx.spawnDaemon(`nebula-${ctx.side}`, 'nebula', ['-config', file]);
    await waitInterface(ctx.ns, DEV);
    if (isLighthouse) await waitListening(ctx.ns, PORT, 'udp');
    return { address, pids: [pid] };
  },
};
