import type { Command } from 'commander';
import type { NodeStats } from '../../api/backend.js';
import { apiQueryCommand } from '../api-client.js';
import type { CliIo } from '../io.js';
import { formatTable } from '../table.js';

/** Registers `hypha stats`: packet, drop, control-message and handshake counters, and gauges. */
export function registerStatsCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  apiQueryCommand(
    program
      .command('stats')
      .description('show packet, drop, control-message and handshake counters, and gauges'),
    io,
    setExit,
    (client) => client.stats(),
    statsTables,
  );
}

/** Returns the human tables of `hypha stats`: counters, then gauges, each sorted by name. */
export function statsTables(stats: NodeStats): string {
  const rows = (rec: Readonly<Record<string, number>>) =>
    Object.keys(rec)
      .sort()
      .map((k) => [k, String(rec[k])]);
  return `${formatTable(['COUNTER', 'VALUE'], rows(stats.counters), [1])}\n${formatTable(['GAUGE', 'VALUE'], rows(stats.gauges), [1])}`;
}
