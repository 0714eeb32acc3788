import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun, runCommand } from '../exec.js';
import type { Side } from '../netns.js';
import { linkAddresses } from '../netns.js';
import { overlayV4, waitInterface, waitListening } from './support.js';
import type { Implementation } from './types.js';

const PORT = 6550;
const NET = 13;
const DEV = 'tinc0';

/**
 * tinc 1.0 in router mode with its default cipher and digest (aes-256-cbc, sha256), RSA keys from
 * `tincd -K`. Meta connection over TCP, data over UDP, both on the IPv4 underlay. The TUN keeps MTU
 * 1500 unless --mtu says otherwise; tinc does its own PMTU discovery and MSS clamping.
 */
export const tinc: Implementation = {
  name: 'tinc',
  description: 'tinc 1.0 (router mode, RSA, default aes-256-cbc + sha256, UDP over IPv4)',
  requiredCommands: ['tincd'],
  debianPackages: ['tinc'],
  async version() {
    const r = await runCommand('tincd', ['--version'], { timeoutMs: 5_000 });
    return r.stdout.split('\n')[0]?.trim() || 'tinc unknown';
  },
  async prepare(workdir, sides) {
    // Host files need the underlay address each node is reached at: its end of the link to its left
    // neighbour (side B of link i-1) or, for the first side, end A of link 0.
    const underlayOf = (i: number) => (i === 0 ? linkAddresses(0).a.v4 : linkAddresses(i - 1).b.v4);
    for (const [i, side] of sides.entries()) {
      const conf = tincDir(workdir, side);
      mkdirSync(join(conf, 'hosts'), { recursive: true });
      const hostFile = join(conf, 'hosts', nodeName(side));
      writeFileSync(
        hostFile,
        `Address = ${underlayOf(i)}\nPort = ${PORT}\nSubnet = ${overlayV4(NET, i)}/32\n`,
      );
      // -K appends the public key to hosts/<Name>, so tinc.conf must name the node already
      writeFileSync(join(conf, 'tinc.conf'), `Name = ${nodeName(side)}\n`);
      await mustRun('tincd', ['-c', conf, '-K2048'], { timeoutMs: 60_000, input: '' });
    }
    for (const side of sides)
      for (const other of sides)
        if (other !== side)
          copyFileSync(
            join(tincDir(workdir, other), 'hosts', nodeName(other)),
            join(tincDir(workdir, side), 'hosts', nodeName(other)),
          );
  },
  async start(ctx) {
    const address = overlayV4(NET, ctx.sides.indexOf(ctx.side));
    const conf = tincDir(ctx.workdir, ctx.side);
    const lines = [
      `Name = ${nodeName(ctx.side)}`,
      `Interface = ${DEV}`,
      'Mode = router',
      'AddressFamily = ipv4',
      `Port = ${PORT}`,
      ...ctx.neighbours.filter((n) => n.dial).map((n) => `ConnectTo = ${nodeName(n.peer.side)}`),
    ];
    writeFileSync(join(conf, 'tinc.conf'), `${lines.join('\n')}\n`);
    const up = [
      '#!/bin/sh',
      ...(ctx.overlayMtu ? [`ip link set "$INTERFACE" mtu ${ctx.overlayMtu}`] : []),
      `ip addr add ${address}/24 dev "$INTERFACE"`,
      'ip link set "$INTERFACE" up',
    ];
    writeFileSync(join(conf, 'tinc-up'), `${up.join('\n')}\n`);
    chmodSync(join(conf, 'tinc-up'), 0o755);
    const pid = ctx.spawnDaemon(`tincd-${ctx.side}`, 'tincd', [
      '-c',
      conf,
      '-D',
      `--pidfile=${join(ctx.dir, 'tinc.pid')}`,
    ]);
    await waitInterface(ctx.ns, DEV);
    if (ctx.neighbours.some((n) => !n.dial)) await waitListening(ctx.ns, PORT, 'tcp');
    return { address, pids: [pid] };
  },
};

const nodeName = (side: Side) => side.toLowerCase();
const tincDir = (workdir: string, side: Side) => join(workdir, side, 'tinc');
