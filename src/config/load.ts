/**
 * The loader: merge the sources, validate, and build the frozen `Config`.
 *
 *   1. read the flags (they may name the config file with --config);
 *   2. read the file (--config, else `file`, else $HYPHA_CONFIG, else `defaultFile` if it exists)
 *      and the environment;
 *   3. validate every value each source sets, even one a higher source overrides: a broken file
 *      stays broken when a flag happens to hide it;
 *   4. for each key take the highest source that sets or resets it: flag > env > file > default;
 *   5. check the rules that span keys (network name and key together, a remote API needs a token);
 *   6. throw one ConfigError with every problem, or return the config.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { Layer, LayerValue } from './_layer.js';
import { renderValue } from './_layer.js';
import type { ListenAddress, PeerEndpoint, TcpAddress } from './addresses.js';
import { isLocalOnly } from './addresses.js';
import { readEnvLayer } from './env.js';
import { ConfigError, type ConfigOrigin, type ConfigProblem, formatOrigin } from './errors.js';
import { readFileLayer } from './file.js';
import { type FlagInput, readFlagLayer } from './flags.js';
import {
  type DefaultContext,
  ENV_CONFIG_FILE,
  KEYS,
  type KeyName,
  type KeySpec,
  type KeyValue,
} from './keys.js';

export type { FlagInput } from './flags.js';

/** The validated configuration the daemon runs with. Deeply frozen. */
export interface Config {
  /** Absolute path of the node secret key file. */
  readonly key_file: string;
  readonly listen_port: number;
  readonly peers: readonly PeerEndpoint[];
  readonly tun_name: string;
  readonly tun_mtu: number;
  readonly api_addr: ListenAddress;
  readonly api_allow_remote: boolean;
  /** Absolute path of the API token file; always set when `api_addr` is not local-only. */
  readonly api_token_file: string | undefined;
  /** Where to serve Prometheus metrics; undefined when disabled. */
  readonly metrics_addr: TcpAddress | undefined;
  readonly discovery: {
    readonly enabled: boolean;
    /** Interface names; empty means every suitable interface. */
    readonly interfaces: readonly string[];
    readonly port: number;
  };
  /** The private network to join, or undefined for the public one. `psk_file` is not read here. */
  readonly network: { readonly name: string; readonly psk_file: string } | undefined;
  readonly log: {
    readonly level: KeyValue<'log.level'>;
    readonly format: KeyValue<'log.format'>;
  };
}

export interface LoadOptions {
  /** Config file path (the CLI's `--config` when it parsed that itself); a `--config` in `flags` overrides it. */
  readonly file?: string;
  /**
   * File to read when neither `--config`, `file` nor $HYPHA_CONFIG names one, and only if it exists:
   * the CLI passes `defaultConfigFile(env, uid)`.
   */
  readonly defaultFile?: string;
  /** The config file's contents, used instead of reading the file (tests, `config check` on stdin). */
  readonly fileText?: string;
  /** The environment: `HYPHA_*` variables, and HOME / XDG_STATE_HOME for the default key path. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flags?: FlagInput;
  /** The effective user id; 0 puts state under /var/lib/hypha. Defaults to process.getuid(). */
  readonly uid?: number;
  /** Directory relative paths from the environment and flags are resolved against. */
  readonly cwd?: string;
}

/** One key of the effective configuration and where its value came from, for `hypha config show`. */
export interface ResolvedEntry {
  readonly key: KeyName;
  /** The value in TOML syntax, `(unset)` for an unset optional key. */
  readonly display: string;
  readonly origin: ConfigOrigin;
}

export interface ResolvedConfig {
  readonly config: Config;
  readonly entries: readonly ResolvedEntry[];
  /** The config file that was read, if any. */
  readonly file: string | undefined;
}

function home(env: LoadOptions['env']): string {
  return env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir();
}

function xdg(env: LoadOptions['env'], name: string, fallback: string): string {
  const v = env[name];
  // The XDG Base Directory spec says a relative path in these variables is invalid and to be ignored.
  return v !== undefined && isAbsolute(v) ? v : `${home(env)}/${fallback}`;
}

/** Returns the state directory: /var/lib/hypha for root, else $XDG_STATE_HOME/hypha (~/.local/state/hypha). */
export function stateDirectory(env: LoadOptions['env'], uid: number): string {
  return uid === 0 ? '/var/lib/hypha' : `${xdg(env, 'XDG_STATE_HOME', '.local/state')}/hypha`;
}

