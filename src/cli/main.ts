import { Command, CommanderError } from 'commander';
import { HyphaError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerConfigCommands } from './commands/config.js';
import { registerInfoCommand } from './commands/info.js';
import { registerKeyCommands, UsageError } from './commands/keys.js';
import { registerPeerCommands } from './commands/peers.js';
import { registerRouteCommands } from './commands/routes.js';
import { registerRunCommand } from './commands/run.js';
import { registerStatsCommand } from './commands/stats.js';
import { type CliIo, ExitCode, processIo } from './io.js';

/** Builds the `hypha` command tree. Each subcommand reports its exit code through `setExit`. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('hypha')
    .description('hypha: an encrypted IPv6 overlay network daemon (400::/7 addresses from node keys)')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerKeyCommands(program, io, setExit);
  registerConfigCommands(program, io, setExit);
  registerRunCommand(program, io, setExit);
  registerInfoCommand(program, io, setExit);
  registerPeerCommands(program, io, setExit);
  registerRouteCommands(program, io, setExit);
  registerStatsCommand(program, io, setExit);
  const configure = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
        .showHelpAfterError('(add --help for usage)');
      configure(sub);
    }
  };
  configure(program);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exit: number = ExitCode.Ok;
  const program = buildProgram(io, (code) => {
    exit = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; everything else commander rejects is a usage error
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (err instanceof UsageError) {
      io.stderr(`hypha: ${err.message}\n`);
      return ExitCode.Usage;
    }
    if (err instanceof HyphaError) {
      io.stderr(`hypha: ${err.message} [${err.code}]\n`);
      return ExitCode.Error;
    }
    io.stderr(
      `hypha: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return ExitCode.Error;
  }
}
