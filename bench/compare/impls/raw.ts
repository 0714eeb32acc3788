import { runCommand } from '../exec.js';
import type { Implementation } from './types.js';

/** No overlay: kernel TCP straight over the veth (GSO/GRO, no TUN, no crypto). The box's upper bound. */
export const raw: Implementation = {
  name: 'raw',
  description: 'plain veth, no overlay (the physical limit of this box)',
  requiredCommands: [],
  debianPackages: [],
  baseline: true,
  async version() {
    const r = await runCommand('uname', ['-r']);
    return `kernel ${r.stdout.trim()} veth`;
  },
  async start(ctx) {
    const first = ctx.neighbours[0];
    if (!first) throw new Error('raw needs a link');
    return { address: first.own.v4, pids: [] };
  },
};
