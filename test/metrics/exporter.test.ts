import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MetricsServer, startMetrics } from '../../src/metrics/exporter.js';
import { counterFamily, gaugeFamily } from '../../src/metrics/names.js';
import { FakeBackend } from '../api/fake-backend.js';
import { http } from '../api/http.js';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses Prometheus text format 0.0.4, checking that every sample belongs to a declared family. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      expect(types.has(type[1]!), `family ${type[1]} declared twice`).toBe(false);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `unparseable line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[k!] = v!;
    const name = m![1]!;
    const family = [...types.keys()].find(
      (f) => name === f || ['_bucket', '_sum', '_count'].some((s) => name === f + s),
    );
    expect(family, `sample ${name} has no # TYPE`).toBeDefined();
    samples.push({ name, labels, value: Number(m![3]) });
  }
  return { types, samples };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}

let backend: FakeBackend;
let metrics: MetricsServer;
beforeEach(async () => {
  backend = new FakeBackend();
  metrics = await startMetrics({
    address: { kind: 'tcp', text: '127.0.0.1:0', host: '127.0.0.1', port: 0 },
    backend,
  });
});
afterEach(() => metrics.close());

async function scrape() {
  const r = await http(metrics.address, 'GET', '/metrics');
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(r.text);
}

describe('counter and gauge name mapping', () => {
  it('drop/reject segments become a reason label, in/out a direction and type', () => {
    expect(counterFamily('dataplane.drop.no-route')).toEqual({
      family: 'hypha_dataplane_drop_total',
      labels: { reason: 'no-route' },
    });
    expect(counterFamily('routing.reject.bad-signature')).toEqual({
      family: 'hypha_routing_reject_total',
      labels: { reason: 'bad-signature' },
    });
    expect(counterFamily('routing.in.route-request')).toEqual({
      family: 'hypha_routing_messages_total',
      labels: { direction: 'in', type: 'route-request' },
    });
    expect(counterFamily('link.rx.drop.bad.mac')).toEqual({
      family: 'hypha_link_rx_drop_total',
      labels: { reason: 'bad.mac' },
    });
  });

  it('other names are the family; punctuation becomes _, and a trailing keyword is not a label', () => {
    expect(counterFamily('link.handshake.completed')).toEqual({
      family: 'hypha_link_handshake_completed_total',
      labels: {},
    });
    expect(counterFamily('dataplane.icmp.PacketTooBig')).toEqual({
      family: 'hypha_dataplane_icmp_packettoobig_total',
      labels: {},
    });
    expect(counterFamily('dataplane.drop')).toEqual({ family: 'hypha_dataplane_drop_total', labels: {} });
    expect(counterFamily('in.update')).toEqual({ family: 'hypha_in_update_total', labels: {} });
    expect(gaugeFamily('dataplane.pending-queue.depth')).toEqual({
      family: 'hypha_dataplane_pending_queue_depth',
      labels: {},
    });
  });
});

