import type { Command } from 'commander';
import type { Logger } from 'pino';
import { createLogger } from '../../daemon/logger.js';
import { type RunningNode, startNode } from '../../daemon/node.js';
import { type NodeServices, startServices } from '../../daemon/services.js';
import { HyphaError } from '../../errors.js';
import { loadCliConfig } from '../config-file.js';
import { type CliIo, ExitCode } from '../io.js';

/** SIGTERM must end the process within 2 s even if something hangs while stopping. */
const STOP_DEADLINE_MS = 1_800;

/** Registers `hypha run`: the daemon in the foreground until SIGTERM or SIGINT. */
export function registerRunCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('run')
    .description(
      'run the node in the foreground: TUN, links, routing (SIGTERM/SIGINT stop it, SIGHUP re-reads the peers)',
    )
    .option('-c, --config <file>', 'configuration file (default: $HYPHA_CONFIG, else the default file)')
    .option('--key-fd <fd>', 'read the seed as hex from this inherited file descriptor', Number)
    .argument('[flags...]', 'configuration flags, e.g. --listen-port 9700 --peer udp://198.18.0.2:9651')
    .allowUnknownOption()
    .action(async (flags: string[], opts: { config?: string; keyFd?: number }) => {
      const config = loadCliConfig(io, opts.config, flags);
      const log = createLogger({ level: config.log.level, format: config.log.format });
      let node: RunningNode | undefined;
      let services: NodeServices;
      try {
        node = await startNode({
          config,
          log,
          env: io.env,
          ...(opts.keyFd === undefined ? {} : { keyFd: opts.keyFd }),
        });
        services = await startServices(node, config, node.networkKeys, log);
      } catch (err) {
        await node?.stop();
        if (err instanceof HyphaError) {
          log.fatal({ code: err.code }, err.message);
          io.stderr(`hypha: ${err.message} [${err.code}]\n`);
          setExit(ExitCode.Error);
          return;
        }
        throw err;
      }
      const stop = async () => {
        await services.close();
        await node.stop();
      };
      await untilStopped(node, stop, log, () => loadCliConfig(io, opts.config, flags));
      setExit(ExitCode.Ok);
    });
}

/** Resolves once a stop signal arrived and the node stopped; SIGHUP re-reads the peer list. */
function untilStopped(
  node: RunningNode,
  stop: () => Promise<void>,
  log: Logger,
  reload: () => ReturnType<typeof loadCliConfig>,
) {
  return new Promise<void>((resolve) => {
    const onHup = () => {
      try {
        const peers = reload().peers;
        node.setStaticPeers(peers);
        log.info({ peers: peers.map((p) => p.uri) }, 'peers reloaded');
      } catch (err) {
        log.error({ err }, 'SIGHUP: the configuration is invalid; peers left unchanged');
      }
    };
    const onStop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      process.off('SIGHUP', onHup);
      log.info({ signal }, 'stopping');
      const watchdog = setTimeout(() => {
        log.error('stopping took too long; exiting anyway');
        process.exit(ExitCode.Ok);
      }, STOP_DEADLINE_MS);
      stop()
        .catch((err: unknown) => log.error({ err }, 'error while stopping'))
        .finally(() => {
          // Still armed but unref'd: it cannot keep the process alive, yet fires if anything else does.
          watchdog.unref();
          log.info('stopped');
          resolve();
        });
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onHup);
  });
}
