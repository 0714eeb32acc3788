/**
 * Fault schedules: parsed from the compact CLI form, from JSON, or drawn at random.
 *
 * Compact form, comma-separated `TIME:KIND[:ARGS]`:
 *   30s:link-down:3-7      45s:link-up:3-7         130s:latency:3-7:80ms   135s:loss:3-7:0.2
 *   60s:crash:12           90s:restart:12          140s:malicious:5
 *   100s:partition:0-49|50-99   (groups split by |; a group is ids and ranges joined by +,
 *                                e.g. 0-9+20-29; nodes in no group form one more group)
 *   120s:heal
 * JSON: an array of {"at": "30s" | ms, "kind": ..., "link": [a, b], "node": n, "latencyMs": n,
 *   "loss": p, "groups": [[ids...], ...]}.
 */
import { readFileSync } from 'node:fs';
import { HyphaError } from '../src/errors.js';
import type { Rng } from './rng.js';
import type { Topology } from './topology/types.js';
import { DURATION_HELP, formatDuration, parseDuration } from './units.js';

export class FaultScheduleError extends HyphaError {
  constructor(message: string) {
    super('HYPHA_ERR_SIM_FAULTS', message);
    this.name = 'FaultScheduleError';
  }
}

export type Fault =
  | { readonly at: number; readonly kind: 'link-down' | 'link-up'; readonly a: number; readonly b: number }
  | {
      readonly at: number;
      readonly kind: 'latency';
      readonly a: number;
      readonly b: number;
      readonly latencyMs: number;
    }
  | {
      readonly at: number;
      readonly kind: 'loss';
      readonly a: number;
      readonly b: number;
      readonly loss: number;
    }
  | { readonly at: number; readonly kind: 'crash' | 'restart' | 'malicious'; readonly node: number }
  | { readonly at: number; readonly kind: 'partition'; readonly groups: readonly (readonly number[])[] }
  | { readonly at: number; readonly kind: 'heal' };

export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = [
  'link-down',
  'link-up',
  'latency',
  'loss',
  'crash',
  'restart',
  'malicious',
  'partition',
  'heal',
];

/** A one-line description of a fault, e.g. "link-down 3-7". */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'link-down':
    case 'link-up':
      return `${f.kind} ${f.a}-${f.b}`;
    case 'latency':
      return `latency ${f.a}-${f.b} ${f.latencyMs}ms`;
    case 'loss':
      return `loss ${f.a}-${f.b} ${f.loss}`;
    case 'crash':
    case 'restart':
    case 'malicious':
      return `${f.kind} ${f.node}`;
    case 'partition':
      return `partition ${f.groups.map((g) => (g.length > 6 ? `${g.length} nodes` : g.join('+'))).join(' | ')}`;
    case 'heal':
      return 'heal';
  }
}

function parseNode(text: string, where: string): number {
  if (!/^\d+$/.test(text))
    throw new FaultScheduleError(`${where}: "${text}" is not a node id (a non-negative integer)`);
  return Number(text);
}

function parseLink(text: string | undefined, where: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text ?? '');
  if (m === null)
    throw new FaultScheduleError(`${where}: expected a link "A-B" (two node ids), got "${text ?? ''}"`);
  return [Number(m[1]), Number(m[2])];
}

