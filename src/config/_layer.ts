/** What each source (file, environment, flags) hands the loader, and the helpers they share. */
import type { ConfigOrigin, ConfigProblem } from './errors.js';
import type { KeySpec } from './keys.js';

/** One value a source sets, before validation. */
export interface LayerValue {
  /** The typed input: a TOML value, or a string already coerced by `coerceText`. */
  readonly input: unknown;
  readonly origin: ConfigOrigin;
  /** The text as written, for environment variables and flags (errors show it, not the coerced value). */
  readonly text?: string;
  /** Directory that a relative path in this value is relative to. */
  readonly baseDir: string;
}

/** The values one source sets, the keys it resets to their defaults, and what was wrong with it. */
export interface Layer {
  readonly values: Map<string, LayerValue>;
  /** Keys a `--reset` flag sends back to their default, with the flag's origin. */
  readonly resets: Map<string, ConfigOrigin>;
  readonly problems: ConfigProblem[];
}

export function emptyLayer(): Layer {
  return { values: new Map(), resets: new Map(), problems: [] };
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/**
 * Turns the text of an environment variable or flag into the type its key expects. Text that does
 * not convert is passed on unchanged (or as NaN for integers), so the key's schema reports it
 * with the same message a bad file value gets.
 */
export function coerceText(spec: KeySpec, text: string): unknown {
  switch (spec.kind) {
    case 'int':
      return /^\s*[+-]?[0-9]+\s*$/.test(text) ? Number(text) : Number.NaN;
    case 'bool': {
      const t = text.trim().toLowerCase();
      return TRUE.has(t) ? true : FALSE.has(t) ? false : text;
    }
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'string':
      return text;
  }
}

/** Renders a value for an error message or `config show`, in TOML-like syntax, cut to a readable length. */
export function renderValue(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
  else if (typeof v === 'bigint') s = v.toString();
  else if (v === undefined) s = '(unset)';
  else if (Array.isArray(v)) s = `[${v.map(renderValue).join(', ')}]`;
  else if (v instanceof Date) s = Number.isNaN(v.getTime()) ? 'an invalid date' : v.toISOString();
  else if (typeof v === 'object' && v !== null) {
    s = `{ ${Object.entries(v)
      .map(([k, x]) => `${k} = ${renderValue(x)}`)
      .join(', ')} }`;
  } else s = String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
