/**
 * Loads a topology from a file: JSON `{"nodes": N, "edges": [[a, b, latencyMs?], ...]}` or a CSV
 * edge list with one `a,b[,latency_ms]` per line (blank lines and lines starting with # are
 * skipped; an optional header line `a,b[,latency_ms]` too; the node count is max id + 1).
 * Every problem is a TopologyFileError naming the file, the line or edge index, and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { HyphaError } from '../../src/errors.js';
import { DEFAULT_LATENCY, type Edge, EdgeSet, type Topology } from './types.js';

export class TopologyFileError extends HyphaError {
  constructor(message: string) {
    super('HYPHA_ERR_SIM_TOPOLOGY_FILE', message);
    this.name = 'TopologyFileError';
  }
}

/** Latency given to edges that do not state one: the middle of the default range. */
export const FILE_DEFAULT_LATENCY_MS = Math.round((DEFAULT_LATENCY.minMs + DEFAULT_LATENCY.maxMs) / 2);
const MAX_NODES = 1_000_000;

function checkEdge(where: string, nodes: number, a: unknown, b: unknown, lat: unknown): Edge {
  for (const [name, v] of [
    ['first node', a],
    ['second node', b],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new TopologyFileError(
        `${where}: ${name} must be a non-negative integer node id, got ${JSON.stringify(v)}`,
      );
    }
    if (v >= nodes)
      throw new TopologyFileError(
        `${where}: node ${v} is out of range (nodes: ${nodes}, ids 0..${nodes - 1})`,
      );
  }
  if (a === b) throw new TopologyFileError(`${where}: self-loop on node ${a} is not allowed`);
  let latencyMs = FILE_DEFAULT_LATENCY_MS;
  if (lat !== undefined) {
    if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < 0) {
      throw new TopologyFileError(
        `${where}: latency must be a non-negative number of ms, got ${JSON.stringify(lat)}`,
      );
    }
    latencyMs = lat;
  }
  return { a: a as number, b: b as number, latencyMs };
}

function build(name: string, nodes: number, edges: Edge[], file: string): Topology {
  const set = new EdgeSet(nodes);
  edges.forEach((e, i) => {
    if (!set.add(e.a, e.b, e.latencyMs))
      throw new TopologyFileError(`${file}: edge ${i} (${e.a}-${e.b}) is a duplicate`);
  });
  return { name, nodes, edges: set.edges };
}

/** Parses JSON topology text; `file` only names the source in errors. */
export function parseJsonTopology(text: string, file = '<json>'): Topology {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TopologyFileError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new TopologyFileError(
      `${file}: expected an object {"nodes": N, "edges": [[a, b, latencyMs?], ...]}`,
    );
  }
  const { nodes, edges } = doc as { nodes?: unknown; edges?: unknown };
  if (typeof nodes !== 'number' || !Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) {
    throw new TopologyFileError(
      `${file}: "nodes" must be an integer in [1, ${MAX_NODES}], got ${JSON.stringify(nodes)}`,
    );
  }
  if (!Array.isArray(edges))
    throw new TopologyFileError(`${file}: "edges" must be an array of [a, b, latencyMs?]`);
  const out: Edge[] = [];
  edges.forEach((e: unknown, i) => {
    if (!Array.isArray(e) || e.length < 2 || e.length > 3) {
      throw new TopologyFileError(
        `${file}: edge ${i} must be [a, b] or [a, b, latencyMs], got ${JSON.stringify(e)}`,
      );
    }
    out.push(checkEdge(`${file}: edge ${i}`, nodes, e[0], e[1], e[2]));
  });
  return build('file', nodes, out, file);
}

/** Parses CSV edge-list text; `file` only names the source in errors. */
export function parseCsvTopology(text: string, file = '<csv>'): Topology {
  const rows: { line: number; cells: string[] }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    rows.push({ line: i + 1, cells: line.split(',').map((c) => c.trim()) });
  });
  if (rows.length > 0 && /^[a-z_]/i.test(rows[0]!.cells[0]!)) rows.shift(); // header
  if (rows.length === 0) throw new TopologyFileError(`${file}: no edges (expected lines "a,b[,latency_ms]")`);
  const raw: { line: number; a: number; b: number; lat: number | undefined }[] = [];
  let maxId = -1;
  for (const { line, cells } of rows) {
    const where = `${file}:${line}`;
    if (cells.length < 2 || cells.length > 3) {
      throw new TopologyFileError(`${where}: expected "a,b" or "a,b,latency_ms", got ${cells.length} fields`);
    }
    const num = (s: string, what: string): number => {
      if (!/^\d+(\.\d+)?$/.test(s))
        throw new TopologyFileError(`${where}: ${what} must be a non-negative number, got "${s}"`);
      return Number(s);
    };
    const a = num(cells[0]!, 'first node');
    const b = num(cells[1]!, 'second node');
    const lat = cells[2] === undefined || cells[2] === '' ? undefined : num(cells[2], 'latency_ms');
    raw.push({ line, a, b, lat });
    maxId = Math.max(maxId, a, b);
  }
  const nodes = maxId + 1;
  if (nodes > MAX_NODES)
    throw new TopologyFileError(`${file}: node ids go up to ${maxId}; at most ${MAX_NODES} nodes`);
  const edges = raw.map((r) => checkEdge(`${file}:${r.line}`, nodes, r.a, r.b, r.lat));
  return build('file', nodes, edges, file);
}

/** Reads a .json or .csv topology file (by extension; anything else is tried as CSV). */
export function loadTopologyFile(path: string): Topology {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TopologyFileError(`cannot read topology file ${path}: ${(err as Error).message}`);
  }
  return path.toLowerCase().endsWith('.json') ? parseJsonTopology(text, path) : parseCsvTopology(text, path);
}
