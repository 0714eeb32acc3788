import { Counter, Gauge, type Registry } from 'prom-client';
import type { AdminBackend, PeerInfo } from '../api/backend.js';
import { counterFamily, type FamilyKey, gaugeFamily, isValidMetricName } from './names.js';

/** Peer series are labelled by the first 16 hex characters of the peer's key and its endpoint. */
const PEER_LABELS = ['peer', 'endpoint'] as const;
const PEER_STATES: readonly PeerInfo['state'][] = ['connecting', 'up', 'backoff'];

/**
 * The node's metric families in one prom-client registry. `update()` takes one snapshot from the
 * backend and sets every family from it; call it right before rendering the registry (on scrape),
 * so a scrape shows one consistent moment and nothing runs between scrapes.
 */
export class NodeCollector {
  readonly #registry: Registry;
  readonly #backend: AdminBackend;
  readonly #fixed = new Set<string>();
  /** Families made from NodeStats names, with the label names they were created with. */
  readonly #dynamic = new Map<string, { metric: Counter<string> | Gauge<string>; labels: string }>();

  readonly #info: Gauge<'public_key' | 'address' | 'version'>;
  readonly #uptime: Gauge;
  readonly #peers: Gauge<'state'>;
  readonly #rxBytes: Counter<(typeof PEER_LABELS)[number]>;
  readonly #txBytes: Counter<(typeof PEER_LABELS)[number]>;
  readonly #rxPackets: Counter<(typeof PEER_LABELS)[number]>;
  readonly #txPackets: Counter<(typeof PEER_LABELS)[number]>;
  readonly #rtt: Gauge<(typeof PEER_LABELS)[number]>;
  readonly #cost: Gauge<(typeof PEER_LABELS)[number]>;
  readonly #handshakeAge: Gauge<(typeof PEER_LABELS)[number]>;
  readonly #routes: Gauge<'table'>;
  readonly #waiting: Gauge;

