/**
 * The daemon's logger: pino JSON lines on stdout, or, on a terminal (format "auto") or when asked
 * ("pretty"), one readable line per record: time, level, message, then key=value fields.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** Formats one pino JSON record as a line for people. */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '';
  const level = LEVEL_NAMES[rec.level as number] ?? String(rec.level);
  const fields = Object.entries(rec)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level} ${String(rec.msg ?? '')}${fields ? `  ${fields}` : ''}\n`;
}

export function createLogger(opts: {
  level: string;
  format: 'json' | 'pretty' | 'auto';
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}): Logger {
  const out = opts.stream ?? process.stdout;
  const pretty = opts.format === 'pretty' || (opts.format === 'auto' && out.isTTY === true);
  const base = { level: opts.level, base: { pid: process.pid } };
  if (!pretty) return pino(base, pino.destination({ dest: 1, sync: true }));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) out.write(prettyLine(line));
      done();
    },
  });
  return pino(base, sink);
}
