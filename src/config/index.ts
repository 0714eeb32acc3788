/** Public surface of src/config: load the configuration, describe its keys, run `hypha config ...`. */
export {
  interfaceNameProblem,
  isLocalOnly,
  type ListenAddress,
  type PeerEndpoint,
  parseListenAddress,
  parsePeerUri,
  parseTcpAddress,
  type TcpAddress,
  type UnixAddress,
} from './addresses.js';
export { type CommandResult, configCheck, configKeys, configShow, EXIT_INVALID_CONFIG } from './commands.js';
export { ConfigError, type ConfigOrigin, type ConfigProblem, formatOrigin, formatProblem } from './errors.js';
export type { FlagInput } from './flags.js';
export {
  DEFAULT_DISCOVERY_PORT,
  DEFAULT_LISTEN_PORT,
  DEFAULT_TUN_MTU,
  describeConfig,
  ENV_CONFIG_FILE,
  envName,
  type KeyDoc,
  type KeyName,
  LOG_FORMATS,
  LOG_LEVELS,
  MIN_TUN_MTU,
} from './keys.js';
export {
  type Config,
  defaultConfigFile,
  type LoadOptions,
  loadConfig,
  type ResolvedConfig,
  type ResolvedEntry,
  resolveConfig,
  stateDirectory,
} from './load.js';
