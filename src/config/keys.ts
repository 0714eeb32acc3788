/**
 * The table of configuration keys: each key's schema, default, environment variable, flag and doc.
 * Everything else in src/config (the loader, `config show`, the docs test) is driven by this table,
 * so a new key is one entry here plus a line in config/hypha.toml and docs/configuration.md.
 */
import { z } from 'zod';
import {
  interfaceNameProblem,
  PEER_URI_FORM,
  type PeerEndpoint,
  parseListenAddress,
  parsePeerUri,
  parseTcpAddress,
} from './addresses.js';

/**
 * The TUN device's MTU when none is configured. It must equal DEFAULT_TUN_MTU in
 * src/wire/link/constants.ts, where the link layer derives it from its per-packet overhead so
 * that a full inner packet fits one 1500-byte underlay packet; test/config/keys.test.ts holds
 * the two equal. Kept as a literal so configuration does not depend on the wire codecs.
 */
export const DEFAULT_TUN_MTU = 1352;
/** IPv6 requires every link to carry 1280-byte packets (RFC 8200 §5). */
export const MIN_TUN_MTU = 1280;
export const DEFAULT_LISTEN_PORT = 9651;
export const DEFAULT_DISCOVERY_PORT = 9650;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const LOG_FORMATS = ['json', 'pretty', 'auto'] as const;

/** How a value written as a string (environment variable, flag, `--set`) becomes a typed value. */
export type ValueKind = 'int' | 'bool' | 'string' | 'list';

/** What the defaults depend on, injected so tests need not be root or touch $HOME. */
export interface DefaultContext {
  /** The directory for persistent state: `/var/lib/hypha` as root, else under $XDG_STATE_HOME. */
  readonly stateDir: string;
}

export interface KeySpec<K extends string = string, S extends z.ZodType = z.ZodType> {
  /** Dotted name as written in the file: `listen_port`, `discovery.port`. */
  readonly key: K;
  readonly kind: ValueKind;
  /** Validates a typed input value and turns it into the value the daemon uses. */
  readonly schema: S;
  /** The default in input form (what a user would write), or undefined when the key is unset by default. */
  readonly default: (ctx: DefaultContext) => z.input<S> | undefined;
  /** The default as the docs show it. */
  readonly defaultText: string;
  /** The type as the docs show it. */
  readonly type: string;
  /** A path relative to its source: the config file's directory, or the working directory. */
  readonly path?: boolean;
  /** The flag name without dashes; `list` keys take one item per repeated flag. */
  readonly flag: string;
  readonly doc: string;
}

function spec<K extends string, S extends z.ZodType>(
  s: Omit<KeySpec<K, S>, 'flag'> & { flag?: string },
): KeySpec<K, S> {
  return { ...s, flag: s.flag ?? s.key.replace(/[._]/g, '-') };
}

function intRange(lo: number, hi: number) {
  const error = `must be an integer from ${lo} to ${hi}`;
  return z.number({ error }).int({ error }).min(lo, { error }).max(hi, { error });
}

const port = intRange(1, 65535);
const bool = z.boolean({ error: 'must be true or false' });
const nonEmpty = (what: string) =>
  z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}, not empty` });

const interfaceName = z.string({ error: 'must be an interface name (a string)' }).superRefine((name, ctx) => {
  const problem = interfaceNameProblem(name);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `interface name ${problem}` });
});

const peers = z
  .array(z.string({ error: `each peer must be a string: ${PEER_URI_FORM}` }), {
    error: `must be an array of peer URIs: ["${PEER_URI_FORM.split(', e.g. ')[1]}"]`,
  })
  .transform((list, ctx): readonly PeerEndpoint[] => {
    const out: PeerEndpoint[] = [];
    const seen = new Set<string>();
    list.forEach((uri, i) => {
      try {
        const p = parsePeerUri(uri);
        if (seen.has(p.uri))
          ctx.addIssue({ code: 'custom', path: [i], message: `peer ${p.uri} is listed twice` });
        seen.add(p.uri);
        out.push(p);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: [i], message: (err as Error).message });
      }
    });
    return out;
  });

const listenAddress = z.string({ error: 'must be HOST:PORT or unix:/absolute/path' }).transform((s, ctx) => {
  try {
    return parseListenAddress(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const optionalTcpAddress = z.string({ error: 'must be HOST:PORT, or "" to disable' }).transform((s, ctx) => {
  if (s === '') return undefined;
  try {
    return parseTcpAddress(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${(err as Error).message}, or "" to disable` });
    return z.NEVER;
  }
});

