/** Command-line parsing for sim/cli.ts: pure (argv in, options or a UsageError out), so it is testable. */
import { parseArgs } from 'node:util';
import { HyphaError } from '../src/errors.js';
import type { ByteMode } from './bytes.js';
import { TOPOLOGY_NAMES, type TopologyName } from './topology/index.js';
import type { LatencyRange } from './topology/types.js';
import { DURATION_HELP, parseDuration } from './units.js';

export class UsageError extends HyphaError {
  constructor(message: string) {
    super('HYPHA_ERR_SIM_USAGE', message);
    this.name = 'UsageError';
  }
}

export const HELP = `Usage: npm run sim -- [options]
       npx tsx sim/cli.ts [options]

Runs N hypha routing engines (src/routing/engine.ts) on a virtual clock over a simulated network,
checks that no forwarding loop ever forms, that forged updates are never selected and that every
node reaches every node in its partition after the last fault; prints what it measured.

Topology
  --topology NAME       line | ring | grid | random | scale-free | hubs | file   (default grid)
  --nodes N             number of nodes (default 100; ignored for file)
  --file PATH           topology file for --topology file: JSON {"nodes":N,"edges":[[a,b,ms?],...]}
                        or CSV lines a,b[,latency_ms]
  --degree K            random: mean degree (4); scale-free: links per new node m (2); hubs: hub count
  --latency RANGE       link latency, one value or a range: 20ms, 5ms-50ms (default 5ms-50ms)
  --jitter DURATION     extra per-packet delay, uniform in [0, jitter] (default 10% of each link's latency)
  --loss P              packet loss probability on every link, 0..1 (default 0)

Run
  --seed N              PRNG seed, an integer (default 1); the same seed gives the same run
  --duration DURATION   virtual time to simulate (default: 120s, or last fault + quiet + 10s if later)
  --quiet DURATION      time after the last fault by which everything must have converged (default 30s)
  --faults SPEC|FILE    scheduled faults, comma-separated TIME:KIND[:ARGS], or a .json file:
                          30s:link-down:3-7  45s:link-up:3-7  130s:latency:3-7:80ms  135s:loss:3-7:0.2
                          60s:crash:12  90s:restart:12  140s:malicious:5  120s:heal
                          100s:partition:0-49|50-99   (groups split by |, items joined by +)
  --random-faults N     N random incidents (link flap, crash+restart, latency spike, partition+heal)
  --detect DURATION     delay before a link failure is reported to the engines (default 0ms)
  --boot-spread DURATION  nodes boot at random times in [0, this] (default 1s)
  --sample DURATION     reachability sampling period = resolution of convergence times (default 100ms)
  --hello-interval D    engine config: Hello period (engine default)
  --update-interval D   engine config: periodic full update period (engine default)
  --real-crypto         real Ed25519 signatures (slow; small runs) instead of the keyed-hash stand-in
  --float-time          keep fractional milliseconds (as the daemon's clock has) instead of integer ms
  --bytes MODE          codec (encode every packet with src/wire/babel, default) | estimate (RFC sizes)
  --keep-going          count invariant violations instead of stopping at the first

Output
  --json                print one JSON summary on stdout (progress stays on stderr)
  --report FILE         write a self-contained HTML report (charts as inline SVG)
  --quiet-progress      no progress output on stderr
  -h, --help            this text

Exit status: 0 converged without violations, 1 a violation or not converged, 2 bad arguments.
`;

export interface CliOptions {
  readonly topology: TopologyName;
  readonly nodes: number;
  readonly file: string | undefined;
  readonly degree: number | undefined;
  readonly latency: LatencyRange | undefined;
  readonly jitterMs: number | undefined;
  readonly loss: number | undefined;
  readonly seed: number;
  readonly durationMs: number | undefined;
  readonly quietMs: number;
  readonly faults: string | undefined;
  readonly randomFaults: number;
  readonly detectMs: number;
  readonly bootSpreadMs: number;
  readonly sampleMs: number;
  readonly helloIntervalMs: number | undefined;
  readonly updateIntervalMs: number | undefined;
  readonly realCrypto: boolean;
  readonly floatTime: boolean;
  readonly bytes: ByteMode;
  readonly keepGoing: boolean;
  readonly json: boolean;
  readonly report: string | undefined;
  readonly progress: boolean;
  readonly help: boolean;
}

function duration(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined) throw new UsageError(`--${name}: "${v}" is not a duration; use ${DURATION_HELP}`);
  return ms;
}