/** Returns where the CLI looks for a config file: /etc/hypha/hypha.toml for root, else under $XDG_CONFIG_HOME. */
export function defaultConfigFile(env: LoadOptions['env'], uid: number): string {
  return uid === 0 ? '/etc/hypha/hypha.toml' : `${xdg(env, 'XDG_CONFIG_HOME', '.config')}/hypha/hypha.toml`;
}

function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}

/** Resolves a path value against its source's directory, expanding a leading `~/`. */
function resolvePath(p: string, baseDir: string, env: LoadOptions['env']): string {
  if (p === '~' || p.startsWith('~/')) return home(env) + p.slice(1);
  return resolve(baseDir, p);
}

const SOURCE_ORDER = { file: 0, env: 1, flag: 2, default: 3 } as const;

/** Orders problems as a reader goes: the file top to bottom, then the environment, then the flags. */
function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const line = (p: ConfigProblem) => (p.origin.kind === 'file' ? (p.origin.line ?? 0) : 0);
  // Array.prototype.sort is stable (ES2019), so problems at one place keep the order they were found in.
  return [...problems].sort(
    (a, b) => SOURCE_ORDER[a.origin.kind] - SOURCE_ORDER[b.origin.kind] || line(a) - line(b),
  );
}

/** Reads a config file, adding a problem when it cannot; a missing `optional` file is no problem. */
function readText(path: string, optional: boolean, problems: ConfigProblem[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (!(optional && code === 'ENOENT')) {
      problems.push({
        key: '(file)',
        origin: { kind: 'file', path },
        message: `cannot read the file (${code})`,
      });
    }
    return undefined;
  }
}

interface Chosen {
  readonly value: unknown;
  readonly origin: ConfigOrigin;
  readonly ok: boolean;
}

/** Validates one source's value for a key, adding a problem for each distinct schema issue. */
function validate(spec: KeySpec, lv: LayerValue, problems: ConfigProblem[]): { ok: boolean; value: unknown } {
  const r = spec.schema.safeParse(lv.input);
  if (r.success) return { ok: true, value: r.data };
  const seen = new Set<string>();
  for (const issue of r.error.issues) {
    const path = issue.path.filter((s): s is number | string => typeof s !== 'symbol');
    const key = path.length === 0 ? spec.key : `${spec.key}[${path.join('][')}]`;
    if (seen.has(key + issue.message)) continue;
    seen.add(key + issue.message);
    let item: unknown = lv.input;
    for (const s of path) item = (item as Record<string | number, unknown> | undefined)?.[s];
    const value = path.length === 0 && lv.text !== undefined ? JSON.stringify(lv.text) : renderValue(item);
    problems.push({ key, origin: lv.origin, value, message: issue.message });
  }
  return { ok: false, value: undefined };
}