const interfaces = z
  .array(interfaceName, { error: 'must be an array of interface names, e.g. ["eth0"]' })
  .superRefine((list, ctx) => {
    const dup = list.find((n, i) => list.indexOf(n) !== i);
    if (dup !== undefined) ctx.addIssue({ code: 'custom', message: `interface "${dup}" is listed twice` });
  });

const networkName = z
  .string({ error: 'must be a network name (a string)' })
  .min(1, { error: 'must be 1 to 64 characters' })
  .max(64, { error: 'must be 1 to 64 characters' })
  .regex(/^[^\u0000-\u001f\u007f]*$/, { error: 'must not contain control characters' });

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

/** Every configuration key, in the order `config show` and the docs list them. */
export const KEYS = [
  spec({
    key: 'key_file',
    kind: 'string',
    type: 'path',
    path: true,
    schema: nonEmpty('a file path'),
    default: (ctx) => `${ctx.stateDir}/key.bin`,
    defaultText: '<state dir>/key.bin',
    doc: 'The node secret key (32 bytes). Created on first start. The state dir is /var/lib/hypha as root, else $XDG_STATE_HOME/hypha or ~/.local/state/hypha.',
  }),
  spec({
    key: 'listen_port',
    kind: 'int',
    type: 'integer',
    schema: port,
    default: () => DEFAULT_LISTEN_PORT,
    defaultText: String(DEFAULT_LISTEN_PORT),
    doc: 'UDP port for peer links, on all addresses.',
  }),
  spec({
    key: 'peers',
    kind: 'list',
    type: 'array of URIs',
    flag: 'peer',
    schema: peers,
    default: () => [],
    defaultText: '[]',
    doc: 'Peers to connect to and keep connected: udp://IPV4:PORT or udp://[IPV6]:PORT.',
  }),
  spec({
    key: 'tun_name',
    kind: 'string',
    type: 'string',
    schema: interfaceName,
    default: () => 'hypha0',
    defaultText: '"hypha0"',
    doc: "Name of the TUN interface: 1 to 15 bytes, no '/', ':' or whitespace.",
  }),
  spec({
    key: 'tun_mtu',
    kind: 'int',
    type: 'integer',
    schema: intRange(MIN_TUN_MTU, 65535),
    default: () => DEFAULT_TUN_MTU,
    defaultText: String(DEFAULT_TUN_MTU),
    doc: 'MTU of the TUN interface, 1280 to 65535.',
  }),
  spec({
    key: 'api_addr',
    kind: 'string',
    type: 'address',
    schema: listenAddress,
    default: () => '127.0.0.1:8989',
    defaultText: '"127.0.0.1:8989"',
    doc: 'Admin API address: HOST:PORT or unix:/absolute/path. A non-loopback address needs api_allow_remote and api_token_file.',
  }),
  spec({
    key: 'api_allow_remote',
    kind: 'bool',
    type: 'boolean',
    schema: bool,
    default: () => false,
    defaultText: 'false',
    doc: 'Allow api_addr to be a non-loopback address. Requires api_token_file.',
  }),
  spec({
    key: 'api_token_file',
    kind: 'string',
    type: 'path',
    path: true,
    schema: nonEmpty('a file path'),
    default: () => undefined,
    defaultText: 'unset',
    doc: 'File holding the bearer token the admin API requires from clients.',
  }),
  spec({
    key: 'metrics_addr',
    kind: 'string',
    type: 'address',
    schema: optionalTcpAddress,
    default: () => '127.0.0.1:9090',
    defaultText: '"127.0.0.1:9090"',
    doc: 'Prometheus metrics address (HOST:PORT, served at /metrics); "" disables it.',
  }),
  spec({
    key: 'discovery.enabled',
    kind: 'bool',
    type: 'boolean',
    schema: bool,
    default: () => true,
    defaultText: 'true',
    doc: 'Find and connect to peers on the local links by multicast.',
  }),
  spec({
    key: 'discovery.interfaces',
    kind: 'list',
    type: 'array of strings',
    flag: 'discovery-interface',
    schema: interfaces,
    default: () => [],
    defaultText: '[]',
    doc: 'Interfaces to discover peers on; [] means every suitable interface.',
  }),
  spec({
    key: 'discovery.port',
    kind: 'int',
    type: 'integer',
    schema: port,
    default: () => DEFAULT_DISCOVERY_PORT,
    defaultText: String(DEFAULT_DISCOVERY_PORT),
    doc: 'UDP port for local discovery beacons; must differ from listen_port.',
  }),
  spec({
    key: 'network.name',
    kind: 'string',
    type: 'string',
    schema: networkName,
    default: () => undefined,
    defaultText: 'unset',
    doc: 'Name of a private network; set together with network.psk_file, or neither.',
  }),
  spec({
    key: 'network.psk_file',
    kind: 'string',
    type: 'path',
    path: true,
    schema: nonEmpty('a file path'),
    default: () => undefined,
    defaultText: 'unset',
    doc: 'File holding the private network key: exactly 32 raw bytes.',
  }),
  spec({
    key: 'log.level',
    kind: 'string',
    type: 'string',
    schema: enumOf(LOG_LEVELS),
    default: () => 'info' as const,
    defaultText: '"info"',
    doc: `Least severe level logged: ${LOG_LEVELS.join(', ')}.`,
  }),
  spec({
    key: 'log.format',
    kind: 'string',
    type: 'string',
    schema: enumOf(LOG_FORMATS),
    default: () => 'auto' as const,
    defaultText: '"auto"',
    doc: 'json, pretty, or auto (pretty on a terminal, json otherwise).',
  }),
] as const;

