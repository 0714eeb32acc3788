/**
 * How NodeStats counter and gauge names become Prometheus metric families. The rule, also in
 * docs/OPERATING.md ("Metrics"):
 *
 *   1. A name is dotted segments: `subsystem.word.word…`, e.g. `dataplane.drop.no-route`.
 *   2. The first segment after the subsystem that is a label keyword splits the name:
 *      - `drop` or `reject`, followed by more segments: the family is everything up to and including
 *        the keyword, and the rest (joined with '.') is the `reason` label:
 *        `dataplane.drop.no-route` → `hypha_dataplane_drop_total{reason="no-route"}`,
 *        `routing.reject.bad-signature` → `hypha_routing_reject_total{reason="bad-signature"}`;
 *      - `in` or `out`, followed by more segments: the family is the segments before the keyword plus
 *        `messages`, with labels `direction` (the keyword) and `type` (the rest):
 *        `routing.in.update` → `hypha_routing_messages_total{direction="in",type="update"}`.
 *   3. Otherwise the whole name is the family: `link.handshake.completed` →
 *      `hypha_link_handshake_completed_total`.
 *   4. Family segments are lower-cased and every character outside [a-z0-9_] becomes '_'; label
 *      values keep the original text. Counters get the `_total` suffix, gauges none:
 *      gauge `dataplane.pending.packets` → `hypha_dataplane_pending_packets`.
 *   5. Names that map to the same family and labels are summed.
 */

/** Every family name starts with this. */
export const METRIC_PREFIX = 'hypha_';

/** Where a counter or gauge lands: the family name and the labels of its series. */
export interface FamilyKey {
  readonly family: string;
  readonly labels: Readonly<Record<string, string>>;
}

const REASON_KEYWORDS = new Set(['drop', 'reject']);
const DIRECTION_KEYWORDS = new Set(['in', 'out']);

function sanitize(segment: string): string {
  return segment.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function join(segments: readonly string[]): string {
  return METRIC_PREFIX + segments.map(sanitize).join('_');
}

/** Returns the family and labels for the NodeStats counter `name` (rules 1–4 above). */
export function counterFamily(name: string): FamilyKey {
  const segments = name.split('.');
  for (let i = 1; i < segments.length - 1; i++) {
    const s = segments[i]!;
    const rest = segments.slice(i + 1).join('.');
    if (REASON_KEYWORDS.has(s))
      return { family: `${join(segments.slice(0, i + 1))}_total`, labels: { reason: rest } };
    if (DIRECTION_KEYWORDS.has(s)) {
      return {
        family: `${join([...segments.slice(0, i), 'messages'])}_total`,
        labels: { direction: s, type: rest },
      };
    }
  }
  return { family: `${join(segments)}_total`, labels: {} };
}

/** Returns the family for the NodeStats gauge `name`: the sanitized name, no labels, no suffix. */
export function gaugeFamily(name: string): FamilyKey {
  return { family: join(name.split('.')), labels: {} };
}

/** True when `name` is a valid Prometheus metric name. */
export function isValidMetricName(name: string): boolean {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name);
}
