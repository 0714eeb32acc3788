/**
 * The command-line source. Every key has a flag (`--listen-port 9000`, `--log-level=debug`); boolean
 * flags also take a bare `--discovery-enabled` or `--no-discovery-enabled`; list flags repeat
 * (`--peer A --peer B`) and accept commas. Two generic flags reach any key: `--set KEY=VALUE`
 * and `--reset KEY`, which puts a key back to its built-in default whatever the file or the
 * environment says. `--config PATH` (or `-c PATH`) names the config file.
 */

import { coerceText, emptyLayer, type Layer } from './_layer.js';
import type { ConfigOrigin } from './errors.js';
import { findKey, KEYS, type KeySpec } from './keys.js';
import { nearest } from './suggest.js';

/** Flags as the CLI has them: raw argv (after the subcommand), or an options record from a parser. */
export type FlagInput = readonly string[] | Readonly<Record<string, unknown>>;

/** The flag layer, plus the config file path when `--config` was given. */
export interface FlagLayer extends Layer {
  readonly configFile?: string;
}

const KEY_NAMES: readonly string[] = KEYS.map((k) => k.key);
const BY_FLAG: ReadonlyMap<string, KeySpec> = new Map(KEYS.map((k) => [k.flag, k as KeySpec]));
const FLAG_NAMES: readonly string[] = [...BY_FLAG.keys(), 'set', 'reset', 'config'].map((f) => `--${f}`);

const camel = (s: string) => s.replace(/[-_.]([a-z])/g, (_, c: string) => c.toUpperCase());

/** Record keys a parser may use for a key: the flag, the key, and their camelCase forms. */
const BY_ALIAS: ReadonlyMap<string, KeySpec> = new Map(
  KEYS.flatMap((k) => [k.flag, k.key, camel(k.flag), camel(k.key)].map((a) => [a, k as KeySpec] as const)),
);

class FlagCollector {
  readonly layer: Layer & { configFile?: string } = emptyLayer();
  private readonly setBy = new Map<string, ConfigOrigin>();
  private readonly cwd: string;

  constructor(cwd: string) {
    this.cwd = cwd;
  }

  /** Records a value for `spec`; list values from several flags are appended, scalars: the last wins. */
  set(spec: KeySpec, input: unknown, flag: string, text?: string): void {
    const origin = { kind: 'flag', flag } as const;
    const prev = this.layer.values.get(spec.key);
    if (spec.kind === 'list' && prev !== undefined && Array.isArray(prev.input) && Array.isArray(input)) {
      input = [...prev.input, ...input];
    }
    this.layer.values.set(spec.key, {
      input,
      origin,
      baseDir: this.cwd,
      ...(text === undefined || spec.kind === 'list' ? {} : { text }),
    });
    this.setBy.set(spec.key, origin);
    this.conflict(spec.key);
  }

  setText(spec: KeySpec, text: string, flag: string): void {
    this.set(spec, coerceText(spec, text), flag, text);
  }

  reset(name: string, flag: string): void {
    const spec = findKey(name.trim());
    if (spec === undefined) {
      this.unknown(name, { kind: 'flag', flag: `${flag} ${name}` }, 'unknown key', nearest(name, KEY_NAMES));
      return;
    }
    this.layer.resets.set(spec.key, { kind: 'flag', flag: `${flag} ${spec.key}` });
    this.conflict(spec.key);
  }

  assign(assignment: string, flag: string): void {
    const eq = assignment.indexOf('=');
    if (eq < 0) {
      this.layer.problems.push({
        key: assignment,
        origin: { kind: 'flag', flag },
        message: `expected ${flag} KEY=VALUE, e.g. ${flag} listen_port=9651`,
      });
      return;
    }
    const name = assignment.slice(0, eq).trim();
    const spec = findKey(name);
    if (spec === undefined) {
      this.unknown(name, { kind: 'flag', flag: `${flag} ${name}` }, 'unknown key', nearest(name, KEY_NAMES));
      return;
    }
    this.setText(spec, assignment.slice(eq + 1), `${flag} ${spec.key}`);
  }