export type KeyName = (typeof KEYS)[number]['key'];
/** The validated value of a key, as the daemon uses it (undefined for an unset optional key). */
export type KeyValue<K extends KeyName> = z.output<Extract<(typeof KEYS)[number], { key: K }>['schema']>;

/** The tables keys can sit in (`[discovery]`), for telling a misplaced table from an unknown key. */
export const TABLES: readonly string[] = [
  ...new Set(KEYS.flatMap((k) => (k.key.includes('.') ? [k.key.slice(0, k.key.indexOf('.'))] : []))),
];

const BY_NAME: ReadonlyMap<string, KeySpec> = new Map(KEYS.map((k) => [k.key, k as KeySpec]));

/** Returns the spec of a dotted key, or undefined for an unknown key. */
export function findKey(name: string): KeySpec | undefined {
  return BY_NAME.get(name);
}

/** The prefix of every environment variable the loader reads. */
export const ENV_PREFIX = 'HYPHA_';
/** The environment variable naming the config file (the CLI's `--config` wins over it). */
export const ENV_CONFIG_FILE = 'HYPHA_CONFIG';

/** Returns the environment variable for a key: `HYPHA_` + upper case, with `.` as `__` (HYPHA_LOG__LEVEL). */
export function envName(key: string): string {
  return ENV_PREFIX + key.toUpperCase().replace(/\./g, '__');
}

/** One row of the key table, for `hypha config keys` and docs/configuration.md. */
export interface KeyDoc {
  readonly key: KeyName;
  readonly type: string;
  readonly default: string;
  readonly env: string;
  readonly flag: string;
  readonly doc: string;
}

/** Returns every key with its type, default, environment variable, flag and meaning. */
export function describeConfig(): readonly KeyDoc[] {
  return KEYS.map((k) => ({
    key: k.key,
    type: k.type,
    default: k.defaultText,
    env: envName(k.key),
    flag: `--${k.flag}`,
    doc: k.doc,
  }));
}
