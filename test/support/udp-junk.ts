/**
 * Sends bad input at a hypha node's link port, for the integration test "bad input". Run inside an
 * attacker namespace with tsx:
 *
 *   node --import tsx test/support/udp-junk.ts --host H --port P [--random N] [--frames FILE]
 *        [--truncated N] [--replayed N] [--initiations N] [--unique-initiations K] [--batch B]
 *
 *   --random N        N datagrams of random bytes, 0-1400 long, a quarter of them starting with a
 *                     real frame type (1-7) so they get past the type dispatch
 *   --frames FILE     real frames captured on a link (one hex string a line), for the next two
 *   --truncated N     N datagrams, each a captured frame or a fresh initiation cut short at a random length
 *   --replayed N      N datagrams, each a captured frame sent again unchanged
 *   --initiations N   N valid HandshakeInitiations of the public network (right mac1, fresh
 *                     ephemerals), of which K (default 2000) are distinct and the rest are repeats
 *   --batch B         datagrams sent before yielding to the event loop (default 256)
 *
 * Prints one JSON line with the counts sent and the time taken, then exits 0 (1 on error). All
 * loops are bounded by the counts; the whole run by --timeout-ms (default 120 s).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { createHandshakeContext, createInitiation } from '../../src/crypto/handshake.js';
import { networkKeys, publicNetworkKey } from '../../src/crypto/network-key.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function num(name: string, fallback: number): number {
  const v = arg(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name} must be a non-negative integer`);
  return n;
}
function fail(message: string): never {
  process.stderr.write(`udp-junk: ${message}\n`);
  process.exit(1);
}

const host = arg('host') ?? fail('missing --host');
const port = num('port', 9651);
const batch = Math.max(1, num('batch', 256));
const timeoutMs = num('timeout-ms', 120_000);
setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs).unref();

const frames: Buffer[] = [];
const framesFile = arg('frames');
if (framesFile) {
  for (const line of readFileSync(framesFile, 'utf8').split('\n')) {
    const hex = line.trim().replace(/:/g, '');
    if (/^([0-9a-f]{2})+$/i.test(hex)) frames.push(Buffer.from(hex, 'hex'));
  }
}

function makeInitiations(count: number): Buffer[] {
  const ctx = createHandshakeContext(
    // A throwaway identity: message 1 carries no static key, so any 32 bytes do here.
    { publicKey: randomBytes(32), x25519SecretKey: randomBytes(32) },
    networkKeys(publicNetworkKey(), true),
    (n) => randomBytes(n),
  );
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++)
    out.push(Buffer.from(createInitiation(ctx, randomInt(1, 0xffffffff), Date.now()).frame));
  return out;
}

function* randomDatagrams(n: number): Generator<Buffer> {
  for (let i = 0; i < n; i++) {
    const b = randomBytes(randomInt(0, 1401));
    if (b.length > 0 && i % 4 === 0) b[0] = randomInt(1, 8);
    yield b;
  }
}

function* truncatedDatagrams(n: number, pool: readonly Buffer[]): Generator<Buffer> {
  for (let i = 0; i < n; i++) {
    const f = pool[i % pool.length]!;
    yield f.subarray(0, randomInt(0, Math.max(1, f.length)));
  }
}

function* replayedDatagrams(n: number, pool: readonly Buffer[]): Generator<Buffer> {
  for (let i = 0; i < n; i++) yield pool[i % pool.length]!;
}

async function main(): Promise<void> {
  const sock = createSocket(isIPv4(host) ? 'udp4' : 'udp6');
  await new Promise<void>((r) => sock.bind(0, r));
  let sent = 0;
  let errors = 0;
  const sendAll = async (datagrams: Iterable<Buffer>): Promise<number> => {
    let count = 0;
    let inFlight: Promise<void>[] = [];
    for (const d of datagrams) {
      inFlight.push(
        new Promise<void>((r) =>
          sock.send(d, port, host, (err) => {
            if (err) errors++;
            r();
          }),
        ),
      );
      count++;
      if (inFlight.length >= batch) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    sent += count;
    return count;
  };
  const t0 = performance.now();
  const result: Record<string, number> = {};
  result.random = await sendAll(randomDatagrams(num('random', 0)));
  const initiationsWanted = num('initiations', 0);
  const uniqueWanted = Math.min(initiationsWanted, num('unique-initiations', 2000));
  const initiations = makeInitiations(Math.max(uniqueWanted, num('truncated', 0) > 0 ? 64 : 0));
  const truncatedPool = [...frames, ...initiations.slice(0, 64)];
  result.truncated = await sendAll(truncatedDatagrams(num('truncated', 0), truncatedPool));
  const replayed = num('replayed', 0);
  if (replayed > 0 && frames.length === 0) fail('--replayed needs --frames with at least one frame');
  result.replayed = await sendAll(replayedDatagrams(replayed, frames));
  result.initiations = await sendAll(
    replayedDatagrams(initiationsWanted, initiations.slice(0, uniqueWanted)),
  );
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ...result, sent, errors, ms, framesLoaded: frames.length })}\n`);
  sock.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)),
);
