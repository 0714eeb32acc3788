/** The file source: parse TOML, flatten its tables to dotted keys, and find each key's line. */
import { dirname } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { emptyLayer, type Layer, renderValue } from './_layer.js';
import { findKey, KEYS, TABLES } from './keys.js';
import { nearest } from './suggest.js';

const KEY_NAMES: readonly string[] = KEYS.map((k) => k.key);

// A bare or quoted TOML key segment (TOML 1.0 §Keys).
const SEGMENT = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`;
const DOTTED = String.raw`${SEGMENT}(?:\s*\.\s*${SEGMENT})*`;
const HEADER_RE = new RegExp(String.raw`^\s*\[\[?\s*(${DOTTED})\s*\]\]?`);
const KEY_RE = new RegExp(String.raw`^\s*(${DOTTED})\s*=`);
const SEGMENT_RE = new RegExp(SEGMENT, 'g');

function splitDotted(dotted: string): string[] {
  return (dotted.match(SEGMENT_RE) ?? []).map((s) =>
    s.startsWith('"') || s.startsWith("'") ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s,
  );
}

/**
 * Returns the 1-based line where the dotted key `path` is set in TOML `text`, or undefined.
 * smol-toml reports no positions for values, so this rescans the text: it tracks `[table]`
 * headers, skips multi-line strings, and matches `a.b = ` lines against the full path. If the
 * key itself is not on a line of its own (an inline table), it returns the line of its nearest
 * enclosing key or table.
 */
export function findKeyLine(text: string, path: readonly string[]): number | undefined {
  const target = path.join('\0');
  let table: string[] = [];
  let inMultiline: string | undefined;
  let fallback: { line: number; depth: number } | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (inMultiline !== undefined) {
      if (line.split(inMultiline).length % 2 === 0) inMultiline = undefined;
      continue;
    }
    let found: string[] | undefined;
    const header = HEADER_RE.exec(line);
    if (header !== null) {
      table = splitDotted(header[1]!);
      found = table;
    } else {
      const key = KEY_RE.exec(line);
      if (key !== null) found = [...table, ...splitDotted(key[1]!)];
      for (const q of ['"""', "'''"]) if (line.split(q).length % 2 === 0) inMultiline = q;
    }
    if (found === undefined) continue;
    if (found.join('\0') === target) return i + 1;
    const isPrefix = found.length < path.length && found.every((s, j) => s === path[j]);
    if (isPrefix && (fallback === undefined || found.length > fallback.depth)) {
      fallback = { line: i + 1, depth: found.length };
    }
  }
  return fallback?.line;
}

function isTable(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Reads the configuration in TOML `text` (from `path`) into a layer of dotted keys. Unknown keys
 * and syntax errors become problems; values are validated later, with the other sources.
 */
export function readFileLayer(text: string, path: string): Layer {
  const layer = emptyLayer();
  const baseDir = dirname(path);
  let doc: Record<string, unknown>;
  try {
    doc = parse(text.replace(/^\uFEFF/, ''), { unsafeKeyBehaviour: 'keep', maxDepth: 64 });
  } catch (err) {
    if (err instanceof TomlError) {
      const headline = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      layer.problems.push({
        key: '(syntax)',
        origin: { kind: 'file', path, line: err.line },
        message: `invalid TOML at column ${err.column}: ${headline}`,
      });
    } else {
      layer.problems.push({
        key: '(syntax)',
        origin: { kind: 'file', path },
        message: `invalid TOML: ${String(err)}`,
      });
    }
    return layer;
  }

  const walk = (table: Record<string, unknown>, prefix: readonly string[]) => {
    for (const name of Object.keys(table)) {
      const value = table[name];
      const segments = [...prefix, name];
      const dotted = segments.join('.');
      const origin = { kind: 'file', path, line: findKeyLine(text, segments) } as const;
      if (findKey(dotted) !== undefined) {
        layer.values.set(dotted, { input: value, origin, baseDir });
      } else if (prefix.length === 0 && TABLES.includes(name)) {
        if (isTable(value)) walk(value, segments);
        else {
          layer.problems.push({
            key: dotted,
            origin,
            value: renderValue(value),
            message: `must be a table: write [${name}] followed by its keys`,
          });
        }
      } else {
        const suggestion = nearest(dotted, KEY_NAMES);
        // The classic TOML slip: a top-level key written after a [table] header lands in that table.
        const misplaced = prefix.length > 0 && findKey(name) !== undefined;
        layer.problems.push({
          key: dotted,
          origin,
          value: renderValue(value),
          message: misplaced
            ? `unknown key; ${name} is a top-level key, so write it above the first [table] header`
            : 'unknown key',
          ...(suggestion === undefined ? {} : { suggestion }),
        });
      }
    }
  };
  walk(doc, []);
  return layer;
}
