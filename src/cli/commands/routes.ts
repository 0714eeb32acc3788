import type { Command } from 'commander';
import type { QueriedRoute, RouteInfo } from '../../api/backend.js';
import { apiQueryCommand } from '../api-client.js';
import type { CliIo } from '../io.js';
import { formatDuration, formatTable, shortKey } from '../table.js';

/** Registers `hypha routes selected|fallback|queried`. */
export function registerRouteCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const routes = program.command('routes').description("show the running node's routing table");

  for (const [kind, what] of [
    ['selected', 'routes in use, one per prefix'],
    ['fallback', 'other known routes, used when the selected one goes away'],
  ] as const) {
    apiQueryCommand(
      routes.command(kind).description(what),
      io,
      setExit,
      (client) => client.routes(kind),
      (answer) => routeTable(answer.routes, kind),
    );
  }

  apiQueryCommand(
    routes
      .command('queried')
      .description('destinations being resolved: packets are waiting and no route is known yet'),
    io,
    setExit,
    (client) => client.queried(),
    (answer) => queriedTable(answer.routes),
  );
}

/** Returns the human table of `hypha routes selected|fallback`. */
export function routeTable(routes: readonly RouteInfo[], kind: string): string {
  if (routes.length === 0) return `no ${kind} routes\n`;
  return formatTable(
    ['PREFIX', 'NEXT HOP', 'VIA', 'METRIC', 'SEQNO', 'FEASIBLE', 'EXPIRES'],
    routes.map((r) => [
      r.prefix,
      shortKey(r.nextHop.publicKey),
      r.nextHop.endpoint ?? '-',
      String(r.metric),
      String(r.seqno),
      r.feasible ? 'yes' : 'no',
      formatDuration(r.expiresInSeconds),
    ]),
    [3, 4, 6],
  );
}

/** Returns the human table of `hypha routes queried`. */
export function queriedTable(routes: readonly QueriedRoute[]): string {
  if (routes.length === 0) return 'no destinations being resolved\n';
  return formatTable(
    ['PREFIX', 'WAITING', 'SINCE'],
    routes.map((r) => [r.prefix, String(r.waitingPackets), `${formatDuration(r.sinceSeconds)} ago`]),
    [1],
  );
}
