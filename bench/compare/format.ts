/** Number formatting shared by the Markdown and HTML reports. */

export const DASH = '–';

export function fixed(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? DASH : v.toFixed(digits);
}

/** Gbit/s with 2 decimals, 3 below 0.1, and 2 significant digits below 0.01 so a stall does not read as 0. */
export function gbps(v: number | undefined): string {
  if (v === undefined) return DASH;
  if (v > 0 && v < 0.01) return v.toPrecision(2);
  return v < 0.1 ? v.toFixed(3) : v.toFixed(2);
}

export function cpuPerGb(v: number | undefined): string {
  if (v === undefined) return DASH;
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
}

export function count(v: number | undefined): string {
  return v === undefined ? DASH : String(Math.round(v));
}
