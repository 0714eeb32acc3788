import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FILE_DEFAULT_LATENCY_MS,
  loadTopologyFile,
  parseCsvTopology,
  parseJsonTopology,
  TopologyFileError,
} from '../../sim/topology/file.js';

describe('topology file loader', () => {
  it('reads JSON with and without latencies', () => {
    const t = parseJsonTopology('{"nodes":3,"edges":[[0,1,12.5],[1,2]]}');
    expect(t.nodes).toBe(3);
    expect(t.edges).toEqual([
      { a: 0, b: 1, latencyMs: 12.5 },
      { a: 1, b: 2, latencyMs: FILE_DEFAULT_LATENCY_MS },
    ]);
  });

  it('reads CSV with a header, comments and blank lines; node count is max id + 1', () => {
    const t = parseCsvTopology('a,b,latency_ms\n# comment\n0,1,10\n\n1,4\n');
    expect(t.nodes).toBe(5);
    expect(t.edges).toHaveLength(2);
    expect(t.edges[0]).toEqual({ a: 0, b: 1, latencyMs: 10 });
  });

  it.each([
    ['not JSON', '{nodes:', /not valid JSON/],
    ['not an object', '[1,2]', /expected an object/],
    ['bad node count', '{"nodes":0,"edges":[]}', /"nodes" must be an integer/],
    ['edges not an array', '{"nodes":2,"edges":{}}', /"edges" must be an array/],
    ['short edge', '{"nodes":2,"edges":[[0]]}', /edge 0 must be \[a, b\]/],
    ['out of range', '{"nodes":2,"edges":[[0,2]]}', /node 2 is out of range/],
    ['self-loop', '{"nodes":2,"edges":[[1,1]]}', /self-loop/],
    ['negative latency', '{"nodes":2,"edges":[[0,1,-3]]}', /latency must be a non-negative/],
    ['duplicate', '{"nodes":2,"edges":[[0,1],[1,0]]}', /duplicate/],
    ['fractional id', '{"nodes":3,"edges":[[0.5,1]]}', /non-negative integer node id/],
  ])('JSON: %s is a clear error', (_name, text, re) => {
    expect(() => parseJsonTopology(text, 'f.json')).toThrow(TopologyFileError);
    expect(() => parseJsonTopology(text, 'f.json')).toThrow(re);
  });

  it.each([
    ['too many fields', '0,1,2,3\n', /f.csv:1: expected "a,b"/],
    ['not a number', '0,x\n', /f.csv:1: second node must be a non-negative number/],
    ['bad latency', '0,1,fast\n', /latency_ms must be/],
    ['empty', '# nothing\n', /no edges/],
    ['self-loop on line 2', '0,1\n2,2\n', /f.csv:2: self-loop/],
  ])('CSV: %s is a clear error naming the line', (_name, text, re) => {
    expect(() => parseCsvTopology(text, 'f.csv')).toThrow(re);
  });

  it('loads by extension and reports unreadable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-topo-'));
    writeFileSync(join(dir, 't.json'), '{"nodes":2,"edges":[[0,1,3]]}');
    writeFileSync(join(dir, 't.csv'), '0,1,3\n');
    expect(loadTopologyFile(join(dir, 't.json')).edges).toHaveLength(1);
    expect(loadTopologyFile(join(dir, 't.csv')).edges).toHaveLength(1);
    expect(() => loadTopologyFile(join(dir, 'missing.csv'))).toThrow(/cannot read topology file/);
  });
});
