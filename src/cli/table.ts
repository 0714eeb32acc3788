/** Plain-text tables and human units for the CLI's default (non --json) output. */

/**
 * Returns rows as aligned columns separated by two spaces, headers first, with no trailing spaces.
 * Columns listed in `right` are right-aligned (numbers).
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** Returns `name value` lines with the values aligned, for key/value records. */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return fields
    .map(([k, v]) => `${k.padEnd(width)}  ${v}`.trimEnd())
    .join('\n')
    .concat('\n');
}

/** Returns a byte count in IEC units: 512 B, 1.5 KiB, 20.0 MiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Returns a duration in seconds as `45s`, `3m05s`, `2h01m` or `3d04h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor(s / 3600) % 24).padStart(2, '0')}h`;
}

/** Returns the first 16 hex characters of a public key, enough to tell nodes apart in a table. */
export function shortKey(key: string | undefined): string {
  return key === undefined ? '-' : key.slice(0, 16);
}

/** Returns `value` with a unit, or '-' when unknown. */
export function orDash(value: number | undefined, unit = ''): string {
  return value === undefined ? '-' : `${Number.isInteger(value) ? value : value.toFixed(1)}${unit}`;
}
