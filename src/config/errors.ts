import { HyphaError } from '../errors.js';

/** Where a configuration value (or a problem with one) came from. */
export type ConfigOrigin =
  | { readonly kind: 'default' }
  /** `line` is 1-based; absent when the key's line cannot be found in the text. */
  | { readonly kind: 'file'; readonly path: string; readonly line?: number }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'flag'; readonly flag: string };

/** One thing wrong with the configuration. A `ConfigError` carries every problem found, not just the first. */
export interface ConfigProblem {
  /** The dotted config key (`discovery.port`), or the unknown name as the user wrote it. */
  readonly key: string;
  readonly origin: ConfigOrigin;
  /** The offending value, rendered for humans; absent when the problem is not about one value. */
  readonly value?: string;
  /** What is wrong and what is allowed ("must be an integer from 1 to 65535"). */
  readonly message: string;
  /** The nearest known key or flag, for unknown names. */
  readonly suggestion?: string;
}

/** Renders an origin as a location prefix: `/etc/hypha/hypha.toml:3`, `env HYPHA_LISTEN_PORT`, `flag --peer`. */
export function formatOrigin(origin: ConfigOrigin): string {
  switch (origin.kind) {
    case 'default':
      return 'default';
    case 'file':
      return origin.line === undefined ? origin.path : `${origin.path}:${origin.line}`;
    case 'env':
      return `env ${origin.name}`;
    case 'flag':
      return `flag ${origin.flag}`;
  }
}

/** Renders one problem as a single line. */
export function formatProblem(p: ConfigProblem): string {
  const value = p.value === undefined ? '' : ` = ${p.value}`;
  const hint = p.suggestion === undefined ? '' : `; did you mean ${p.suggestion}?`;
  // An unknown variable or flag is its own origin: say its name once.
  const o = p.origin;
  const named = (o.kind === 'env' && o.name === p.key) || (o.kind === 'flag' && o.flag === p.key);
  return `${formatOrigin(o)}: ${named ? '' : p.key}${value}${named ? '' : ': '}${p.message}${hint}`;
}

/** The configuration (file, environment or flags) is invalid. `problems` lists every issue found. */
export class ConfigError extends HyphaError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const n = problems.length;
    const head = n === 1 ? 'invalid configuration:' : `invalid configuration (${n} problems):`;
    super('HYPHA_ERR_CONFIG', [head, ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n'));
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
  }
}