describe('GET /metrics', () => {
  it('exports per-peer traffic, RTT, cost and handshake age labelled by key prefix and endpoint', async () => {
    const { types, samples } = await scrape();
    const peer = { peer: 'b2b2b2b2b2b2b2b2', endpoint: 'udp://198.18.0.2:9651' };
    const other = { peer: '', endpoint: 'udp://[fd00:198:18::3]:9651' };
    expect(types.get('hypha_peer_receive_bytes_total')).toBe('counter');
    expect(value(samples, 'hypha_peer_receive_bytes_total', peer)).toBe(1_536_000);
    expect(value(samples, 'hypha_peer_transmit_bytes_total', peer)).toBe(20_480);
    expect(value(samples, 'hypha_peer_receive_packets_total', peer)).toBe(1200);
    expect(value(samples, 'hypha_peer_transmit_packets_total', other)).toBe(1);
    expect(types.get('hypha_peer_rtt_seconds')).toBe('gauge');
    expect(value(samples, 'hypha_peer_rtt_seconds', peer)).toBeCloseTo(0.0124);
    expect(value(samples, 'hypha_peer_rtt_seconds', other)).toBeUndefined();
    expect(value(samples, 'hypha_peer_cost', peer)).toBe(96);
    expect(value(samples, 'hypha_peer_last_handshake_age_seconds', peer)).toBe(42);
    expect(value(samples, 'hypha_peers', { state: 'up' })).toBe(1);
    expect(value(samples, 'hypha_peers', { state: 'connecting' })).toBe(1);
    expect(value(samples, 'hypha_peers', { state: 'backoff' })).toBe(0);
  });

  it('exports route counts, node info and every NodeStats counter and gauge', async () => {
    const { types, samples } = await scrape();
    expect(value(samples, 'hypha_routes', { table: 'selected' })).toBe(1);
    expect(value(samples, 'hypha_routes', { table: 'fallback' })).toBe(0);
    expect(value(samples, 'hypha_routes', { table: 'queried' })).toBe(1);
    expect(value(samples, 'hypha_queried_waiting_packets')).toBe(3);
    expect(value(samples, 'hypha_node_uptime_seconds')).toBe(3723.5);
    expect(samples.find((s) => s.name === 'hypha_node_info')?.labels).toEqual({
      public_key: 'a1'.repeat(32),
      address: '4a1:2b3c:4d5e:6f70:1:2:3:4',
      version: '0.1.0',
    });
    expect(types.get('hypha_dataplane_drop_total')).toBe('counter');
    expect(value(samples, 'hypha_dataplane_drop_total', { reason: 'no-route' })).toBe(5);
    expect(value(samples, 'hypha_dataplane_drop_total', { reason: 'hop-limit' })).toBe(1);
    expect(value(samples, 'hypha_routing_messages_total', { direction: 'in', type: 'update' })).toBe(30);
    expect(value(samples, 'hypha_routing_messages_total', { direction: 'out', type: 'hello' })).toBe(12);
    expect(value(samples, 'hypha_routing_reject_total', { reason: 'bad-signature' })).toBe(2);
    expect(value(samples, 'hypha_link_handshake_completed_total')).toBe(3);
    expect(value(samples, 'hypha_dataplane_sent_total')).toBe(80);
    expect(types.get('hypha_dataplane_pending_packets')).toBe('gauge');
    expect(value(samples, 'hypha_routing_sources')).toBe(4);
    for (const [name, type] of types) if (type === 'counter') expect(name).toMatch(/_total$/);
  });

  it("includes prom-client's process metrics and event-loop lag", async () => {
    const { types } = await scrape();
    for (const f of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(types.has(f), f).toBe(true);
  });

  it('each scrape is a fresh snapshot: gone peers vanish, new names appear, label sets may change', async () => {
    await scrape();
    backend.peerList = backend.peerList.slice(1);
    backend.statistics = {
      counters: { 'dataplane.drop': 1, 'dataplane.drop.no-route': 9, 'e2e.receive.replay': 4 },
      gauges: { 'dataplane.sent': 1 },
    };
    const { types, samples } = await scrape();
    expect(samples.filter((s) => s.labels.endpoint === 'udp://198.18.0.2:9651')).toEqual([]);
    expect(value(samples, 'hypha_dataplane_drop_total', { reason: 'no-route' })).toBe(9);
    expect(value(samples, 'hypha_dataplane_drop_total')).toBe(1);
    expect(value(samples, 'hypha_dataplane_drop_total', { reason: 'hop-limit' })).toBeUndefined();
    expect(value(samples, 'hypha_e2e_receive_replay_total')).toBe(4);
    expect(
      value(samples, 'hypha_routing_messages_total', { direction: 'in', type: 'update' }),
    ).toBeUndefined();
    expect(types.get('hypha_dataplane_sent')).toBe('gauge');
  });

  it('404 elsewhere, 405 for other methods, 500 when the backend fails', async () => {
    expect((await http(metrics.address, 'GET', '/')).status).toBe(404);
    const post = await http(metrics.address, 'POST', '/metrics');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    backend.fail = new Error('snapshot failed');
    const r = await http(metrics.address, 'GET', '/metrics');
    expect(r.status).toBe(500);
    expect(r.text).toContain('snapshot failed');
  });
});