function parseGroup(text: string, where: string): number[] {
  const out: number[] = [];
  for (const part of text.split('+')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null)
      throw new FaultScheduleError(
        `${where}: bad partition group item "${part}" (use N or A-B, joined by +)`,
      );
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new FaultScheduleError(`${where}: range ${part} runs backwards`);
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

function parseAt(text: string, where: string): number {
  const at = parseDuration(text);
  if (at === undefined)
    throw new FaultScheduleError(`${where}: bad time "${text}"; the time is ${DURATION_HELP}`);
  return at;
}

function arity(parts: string[], n: number, where: string, usage: string): void {
  if (parts.length !== n) throw new FaultScheduleError(`${where}: expected ${usage}`);
}

/** Parses the compact comma-separated form (see the file comment). Not validated against a topology yet. */
export function parseFaultSchedule(text: string): Fault[] {
  const out: Fault[] = [];
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  items.forEach((item, i) => {
    const where = `fault ${i + 1} ("${item}")`;
    const parts = item.split(':');
    if (parts.length < 2) throw new FaultScheduleError(`${where}: expected TIME:KIND[:ARGS]`);
    const at = parseAt(parts[0]!, where);
    const kind = parts[1]!;
    switch (kind) {
      case 'link-down':
      case 'link-up': {
        arity(parts, 3, where, `TIME:${kind}:A-B`);
        const [a, b] = parseLink(parts[2], where);
        out.push({ at, kind, a, b });
        break;
      }
      case 'latency': {
        arity(parts, 4, where, 'TIME:latency:A-B:LATENCY (e.g. 30s:latency:3-7:80ms)');
        const [a, b] = parseLink(parts[2], where);
        const latencyMs = parseDuration(parts[3]!);
        if (latencyMs === undefined)
          throw new FaultScheduleError(`${where}: bad latency "${parts[3]}"; ${DURATION_HELP}`);
        out.push({ at, kind, a, b, latencyMs });
        break;
      }
      case 'loss': {
        arity(parts, 4, where, 'TIME:loss:A-B:P with P in [0, 1]');
        const [a, b] = parseLink(parts[2], where);
        const loss = Number(parts[3]);
        if (!(loss >= 0 && loss <= 1))
          throw new FaultScheduleError(`${where}: loss must be a number in [0, 1], got "${parts[3]}"`);
        out.push({ at, kind, a, b, loss });
        break;
      }
      case 'crash':
      case 'restart':
      case 'malicious':
        arity(parts, 3, where, `TIME:${kind}:NODE`);
        out.push({ at, kind, node: parseNode(parts[2]!, where) });
        break;
      case 'partition': {
        arity(parts, 3, where, 'TIME:partition:GROUP|GROUP[|...] (e.g. 100s:partition:0-49|50-99)');
        const groups = parts[2]!.split('|').map((g) => parseGroup(g, where));
        out.push({ at, kind, groups });
        break;
      }
      case 'heal':
        arity(parts, 2, where, 'TIME:heal');
        out.push({ at, kind });
        break;
      default:
        throw new FaultScheduleError(
          `${where}: unknown fault kind "${kind}"; allowed: ${FAULT_KINDS.join(', ')}`,
        );
    }
  });
  return sortFaults(out);
}

/** Parses the JSON form (an array of objects, see the file comment). */
export function parseFaultJson(text: string, file = '<json>'): Fault[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new FaultScheduleError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(doc)) throw new FaultScheduleError(`${file}: expected an array of fault objects`);
  const out: Fault[] = [];
  doc.forEach((raw: unknown, i) => {
    const where = `${file}: fault ${i}`;
    if (typeof raw !== 'object' || raw === null) throw new FaultScheduleError(`${where}: expected an object`);
    const o = raw as Record<string, unknown>;
    const at =
      typeof o.at === 'number' && o.at >= 0
        ? o.at
        : typeof o.at === 'string'
          ? parseAt(o.at, where)
          : Number.NaN;
    if (Number.isNaN(at))
      throw new FaultScheduleError(`${where}: "at" must be ms (a number) or ${DURATION_HELP}`);
    const link = (): [number, number] => {
      const l = o.link;
      if (!Array.isArray(l) || l.length !== 2 || !l.every((v) => Number.isInteger(v) && v >= 0)) {
        throw new FaultScheduleError(`${where}: "link" must be [a, b] node ids`);
      }
      return [l[0], l[1]];
    };
    const node = (): number => {
      if (!Number.isInteger(o.node) || (o.node as number) < 0)
        throw new FaultScheduleError(`${where}: "node" must be a node id`);
      return o.node as number;
    };
    switch (o.kind) {
      case 'link-down':
      case 'link-up': {
        const [a, b] = link();
        out.push({ at, kind: o.kind, a, b });
        break;
      }
      case 'latency': {
        const [a, b] = link();
        if (typeof o.latencyMs !== 'number' || o.latencyMs < 0)
          throw new FaultScheduleError(`${where}: "latencyMs" must be >= 0`);
        out.push({ at, kind: 'latency', a, b, latencyMs: o.latencyMs });
        break;
      }
      case 'loss': {
        const [a, b] = link();
        if (typeof o.loss !== 'number' || !(o.loss >= 0 && o.loss <= 1))
          throw new FaultScheduleError(`${where}: "loss" must be in [0, 1]`);
        out.push({ at, kind: 'loss', a, b, loss: o.loss });
        break;
      }
      case 'crash':
      case 'restart':
      case 'malicious':
        out.push({ at, kind: o.kind, node: node() });
        break;
      case 'partition': {
        const g = o.groups;
        if (
          !Array.isArray(g) ||
          !g.every((x) => Array.isArray(x) && x.every((v) => Number.isInteger(v) && v >= 0))
        ) {
          throw new FaultScheduleError(`${where}: "groups" must be an array of arrays of node ids`);
        }
        out.push({ at, kind: 'partition', groups: g as number[][] });
        break;
      }
      case 'heal':
        out.push({ at, kind: 'heal' });
        break;
      default:
        throw new FaultScheduleError(
          `${where}: unknown kind ${JSON.stringify(o.kind)}; allowed: ${FAULT_KINDS.join(', ')}`,
        );
    }
  });
  return sortFaults(out);
}

/** Reads a schedule: a path ending in .json is loaded as JSON, anything else is the compact form. */
export function readFaultSchedule(arg: string): Fault[] {
  if (arg.toLowerCase().endsWith('.json')) {
    let text: string;
    try {
      text = readFileSync(arg, 'utf8');
    } catch (err) {
      throw new FaultScheduleError(`cannot read fault file ${arg}: ${(err as Error).message}`);
    }
    return parseFaultJson(text, arg);
  }
  return parseFaultSchedule(arg);
}