  unknown(key: string, origin: ConfigOrigin, message: string, suggestion: string | undefined): void {
    this.layer.problems.push({ key, origin, message, ...(suggestion === undefined ? {} : { suggestion }) });
  }

  private conflict(key: string): void {
    const set = this.setBy.get(key);
    const reset = this.layer.resets.get(key);
    if (set === undefined || reset === undefined) return;
    this.layer.problems.push({
      key,
      origin: set,
      message: `also reset by ${reset.kind === 'flag' ? reset.flag : 'a flag'}; give one or the other`,
    });
  }
}

function parseArgv(argv: readonly string[], c: FlagCollector): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const isLong = arg.startsWith('--') && arg.length > 2;
    const name = !isLong ? arg : eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = isLong && eq >= 0 ? arg.slice(eq + 1) : undefined;
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        c.unknown(arg, { kind: 'flag', flag: arg }, 'needs a value', undefined);
        return undefined;
      }
      i++;
      return next;
    };

    if (arg === '-c' || name === 'config') {
      const v = takeValue();
      if (v !== undefined) c.layer.configFile = v;
      continue;
    }
    if (!isLong) {
      c.unknown(arg, { kind: 'flag', flag: arg }, 'unexpected argument', undefined);
      continue;
    }
    if (name === 'set' || name === 'reset') {
      const v = takeValue();
      if (v !== undefined) name === 'set' ? c.assign(v, '--set') : c.reset(v, '--reset');
      continue;
    }
    const spec = BY_FLAG.get(name);
    const negated = spec === undefined && name.startsWith('no-') ? BY_FLAG.get(name.slice(3)) : undefined;
    if (negated !== undefined && negated.kind === 'bool' && inline === undefined) {
      c.set(negated, false, `--${name}`);
      continue;
    }
    if (spec === undefined) {
      c.unknown(
        `--${name}`,
        { kind: 'flag', flag: `--${name}` },
        'unknown flag',
        nearest(`--${name}`, FLAG_NAMES),
      );
      // Skip what is probably its value, so it is not reported again as a stray argument.
      if (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) i++;
      continue;
    }
    if (spec.kind === 'bool') {
      // A bare boolean flag means true; `--flag value` would swallow the next argument, so only `=` binds.
      c.set(spec, inline === undefined ? true : coerceText(spec, inline), `--${name}`, inline);
      continue;
    }
    const v = takeValue();
    if (v !== undefined) c.setText(spec, v, `--${name}`);
  }
}

function parseRecord(record: Readonly<Record<string, unknown>>, c: FlagCollector): void {
  const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value === undefined) continue;
    if (name === 'config' || name === 'c') {
      if (typeof value === 'string') c.layer.configFile = value;
      else c.unknown('--config', { kind: 'flag', flag: '--config' }, 'must be a file path', undefined);
      continue;
    }
    if (name === 'set' || name === 'reset') {
      for (const item of asList(value)) {
        if (typeof item !== 'string') {
          c.unknown(`--${name}`, { kind: 'flag', flag: `--${name}` }, 'must be a string', undefined);
        } else if (name === 'set') c.assign(item, '--set');
        else c.reset(item, '--reset');
      }
      continue;
    }
    const spec = BY_ALIAS.get(name);
    if (spec === undefined) {
      c.unknown(
        `--${name}`,
        { kind: 'flag', flag: `--${name}` },
        'unknown flag',
        nearest(`--${name}`, FLAG_NAMES),
      );
      continue;
    }
    const flag = `--${spec.flag}`;
    if (spec.kind === 'list') {
      const items = asList(value).flatMap((v) =>
        typeof v === 'string' ? (coerceText(spec, v) as string[]) : [v],
      );
      c.set(spec, items, flag);
    } else if (typeof value === 'string') c.setText(spec, value, flag);
    else c.set(spec, value, flag);
  }
}

/** Reads flags (argv or a parsed record) into a layer; relative paths are taken relative to `cwd`. */
export function readFlagLayer(flags: FlagInput, cwd: string): FlagLayer {
  const c = new FlagCollector(cwd);
  if (Array.isArray(flags)) parseArgv(flags as readonly string[], c);
  else parseRecord(flags as Readonly<Record<string, unknown>>, c);
  return c.layer;
}
