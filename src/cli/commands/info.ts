import type { Command } from 'commander';
import { apiQueryCommand } from '../api-client.js';
import type { CliIo } from '../io.js';
import { formatDuration, formatFields } from '../table.js';

/** Registers `hypha info`: the running node's key, address, subnet, uptime and version. */
export function registerInfoCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  apiQueryCommand(
    program
      .command('info')
      .description("show the running node's public key, overlay address, subnet, uptime and version"),
    io,
    setExit,
    (client) => client.node(),
    (node, client) =>
      formatFields([
        ['public key', node.publicKey],
        ['address', node.address],
        ['subnet', node.subnet],
        ['uptime', formatDuration(node.uptimeSeconds)],
        ['version', node.version],
        ['api', client.options.address.text],
      ]),
  );
}