/** Stable sort by time (faults at the same time keep their written order). */
function sortFaults(faults: Fault[]): Fault[] {
  return faults
    .map((f, i) => ({ f, i }))
    .sort((x, y) => x.f.at - y.f.at || x.i - y.i)
    .map((x) => x.f);
}

/** Checks node ids and links against a topology; throws FaultScheduleError naming the fault. */
export function validateFaults(faults: readonly Fault[], topo: Topology): void {
  const links = new Set(topo.edges.map((e) => (e.a < e.b ? `${e.a}-${e.b}` : `${e.b}-${e.a}`)));
  const checkNode = (n: number, f: Fault): void => {
    if (n >= topo.nodes) {
      throw new FaultScheduleError(
        `${describeFault(f)} at ${formatDuration(f.at)}: node ${n} does not exist (ids 0..${topo.nodes - 1})`,
      );
    }
  };
  for (const f of faults) {
    switch (f.kind) {
      case 'link-down':
      case 'link-up':
      case 'latency':
      case 'loss':
        checkNode(f.a, f);
        checkNode(f.b, f);
        if (!links.has(f.a < f.b ? `${f.a}-${f.b}` : `${f.b}-${f.a}`)) {
          throw new FaultScheduleError(
            `${describeFault(f)} at ${formatDuration(f.at)}: the topology has no link ${f.a}-${f.b}`,
          );
        }
        break;
      case 'crash':
      case 'restart':
      case 'malicious':
        checkNode(f.node, f);
        break;
      case 'partition': {
        const seen = new Set<number>();
        for (const g of f.groups) {
          for (const n of g) {
            checkNode(n, f);
            if (seen.has(n)) throw new FaultScheduleError(`${describeFault(f)}: node ${n} is in two groups`);
            seen.add(n);
          }
        }
        break;
      }
      case 'heal':
        break;
    }
  }
}

/**
 * Draws `count` random incidents between `startMs` and `endMs`, each a fault plus its repair a
 * little later (link flap, crash + restart, latency spike + restore, partition + heal), so the
 * network is whole again by `endMs`. Malicious nodes are never drawn (opt in explicitly).
 */
export function randomFaults(
  count: number,
  topo: Topology,
  rng: Rng,
  startMs: number,
  endMs: number,
): Fault[] {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`random fault count must be >= 0, got ${count}`);
  if (count === 0) return [];
  if (!(endMs > startMs)) throw new RangeError('no room for random faults: the run is too short');
  const out: Fault[] = [];
  const slot = (endMs - startMs) / count;
  const adjacency: number[][] = Array.from({ length: topo.nodes }, () => []);
  for (const e of topo.edges) {
    adjacency[e.a]!.push(e.b);
    adjacency[e.b]!.push(e.a);
  }
  for (let i = 0; i < count; i++) {
    const t0 = Math.round(startMs + slot * i + rng.float() * slot * 0.4);
    const t1 = Math.round(t0 + slot * (0.2 + 0.3 * rng.float()));
    const roll = rng.float();
    if (topo.edges.length > 0 && roll < 0.4) {
      const e = rng.pick(topo.edges);
      out.push({ at: t0, kind: 'link-down', a: e.a, b: e.b }, { at: t1, kind: 'link-up', a: e.a, b: e.b });
    } else if (roll < 0.7 || topo.edges.length === 0) {
      const n = rng.int(topo.nodes);
      out.push({ at: t0, kind: 'crash', node: n }, { at: t1, kind: 'restart', node: n });
    } else if (roll < 0.9) {
      const e = rng.pick(topo.edges);
      const spike = Math.round(e.latencyMs * (3 + 5 * rng.float()) + 20);
      out.push(
        { at: t0, kind: 'latency', a: e.a, b: e.b, latencyMs: spike },
        { at: t1, kind: 'latency', a: e.a, b: e.b, latencyMs: e.latencyMs },
      );
    } else {
      // A connected region grown by BFS from a random node, up to half the network, against the rest.
      const start = rng.int(topo.nodes);
      const inGroup = new Uint8Array(topo.nodes);
      const group: number[] = [start];
      inGroup[start] = 1;
      const target = Math.max(1, Math.floor(topo.nodes * (0.1 + 0.4 * rng.float())));
      for (let k = 0; k < group.length && group.length < target; k++) {
        for (const v of adjacency[group[k]!]!) {
          if (!inGroup[v] && group.length < target) {
            inGroup[v] = 1;
            group.push(v);
          }
        }
      }
      group.sort((x, y) => x - y);
      out.push({ at: t0, kind: 'partition', groups: [group] }, { at: t1, kind: 'heal' });
    }
  }
  return sortFaults(out);
}