/** Turns a validated value back into the form a user writes, for `config show`. */
function plain(key: string, v: unknown): unknown {
  if (v === undefined) return key === 'metrics_addr' ? '' : undefined;
  if (Array.isArray(v)) return v.map((x) => plain(key, x));
  if (typeof v === 'object' && v !== null) {
    const o = v as { uri?: string; text?: string };
    return o.uri ?? o.text;
  }
  return v;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Reads and merges every source, returning the config and the origin of each value. Throws ConfigError. */
export function resolveConfig(opts: LoadOptions): ResolvedConfig {
  const env = opts.env;
  const cwd = opts.cwd ?? process.cwd();
  const ctx: DefaultContext = { stateDir: stateDirectory(env, opts.uid ?? currentUid()) };
  const problems: ConfigProblem[] = [];

  // 1–2. The sources, highest precedence first.
  const flags = readFlagLayer(opts.flags ?? [], cwd);
  const envFile = env[ENV_CONFIG_FILE];
  const named = flags.configFile ?? opts.file ?? (envFile === '' ? undefined : envFile);
  // A named file must exist; the default file is read only if it does.
  const optional = named === undefined;
  const path = named ?? opts.defaultFile;
  const file = path === undefined ? undefined : resolve(cwd, path);
  let fileLayer: Layer | undefined;
  if (file !== undefined) {
    const text = opts.fileText ?? readText(file, optional, problems);
    if (text !== undefined) fileLayer = readFileLayer(text, file);
  }
  const layers = [flags, readEnvLayer(env, cwd), ...(fileLayer === undefined ? [] : [fileLayer])];
  for (const l of [...layers].reverse()) problems.push(...l.problems);

  // 3–4. Validate every value; the highest source wins.
  const chosen = new Map<string, Chosen>();
  for (const spec of KEYS as readonly KeySpec[]) {
    let pick: Chosen | undefined;
    let reset = false;
    for (const layer of [...layers].reverse()) {
      const lv = layer.values.get(spec.key);
      if (lv !== undefined) {
        const r = validate(spec, lv, problems);
        const value = spec.path && r.ok ? resolvePath(r.value as string, lv.baseDir, env) : r.value;
        pick = { value, origin: lv.origin, ok: r.ok };
        reset = false;
      }
      const resetBy = layer.resets.get(spec.key);
      if (resetBy !== undefined) {
        pick = { value: undefined, origin: resetBy, ok: true };
        reset = true;
      }
    }
    if (pick === undefined || reset) {
      const def = spec.default(ctx);
      let value: unknown = def === undefined ? undefined : spec.schema.parse(def);
      if (spec.path && typeof value === 'string') value = resolvePath(value, cwd, env);
      pick = { value, origin: pick?.origin ?? { kind: 'default' }, ok: true };
    }
    chosen.set(spec.key, pick);
  }

  // 5. Rules across keys, checked only when the keys involved are valid.
  const get = <K extends KeyName>(k: K) => chosen.get(k)! as Chosen & { value: KeyValue<K> };
  checkNetwork(get('network.name'), get('network.psk_file'), problems);
  checkApi(get('api_addr'), get('api_allow_remote'), get('api_token_file'), problems);
  const disc = get('discovery.port');
  const listen = get('listen_port');
  if (get('discovery.enabled').value && disc.ok && listen.ok && disc.value === listen.value) {
    problems.push({
      key: 'discovery.port',
      origin: disc.origin.kind === 'default' ? listen.origin : disc.origin,
      value: String(disc.value),
      message: 'must differ from listen_port while discovery is enabled',
    });
  }

  // 6.
  if (problems.length > 0) throw new ConfigError(sortProblems(problems));
  const v = <K extends KeyName>(k: K) => get(k).value;
  const name = v('network.name');
  const psk = v('network.psk_file');
  const config: Config = deepFreeze({
    key_file: v('key_file'),
    listen_port: v('listen_port'),
    peers: v('peers'),
    tun_name: v('tun_name'),
    tun_mtu: v('tun_mtu'),
    api_addr: v('api_addr'),
    api_allow_remote: v('api_allow_remote'),
    api_token_file: v('api_token_file'),
    metrics_addr: v('metrics_addr'),
    discovery: {
      enabled: v('discovery.enabled'),
      interfaces: v('discovery.interfaces'),
      port: v('discovery.port'),
    },
    network: name !== undefined && psk !== undefined ? { name, psk_file: psk } : undefined,
    log: { level: v('log.level'), format: v('log.format') },
  });
  const entries = KEYS.map((k) => {
    const c = chosen.get(k.key)!;
    return { key: k.key, display: renderValue(plain(k.key, c.value)), origin: c.origin };
  });
  return Object.freeze({
    config,
    entries: Object.freeze(entries),
    file: fileLayer === undefined && optional ? undefined : file,
  });
}

/**
 * Returns the configuration from flags, environment, file and defaults, in that order of
 * precedence, validated and frozen. Throws ConfigError listing every problem found.
 */
export function loadConfig(opts: LoadOptions): Config {
  return resolveConfig(opts).config;
}

function checkNetwork(name: Chosen, psk: Chosen, problems: ConfigProblem[]): void {
  if (!name.ok || !psk.ok || (name.value === undefined) === (psk.value === undefined)) return;
  const [set, missing] =
    name.value === undefined ? ['network.psk_file', 'network.name'] : ['network.name', 'network.psk_file'];
  problems.push({
    key: set,
    origin: (name.value === undefined ? psk : name).origin,
    message: `${missing} must be set too: a private network needs both network.name and network.psk_file, or neither`,
  });
}

function checkApi(addr: Chosen, allow: Chosen, token: Chosen, problems: ConfigProblem[]): void {
  if (!addr.ok || !allow.ok || !token.ok || isLocalOnly(addr.value as ListenAddress)) return;
  const value = renderValue((addr.value as ListenAddress).text);
  if (allow.value !== true) {
    problems.push({
      key: 'api_addr',
      origin: addr.origin,
      value,
      message:
        'is not a loopback address; the admin API controls the node, so exposing it needs api_allow_remote = true and api_token_file',
    });
  } else if (token.value === undefined) {
    problems.push({
      key: 'api_token_file',
      origin: allow.origin,
      message: `must be set when api_allow_remote = true and api_addr is not loopback (api_addr from ${formatOrigin(addr.origin)})`,
    });
  }
}
