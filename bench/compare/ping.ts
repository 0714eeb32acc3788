import { runIn } from './exec.js';
import { waitUntil } from './wait.js';

export interface PingStats {
  readonly transmitted: number;
  readonly received: number;
  readonly minMs?: number;
  readonly avgMs?: number;
  readonly maxMs?: number;
}

/** Parses the summary of iputils ping. */
export function parsePingOutput(output: string): PingStats {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/[\d.]+ ms/.exec(output);
  return {
    transmitted: counts ? Number(counts[1]) : 0,
    received: counts ? Number(counts[2]) : 0,
    minMs: rtt ? Number(rtt[1]) : undefined,
    avgMs: rtt ? Number(rtt[2]) : undefined,
    maxMs: rtt ? Number(rtt[3]) : undefined,
  };
}

/** `count` pings `intervalS` apart, then up to 2 s for the last reply; killed if it overruns. */
export async function ping(
  ns: string,
  address: string,
  count: number,
  intervalS: number,
): Promise<PingStats> {
  const args = ['-n', '-c', String(count), '-i', String(intervalS), '-W', '2', address];
  const r = await runIn(ns, 'ping', args, { timeoutMs: (count * intervalS + 10) * 1000 });
  return parsePingOutput(r.stdout + r.stderr);
}

/** Retries single pings until one is answered (bounded); returns the seconds it took. */
export async function waitForPing(
  ns: string,
  address: string,
  timeoutMs: number,
  abortReason: () => string | undefined,
): Promise<number> {
  const t0 = performance.now();
  await waitUntil(
    async () => {
      const why = abortReason();
      if (why) throw new Error(why);
      return (await ping(ns, address, 1, 0.2)).received > 0;
    },
    { timeoutMs, intervalMs: 200, what: `a ping reply from ${address}` },
  );
  return (performance.now() - t0) / 1000;
}
