import type { Command } from 'commander';
import { configCheck, configKeys, configShow, defaultConfigFile } from '../../config/index.js';
import type { CliIo } from '../io.js';

/** Registers `hypha config show|check|keys`. */
export function registerConfigCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const config = program.command('config').description('show, check and list the configuration');
  const emit = (r: { text: string; exitCode: number }) => {
    (r.exitCode === 0 ? io.stdout : io.stderr)(r.text);
    setExit(r.exitCode);
  };

  config
    .command('show')
    .description(
      'print the effective configuration with the source of each value (flags after -- are config flags)',
    )
    .option(
      '-c, --config <file>',
      'configuration file (default: $HYPHA_CONFIG, else the default file if present)',
    )
    .option('--json', 'print JSON instead of TOML', false)
    .argument('[flags...]', 'configuration flags, e.g. -- --listen-port 9700 --reset peers')
    .action((flags: string[], opts: { config?: string; json: boolean }) => {
      const uid = process.getuid?.() ?? -1;
      emit(
        configShow(
          {
            ...(opts.config === undefined ? {} : { file: opts.config }),
            defaultFile: defaultConfigFile(io.env, uid),
            env: io.env,
            flags,
            uid,
          },
          opts.json ? 'json' : 'toml',
        ),
      );
    });

  config
    .command('check')
    .description('validate a configuration file on its own (exit 0 valid, 1 invalid)')
    .argument('<file>', 'the TOML file to check')
    .action((file: string) => emit(configCheck(file)));

  config
    .command('keys')
    .description('list every configuration key with its type, default, environment variable and flag')
    .action(() => emit(configKeys()));
}
