import { runIn } from './exec.js';

export const IPERF_PORT = 5201;

export interface IperfOutcome {
  /** Receiver-side goodput (end.sum_received), bits per second. */
  readonly bitsPerSecond?: number;
  readonly bytes?: number;
  readonly seconds?: number;
  /** TCP retransmits on the sending side (end.sum_sent.retransmits). */
  readonly retransmits?: number;
  readonly error?: string;
}

interface IperfJson {
  error?: string;
  end?: {
    sum_received?: { bytes?: number; seconds?: number; bits_per_second?: number };
    sum_sent?: { retransmits?: number };
  };
}

/** Reads the numbers that matter out of `iperf3 --json` output (client side, either direction). */
export function parseIperfJson(text: string): IperfOutcome {
  let json: IperfJson;
  try {
    json = JSON.parse(text) as IperfJson;
  } catch {
    const firstLine = text.trim().split('\n')[0] ?? '';
    return { error: `iperf3 printed no JSON${firstLine ? `: ${firstLine.slice(0, 200)}` : ''}` };
  }
  const received = json.end?.sum_received;
  if (json.error && !received?.bytes) return { error: json.error };
  if (!received || typeof received.bytes !== 'number' || typeof received.seconds !== 'number')
    return { error: json.error ?? 'iperf3 JSON has no end.sum_received' };
  return {
    bitsPerSecond: received.bits_per_second ?? (received.bytes * 8) / received.seconds,
    bytes: received.bytes,
    seconds: received.seconds,
    retransmits: json.end?.sum_sent?.retransmits,
    error: json.error,
  };
}

export interface IperfRequest {
  readonly clientNs: string;
  readonly serverAddress: string;
  readonly seconds: number;
  readonly streams: number;
  readonly reverse: boolean;
  readonly cpu?: number;
}

/** Runs one iperf3 TCP client test; the raw JSON is returned too, for --keep. */
export async function runIperf(req: IperfRequest): Promise<{ outcome: IperfOutcome; rawJson: string }> {
  const args = ['-c', req.serverAddress, '-p', String(IPERF_PORT), '-t', String(req.seconds), '--json'];
  args.push('-P', String(req.streams), '--connect-timeout', '5000');
  if (req.reverse) args.push('-R');
  const [cmd, cmdArgs] =
    req.cpu === undefined ? ['iperf3', args] : ['taskset', ['-c', String(req.cpu), 'iperf3', ...args]];
  const r = await runIn(req.clientNs, cmd as string, cmdArgs as string[], {
    timeoutMs: (req.seconds + 30) * 1000,
  });
  const outcome = parseIperfJson(r.stdout);
  if (r.code !== 0 && !outcome.error)
    return { outcome: { ...outcome, error: `iperf3 exit ${r.code}` }, rawJson: r.stdout };
  if (outcome.error && r.stderr.trim() && !r.stdout.trim())
    return { outcome: { error: r.stderr.trim().slice(0, 300) }, rawJson: r.stdout };
  return { outcome, rawJson: r.stdout };
}