  constructor(registry: Registry, backend: AdminBackend) {
    this.#registry = registry;
    this.#backend = backend;
    const registers = [registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => {
      this.#fixed.add(name);
      return new Gauge<L>({ name, help, labelNames, registers });
    };
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => {
      this.#fixed.add(name);
      return new Counter<L>({ name, help, labelNames, registers });
    };
    this.#info = gauge('hypha_node_info', 'Always 1; the labels identify the node', [
      'public_key',
      'address',
      'version',
    ]);
    this.#uptime = gauge('hypha_node_uptime_seconds', 'Seconds since the daemon started');
    this.#peers = gauge('hypha_peers', 'Peers by link state', ['state']);
    this.#rxBytes = counter('hypha_peer_receive_bytes_total', 'Bytes received from the peer', PEER_LABELS);
    this.#txBytes = counter('hypha_peer_transmit_bytes_total', 'Bytes sent to the peer', PEER_LABELS);
    this.#rxPackets = counter(
      'hypha_peer_receive_packets_total',
      'Packets received from the peer',
      PEER_LABELS,
    );
    this.#txPackets = counter('hypha_peer_transmit_packets_total', 'Packets sent to the peer', PEER_LABELS);
    this.#rtt = gauge('hypha_peer_rtt_seconds', 'Smoothed round-trip time to the peer', PEER_LABELS);
    this.#cost = gauge('hypha_peer_cost', 'Routing link cost to the peer (65535: unreachable)', PEER_LABELS);
    this.#handshakeAge = gauge(
      'hypha_peer_last_handshake_age_seconds',
      'Seconds since the last completed handshake with the peer',
      PEER_LABELS,
    );
    this.#routes = gauge('hypha_routes', 'Routes by table: selected, fallback, queried (being resolved)', [
      'table',
    ]);
    this.#waiting = gauge('hypha_queried_waiting_packets', 'Packets waiting for a route to be resolved');
  }

  /** Reads the backend once and sets every family from that snapshot. */
  update(): void {
    const b = this.#backend;
    const info = b.info();
    const peers = b.peers();
    const selected = b.selectedRoutes().length;
    const fallback = b.fallbackRoutes().length;
    const queried = b.queriedRoutes();
    const stats = b.stats();

    this.#info.reset();
    this.#info.set({ public_key: info.publicKey, address: info.address, version: info.version }, 1);
    this.#uptime.set(info.uptimeSeconds);

    for (const m of [this.#rxBytes, this.#txBytes, this.#rxPackets, this.#txPackets]) m.reset();
    for (const m of [this.#rtt, this.#cost, this.#handshakeAge, this.#peers]) m.reset();
    for (const state of PEER_STATES) this.#peers.set({ state }, 0);
    for (const p of peers) {
      const labels = { peer: p.publicKey?.slice(0, 16) ?? '', endpoint: p.endpoint };
      this.#peers.inc({ state: p.state });
      incIfCount(this.#rxBytes, labels, p.rxBytes);
      incIfCount(this.#txBytes, labels, p.txBytes);
      incIfCount(this.#rxPackets, labels, p.rxPackets);
      incIfCount(this.#txPackets, labels, p.txPackets);
      if (p.rttMs !== undefined) this.#rtt.set(labels, p.rttMs / 1000);
      if (p.cost !== undefined) this.#cost.set(labels, p.cost);
      if (p.lastHandshakeSecondsAgo !== undefined) this.#handshakeAge.set(labels, p.lastHandshakeSecondsAgo);
    }

    this.#routes.set({ table: 'selected' }, selected);
    this.#routes.set({ table: 'fallback' }, fallback);
    this.#routes.set({ table: 'queried' }, queried.length);
    this.#waiting.set(queried.reduce((n, q) => n + q.waitingPackets, 0));

    const series: { key: FamilyKey; value: number; kind: 'counter' | 'gauge' }[] = [];
    for (const [name, value] of Object.entries(stats.counters))
      series.push({ key: counterFamily(name), value, kind: 'counter' });
    for (const [name, value] of Object.entries(stats.gauges))
      series.push({ key: gaugeFamily(name), value, kind: 'gauge' });
    this.#setDynamic(series);
  }

  #setDynamic(series: readonly { key: FamilyKey; value: number; kind: 'counter' | 'gauge' }[]): void {
    // Label names per family this scrape; a family whose label set changed is re-created.
    const labelsOf = new Map<string, Set<string>>();
    const kindOf = new Map<string, 'counter' | 'gauge'>();
    for (const s of series) {
      if (this.#fixed.has(s.key.family) || !isValidMetricName(s.key.family)) continue;
      if ((kindOf.get(s.key.family) ?? s.kind) !== s.kind) continue; // a gauge named like a counter family
      kindOf.set(s.key.family, s.kind);
      const set = labelsOf.get(s.key.family) ?? new Set<string>();
      for (const l of Object.keys(s.key.labels)) set.add(l);
      labelsOf.set(s.key.family, set);
    }
    for (const entry of this.#dynamic.values()) entry.metric.reset();
    for (const [family, set] of labelsOf) {
      const labels = [...set].sort();
      const kind = kindOf.get(family)!;
      const have = this.#dynamic.get(family);
      const isKind = have !== undefined && (kind === 'counter') === have.metric instanceof Counter;
      if (have === undefined || have.labels !== labels.join(',') || !isKind) {
        if (have !== undefined) this.#registry.removeSingleMetric(family);
        const options = {
          name: family,
          help: helpFor(family, kind),
          labelNames: labels,
          registers: [this.#registry],
        };
        this.#dynamic.set(family, {
          metric: kind === 'counter' ? new Counter(options) : new Gauge(options),
          labels: labels.join(','),
        });
      }
    }
    for (const s of series) {
      const entry = this.#dynamic.get(s.key.family);
      if (entry === undefined || kindOf.get(s.key.family) !== s.kind) continue;
      if (entry.metric instanceof Counter) incIfCount(entry.metric, s.key.labels, s.value);
      else if (Number.isFinite(s.value)) entry.metric.inc(s.key.labels, s.value);
    }
  }
}

/** Adds a monotonic value; negative or non-finite values (a backend bug) are left out, not thrown. */
function incIfCount<L extends string>(
  c: Counter<L>,
  labels: Partial<Record<L, string>>,
  value: number,
): void {
  if (Number.isFinite(value) && value >= 0) c.inc(labels, value);
}

function helpFor(family: string, kind: 'counter' | 'gauge'): string {
  return kind === 'counter'
    ? `hypha counter ${family} (see "Metrics" in docs/OPERATING.md for the name mapping)`
    : `hypha gauge ${family}`;
}