function integer(
  name: string,
  v: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name}: "${v}" must be an integer in [${min}, ${max}]`);
  }
  return Number(v);
}

/** Parses "20ms" or "5ms-50ms" (also "5-50ms"). */
export function parseLatency(v: string): LatencyRange {
  const m = /^(\d+(?:\.\d+)?(?:ms|s)?)(?:-(\d+(?:\.\d+)?(?:ms|s)))?$/.exec(v.trim());
  const bad = new UsageError(
    `--latency: "${v}" is not a latency; use one value (20ms) or a range (5ms-50ms)`,
  );
  if (m === null) throw bad;
  const hiText = m[2];
  const unit = hiText?.endsWith('ms') ? 'ms' : hiText?.endsWith('s') ? 's' : '';
  const lo = parseDuration(/[a-z]$/.test(m[1]!) ? m[1]! : `${m[1]}${unit}`);
  const hi = hiText === undefined ? lo : parseDuration(hiText);
  if (lo === undefined || hi === undefined || hi < lo) throw bad;
  return { minMs: lo, maxMs: hi };
}

/** Parses argv (without node and script) into options; throws UsageError saying what is wrong and what is allowed. */
export function parseCli(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        topology: { type: 'string' },
        nodes: { type: 'string' },
        file: { type: 'string' },
        degree: { type: 'string' },
        latency: { type: 'string' },
        jitter: { type: 'string' },
        loss: { type: 'string' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        quiet: { type: 'string' },
        faults: { type: 'string' },
        'random-faults': { type: 'string' },
        detect: { type: 'string' },
        'boot-spread': { type: 'string' },
        sample: { type: 'string' },
        'hello-interval': { type: 'string' },
        'update-interval': { type: 'string' },
        'real-crypto': { type: 'boolean' },
        'float-time': { type: 'boolean' },
        bytes: { type: 'string' },
        'keep-going': { type: 'boolean' },
        json: { type: 'boolean' },
        report: { type: 'string' },
        'quiet-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see --help for the options)`);
  }
  const v = parsed.values;
  let topology = (v.topology ?? 'grid') as TopologyName;
  let file = v.file;
  if (!TOPOLOGY_NAMES.includes(topology)) {
    if (/\.(json|csv)$/i.test(topology)) {
      file = topology;
      topology = 'file';
    } else {
      throw new UsageError(
        `--topology: unknown "${v.topology}"; allowed: ${TOPOLOGY_NAMES.join(', ')} (or a .json/.csv path)`,
      );
    }
  }
  if (topology === 'file' && file === undefined)
    throw new UsageError('--topology file needs --file PATH (a .json or .csv edge list)');
  const nodes = integer('nodes', v.nodes, 1, 1_000_000) ?? 100;
  const degree = v.degree === undefined ? undefined : Number(v.degree);
  if (degree !== undefined && !(degree > 0))
    throw new UsageError(`--degree: "${v.degree}" must be a positive number`);
  const loss = v.loss === undefined ? undefined : Number(v.loss);
  if (loss !== undefined && !(loss >= 0 && loss <= 1))
    throw new UsageError(`--loss: "${v.loss}" must be a probability in [0, 1]`);
  const bytes = (v.bytes ?? 'codec') as ByteMode;
  if (bytes !== 'codec' && bytes !== 'estimate')
    throw new UsageError(`--bytes: "${v.bytes}"; allowed: codec, estimate`);
  const sampleMs = duration('sample', v.sample) ?? 100;
  if (sampleMs < 1) throw new UsageError('--sample must be at least 1ms');
  const durationMs = duration('duration', v.duration);
  if (durationMs !== undefined && durationMs < 1) throw new UsageError('--duration must be positive');
  if (v.faults !== undefined && v['random-faults'] !== undefined) {
    throw new UsageError('--faults and --random-faults cannot be combined; pick one');
  }
  return {
    topology,
    nodes,
    file,
    degree,
    latency: v.latency === undefined ? undefined : parseLatency(v.latency),
    jitterMs: duration('jitter', v.jitter),
    loss,
    seed: integer('seed', v.seed, 0, 0xffffffff) ?? 1,
    durationMs,
    quietMs: duration('quiet', v.quiet) ?? 30_000,
    faults: v.faults,
    randomFaults: integer('random-faults', v['random-faults'], 0, 100_000) ?? 0,
    detectMs: duration('detect', v.detect) ?? 0,
    bootSpreadMs: duration('boot-spread', v['boot-spread']) ?? 1000,
    sampleMs,
    helloIntervalMs: duration('hello-interval', v['hello-interval']),
    updateIntervalMs: duration('update-interval', v['update-interval']),
    realCrypto: v['real-crypto'] === true,
    floatTime: v['float-time'] === true,
    bytes,
    keepGoing: v['keep-going'] === true,
    json: v.json === true,
    report: v.report,
    progress: v['quiet-progress'] !== true,
    help: v.help === true,
  };
}
