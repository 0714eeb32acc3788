import type { Command } from 'commander';
import type { NodeStats } from '../../api/backend.js';
import {
  type ApiCommandOptions,
  apiClientFor,
  printJson,
  runApiCommand,
  withApiOptions,
} from '../api-client.js';
import type { CliIo } from '../io.js';
import { formatTable } from '../table.js';

/** Registers `hypha stats`: packet, drop, control-message and handshake counters, and gauges. */
export function registerStatsCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  withApiOptions(
    program
      .command('stats')
      .description('show packet, drop, control-message and handshake counters, and gauges'),
  ).action((opts: ApiCommandOptions) =>
    runApiCommand(io, setExit, async () => {
      const stats = await apiClientFor(io, opts).stats();
      if (opts.json) return printJson(io, stats);
      io.stdout(statsTables(stats));
    }),
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
