export interface CliOptions {
  readonly reps: number;
  readonly seconds: number;
  /** Streams of the multi-stream tests; 0 skips them. */
  readonly streams: number;
  readonly mtu?: number;
  readonly output?: string;
  readonly keep: boolean;
  readonly pin: boolean;
  readonly list: boolean;
  readonly installDeps: boolean;
  /** Only rewrite the .md and .html reports from the results file. */
  readonly reportOnly: boolean;
  readonly help: boolean;
  /** Run the A—B—C relay variant of the implementations that relay (hypha). */
  readonly relay: boolean;
  /** Run `npm run build` before starting hypha. */
  readonly build: boolean;
  readonly readyTimeoutS: number;
  /** Implementation names given on the command line (empty: all). */
  readonly names: readonly string[];
}

export class UsageError extends Error {}

export const USAGE = `Usage: sudo npm run bench:compare -- [options] [impl...]

Benchmarks hypha against established overlays, each in two network namespaces joined by a veth pair.

  -r, --reps N          repetitions (default 1; interleaved: rep 1 of every impl, then rep 2 ...)
  -t, --time S          seconds per iperf3 test (default 10)
  -P, --parallel N      streams of the multi-stream tests (default 4; 0 skips them)
      --mtu N           set every overlay interface to MTU N (default: each daemon's own)
  -o, --output FILE     JSON lines results file (default bench/results/compare-<date>.jsonl);
                        the .html and .md reports are written next to it
  -k, --keep            keep the work directory (configs, daemon logs, raw iperf3 JSON)
      --pin             pin side A (daemon + iperf3 client) to CPU 0, B and C to CPU 1
      --relay           run the A—B—C relay variant for implementations that relay (default)
      --no-relay        skip the relay variant
      --no-build        do not run npm run build before starting hypha
      --ready-timeout S longest wait for the overlay to pass pings (default 30)
  -l, --list            list implementations and whether their tools are installed
      --install-deps    apt-get install iperf3, jq and the overlay packages, then exit
      --report          rewrite the .md and .html reports from the results file, then exit
  -h, --help            this text

Implementations: raw hypha wireguard-go yggdrasil nebula fastd tinc (and hypha-relay)`;

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined) throw new UsageError(`${flag} needs a value`);
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${text}'`);
  return n;
}

/** Parses the command line (without node and the script). Throws UsageError on anything it does not know. */
export function parseArgs(argv: readonly string[]): CliOptions {
  let reps = 1;
  let seconds = 10;
  let streams = 4;
  let mtu: number | undefined;
  let output: string | undefined;
  let keep = false;
  let pin = false;
  let list = false;
  let installDeps = false;
  let help = false;
  let reportOnly = false;
  let relay = true;
  let build = true;
  let readyTimeoutS = 30;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = () => {
      if (inline !== undefined) return inline;
      i += 1;
      return argv[i];
    };
    switch (flag) {
      case '-r':
      case '--reps':
        reps = integer(flag, value(), 1, 100);
        break;
      case '-t':
      case '--time':
        seconds = integer(flag, value(), 1, 3600);
        break;
      case '-P':
      case '--parallel':
        streams = integer(flag, value(), 0, 128);
        break;
      case '--mtu':
        mtu = integer(flag, value(), 1280, 65535);
        break;
      case '-o':
      case '--output': {
        const v = value();
        if (!v) throw new UsageError(`${flag} needs a file name`);
        output = v;
        break;
      }
      case '--ready-timeout':
        readyTimeoutS = integer(flag, value(), 1, 600);
        break;
      case '-k':
      case '--keep':
        keep = true;
        break;
      case '--pin':
        pin = true;
        break;
      case '-l':
      case '--list':
        list = true;
        break;
      case '--install-deps':
        installDeps = true;
        break;
      case '--report':
        reportOnly = true;
        break;
      case '--relay':
        relay = true;
        break;
      case '--no-relay':
        relay = false;
        break;
      case '--no-build':
        build = false;
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        if (raw.startsWith('-')) throw new UsageError(`unknown option '${raw}'`);
        names.push(raw);
    }
  }
  return {
    reps,
    seconds,
    streams,
    mtu,
    output,
    keep,
    pin,
    list,
    installDeps,
    reportOnly,
    help,
    relay,
    build,
    readyTimeoutS,
    names,
  };
}

export interface Scenario {
  /** Name in the tables: the implementation's, or `<impl>-relay` for the A—B—C variant. */
  readonly name: string;
  readonly impl: string;
  readonly topology: 'pair' | 'relay';
}

/**
 * What to run, in order: the named implementations (all when none are named), each followed by its
 * relay variant when it relays and the relay variant is on. `<impl>-relay` names only the variant.
 */
export function selectScenarios(
  names: readonly string[],
  known: readonly { name: string; relays?: boolean }[],
  relay: boolean,
): Scenario[] {
  const wanted = names.length ? names : known.map((k) => k.name);
  const out: Scenario[] = [];
  const add = (s: Scenario) => {
    if (!out.some((o) => o.name === s.name)) out.push(s);
  };
  for (const name of wanted) {
    const base = known.find((k) => k.name === name);
    const relayOf = name.endsWith('-relay')
      ? known.find((k) => k.name === name.slice(0, -'-relay'.length))
      : undefined;
    if (base) {
      add({ name: base.name, impl: base.name, topology: 'pair' });
      if (relay && base.relays) add({ name: `${base.name}-relay`, impl: base.name, topology: 'relay' });
    } else if (relayOf?.relays) {
      add({ name, impl: relayOf.name, topology: 'relay' });
    } else {
      const all = known.flatMap((k) => (k.relays ? [k.name, `${k.name}-relay`] : [k.name]));
      throw new UsageError(`unknown implementation '${name}' (known: ${all.join(', ')})`);
    }
  }
  return out;
}
