/** Parsing of the units the CLI and fault schedules accept. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "250ms", "30s", "1.5m", "2h" into ms; returns undefined for anything else. A bare "0" is 0. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (m === null) return text.trim() === '0' ? 0 : undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

export const DURATION_HELP = 'a number with a unit: ms, s, m or h (e.g. 500ms, 30s, 10m)';

/** Formats ms for people: "850ms", "12.3s", "4m05s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}
