import type { Command } from 'commander';
import type { PeerInfo } from '../../api/backend.js';
import { parsePeerUri } from '../../config/addresses.js';
import {
  type ApiCommandOptions,
  apiClientFor,
  apiQueryCommand,
  printJson,
  runApiCommand,
  withApiOptions,
} from '../api-client.js';
import type { CliIo } from '../io.js';
import { formatBytes, formatDuration, formatTable, orDash, shortKey } from '../table.js';
import { UsageError } from './keys.js';

/** Registers `hypha peers list|add|remove`. */
export function registerPeerCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const peers = program.command('peers').description("list, add and remove the running node's peers");

  apiQueryCommand(
    peers.command('list').description('list peers: endpoint, identity, state, RTT, cost, traffic'),
    io,
    setExit,
    (client) => client.peers(),
    (answer) => peerTable(answer.peers),
  );

  withApiOptions(
    peers
      .command('add')
      .description('connect to a static peer now (add it to `peers` in the configuration to keep it)')
      .argument('<uri>', 'udp://IPV4:PORT or udp://[IPV6]:PORT'),
  ).action((uri: string, opts: ApiCommandOptions) =>
    runApiCommand(io, setExit, async () => {
      const peer = await apiClientFor(io, opts).addPeer(peerUri(uri));
      if (opts.json) return printJson(io, peer);
      io.stdout(`added ${peer.endpoint} (${peer.state})\n`);
    }),
  );

  withApiOptions(
    peers
      .command('remove')
      .description('disconnect from a peer and forget it')
      .argument('<uri>', 'the peer URI'),
  ).action((uri: string, opts: ApiCommandOptions) =>
    runApiCommand(io, setExit, async () => {
      const canonical = peerUri(uri);
      await apiClientFor(io, opts).removePeer(canonical);
      if (opts.json) return printJson(io, { removed: canonical });
      io.stdout(`removed ${canonical}\n`);
    }),
  );
}

function peerUri(uri: string): string {
  try {
    return parsePeerUri(uri).uri;
  } catch (err) {
    throw new UsageError(`${uri}: ${(err as Error).message}`);
  }
}

/** Returns the human table of `hypha peers list`. */
export function peerTable(peers: readonly PeerInfo[]): string {
  if (peers.length === 0) return 'no peers (add one with: hypha peers add udp://HOST:PORT)\n';
  return formatTable(
    ['ENDPOINT', 'STATE', 'ORIGIN', 'PEER', 'ADDRESS', 'RTT', 'COST', 'RX', 'TX', 'HANDSHAKE'],
    peers.map((p) => [
      p.endpoint,
      p.state,
      p.origin,
      shortKey(p.publicKey),
      p.address ?? '-',
      orDash(p.rttMs, ' ms'),
      p.cost === 65535 ? 'inf' : orDash(p.cost),
      `${formatBytes(p.rxBytes)}/${p.rxPackets}`,
      `${formatBytes(p.txBytes)}/${p.txPackets}`,
      p.lastHandshakeSecondsAgo === undefined ? '-' : `${formatDuration(p.lastHandshakeSecondsAgo)} ago`,
    ]),
    [5, 6, 7, 8],
  );
}
