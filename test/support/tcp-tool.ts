/**
 * A tiny TCP source and sink for the integration tests, run inside a namespace with tsx:
 *
 *   node --import tsx test/support/tcp-tool.ts serve --port P [--timeout-ms T]
 *     listens on [::]:P, takes one connection, reads to its end, prints one JSON line
 *     {"role":"serve","bytes":N,"sha256":"…","ms":…,"from":"…"} and exits 0. Prints {"listening":P} first.
 *   node --import tsx test/support/tcp-tool.ts send --host H --port P --bytes N [--marker TEXT] [--timeout-ms T]
 *     connects, writes N bytes (random, or TEXT repeated), closes, prints
 *     {"role":"send","bytes":N,"sha256":"…","ms":…} and exits 0.
 *
 * Both exit 1 with a message on stderr on any error or when --timeout-ms (default 120 s) passes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';

const CHUNK = 64 * 1024;

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) fail(`missing --${name}`);
  return v;
}

function fail(message: string): never {
  process.stderr.write(`tcp-tool: ${message}\n`);
  process.exit(1);
}

function armTimeout(): void {
  const ms = Number(arg('timeout-ms', '120000'));
  setTimeout(() => fail(`timed out after ${ms} ms`), ms).unref();
}

function serve(): void {
  const port = Number(arg('port'));
  const server = createServer((sock: Socket) => {
    server.close();
    const hash = createHash('sha256');
    let bytes = 0;
    const t0 = performance.now();
    sock.on('data', (b: Buffer) => {
      bytes += b.length;
      hash.update(b);
    });
    sock.on('error', (e) => fail(`receive: ${e.message}`));
    sock.on('end', () => {
      const ms = performance.now() - t0;
      process.stdout.write(
        `${JSON.stringify({ role: 'serve', bytes, sha256: hash.digest('hex'), ms, from: sock.remoteAddress })}\n`,
      );
      sock.end();
      process.exit(0);
    });
  });
  server.on('error', (e) => fail(`listen: ${e.message}`));
  server.listen({ port, host: '::', ipv6Only: false }, () => {
    process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
  });
}

function send(): void {
  const host = arg('host');
  const port = Number(arg('port'));
  const total = Number(arg('bytes'));
  const marker = process.argv.includes('--marker') ? arg('marker') : undefined;
  if (!Number.isSafeInteger(total) || total < 0) fail('--bytes must be a non-negative integer');
  // A marker chunk is the text repeated; a random chunk is fresh bytes every time.
  const markerChunk = marker
    ? Buffer.from(marker.repeat(Math.ceil(CHUNK / marker.length))).subarray(0, CHUNK)
    : undefined;
  const hash = createHash('sha256');
  let sent = 0;
  const t0 = performance.now();
  const sock = connect({ host, port });
  sock.on('error', (e) => fail(`send: ${e.message}`));
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(CHUNK, total - sent);
      const chunk = markerChunk ? markerChunk.subarray(0, n) : randomBytes(n);
      hash.update(chunk);
      sent += n;
      if (!sock.write(chunk)) {
        sock.once('drain', pump);
        return;
      }
    }
    sock.end();
  };
  sock.on('connect', pump);
  sock.on('close', (hadError) => {
    if (hadError) fail('connection closed with an error');
    const ms = performance.now() - t0;
    process.stdout.write(
      `${JSON.stringify({ role: 'send', bytes: sent, sha256: hash.digest('hex'), ms })}\n`,
    );
    process.exit(0);
  });
}

armTimeout();
const mode = process.argv[2];
if (mode === 'serve') serve();
else if (mode === 'send') send();
else fail('usage: tcp-tool.ts serve|send …');
