/**
 * The `hypha config ...` subcommands as pure functions: each returns the text to print and the
 * exit code, and the CLI only wires arguments in and writes the text out.
 */
import { ConfigError, formatOrigin } from './errors.js';
import { describeConfig } from './keys.js';
import { type LoadOptions, resolveConfig } from './load.js';

export interface CommandResult {
  /** What to print, ending in a newline; to stdout when `exitCode` is 0, else to stderr. */
  readonly text: string;
  /** 0 when the configuration is valid, 1 when it is not. */
  readonly exitCode: number;
}

/** Exit code for an invalid configuration (EX_CONFIG from sysexits.h would be 78; 1 keeps scripts simple). */
export const EXIT_INVALID_CONFIG = 1;

function failure(err: unknown): CommandResult {
  if (err instanceof ConfigError) return { text: `${err.message}\n`, exitCode: EXIT_INVALID_CONFIG };
  throw err;
}

/**
 * `hypha config show`: the effective configuration, one key per line with the source of its value.
 * The default `toml` format is itself a valid config file (sources are comments); `json` gives
 * `{ key: { value, source } }` with values as displayed.
 */
export function configShow(opts: LoadOptions, format: 'toml' | 'json' = 'toml'): CommandResult {
  let resolved: ReturnType<typeof resolveConfig>;
  try {
    resolved = resolveConfig(opts);
  } catch (err) {
    return failure(err);
  }
  if (format === 'json') {
    const out: Record<string, { value: string; source: string }> = {};
    for (const e of resolved.entries) out[e.key] = { value: e.display, source: formatOrigin(e.origin) };
    return { text: `${JSON.stringify(out, null, 2)}\n`, exitCode: 0 };
  }
  const lines = [
    `# effective hypha configuration; ${resolved.file === undefined ? 'no config file' : `file ${resolved.file}`}`,
  ];
  const width = Math.max(...resolved.entries.map((e) => e.key.length + e.display.length + 3));
  for (const e of resolved.entries) {
    const source = formatOrigin(e.origin);
    const line = e.display === '(unset)' ? `# ${e.key} is unset` : `${e.key} = ${e.display}`;
    lines.push(`${line.padEnd(width)}  # ${source}`);
  }
  return { text: `${lines.join('\n')}\n`, exitCode: 0 };
}

/**
 * `hypha config check FILE`: validates one config file on its own (no environment, no flags),
 * printing `FILE: ok` or every problem with its line.
 */
export function configCheck(
  file: string,
  opts: { readonly fileText?: string; readonly cwd?: string; readonly uid?: number } = {},
): CommandResult {
  try {
    const r = resolveConfig({ ...opts, file, env: {}, flags: [] });
    return { text: `${r.file}: ok\n`, exitCode: 0 };
  } catch (err) {
    return failure(err);
  }
}

/** `hypha config keys`: every key with its type, default, environment variable, flag and meaning. */
export function configKeys(): CommandResult {
  const lines: string[] = [];
  for (const k of describeConfig()) {
    lines.push(`${k.key} (${k.type}, default ${k.default})`);
    lines.push(`    env ${k.env}, flag ${k.flag}`);
    lines.push(`    ${k.doc}`);
  }
  lines.push(
    '',
    'Precedence: flag > env > file > default. `--reset KEY` restores a default; `--set KEY=VALUE` sets any key.',
  );
  return { text: `${lines.join('\n')}\n`, exitCode: 0 };
}
