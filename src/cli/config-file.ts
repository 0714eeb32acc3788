import { type Config, defaultConfigFile, loadConfig } from '../config/index.js';
import type { CliIo } from './io.js';

/**
 * Loads the configuration the way every subcommand does: `--config FILE`, else $HYPHA_CONFIG, else
 * the default file if it exists; plus HYPHA_* variables and any config flags given.
 */
export function loadCliConfig(io: CliIo, configFile: string | undefined, flags: string[] = []): Config {
  const uid = process.getuid?.() ?? -1;
  return loadConfig({
    ...(configFile === undefined ? {} : { file: configFile }),
    defaultFile: defaultConfigFile(io.env, uid),
    env: io.env,
    flags,
    uid,
  });
}
