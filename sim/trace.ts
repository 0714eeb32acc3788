/**
 * The event trace: a running 32-bit hash of every event and action (what determinism tests
 * compare), and a ring of the last few records, formatted to text only when a run fails.
 * Records are numbers in typed arrays, so keeping the trace costs no allocation per event.
 */
import { formatDuration } from './units.js';

export enum TraceKind {
  Boot = 0,
  Packet = 1,
  NeighbourUp = 2,
  NeighbourDown = 3,
  Timer = 4,
  Install = 5,
  Remove = 6,
  Fault = 7,
  Drop = 8,
  Forge = 9,
  Send = 10,
}

const KIND_TEXT: Record<TraceKind, string> = {
  [TraceKind.Boot]: 'boot',
  [TraceKind.Packet]: 'packet',
  [TraceKind.NeighbourUp]: 'neighbourUp',
  [TraceKind.NeighbourDown]: 'neighbourDown',
  [TraceKind.Timer]: 'timer',
  [TraceKind.Install]: 'installRoute',
  [TraceKind.Remove]: 'removeRoute',
  [TraceKind.Fault]: 'fault',
  [TraceKind.Drop]: 'drop',
  [TraceKind.Forge]: 'forge',
  [TraceKind.Send]: 'send',
};

export class Trace {
  private hashState = 0x811c9dc5;
  private count = 0;
  private readonly time: Float64Array;
  private readonly kind: Int8Array;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly c: Int32Array;
  /** Install records: the metric and seqno (shown, not hashed; numbers, not a string per install). */
  private readonly metric: Int32Array;
  private readonly seqno: Int32Array;
  private readonly notes = new Map<number, string>();

  constructor(readonly capacity = 64) {
    this.time = new Float64Array(capacity);
    this.kind = new Int8Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.c = new Int32Array(capacity);
    this.metric = new Int32Array(capacity);
    this.seqno = new Int32Array(capacity);
  }

  /** Records an installRoute: node `node` routes to `dest` via `nextHop` (hashed like record()). */
  recordInstall(
    time: number,
    node: number,
    dest: number,
    nextHop: number,
    metric: number,
    seqno: number,
  ): void {
    const i = this.count % this.capacity;
    this.record(time, TraceKind.Install, node, dest, nextHop);
    this.metric[i] = metric;
    this.seqno[i] = seqno;
  }

  /** Records one event: `a` is usually the node, `b` the peer or destination, `c` a detail (TLV count, metric). */
  record(time: number, kind: TraceKind, a: number, b: number, c: number, note?: string): void {
    let h = this.hashState;
    const t = Math.round(time * 1000);
    h = Math.imul(h ^ (t & 0xffffffff), 0x01000193);
    h = Math.imul(h ^ Math.floor(t / 4294967296), 0x01000193);
    h = Math.imul(h ^ kind, 0x01000193);
    h = Math.imul(h ^ a, 0x01000193);
    h = Math.imul(h ^ b, 0x01000193);
    h = Math.imul(h ^ c, 0x01000193);
    this.hashState = h;
    const i = this.count % this.capacity;
    this.time[i] = time;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
    this.c[i] = c;
    if (this.notes.size > 0) this.notes.delete(this.count - this.capacity);
    if (note !== undefined) this.notes.set(this.count, note);
    this.count++;
  }

  /** The trace hash as 8 hex digits: equal for two runs exactly when their event sequences are. */
  hash(): string {
    return (this.hashState >>> 0).toString(16).padStart(8, '0');
  }

  get events(): number {
    return this.count;
  }

  /** The last records, oldest first, as text lines. */
  tail(n = this.capacity): string[] {
    const out: string[] = [];
    const first = Math.max(0, this.count - Math.min(n, this.capacity));
    for (let k = first; k < this.count; k++) {
      const i = k % this.capacity;
      const kind = this.kind[i] as TraceKind;
      const note =
        kind === TraceKind.Install
          ? `via ${this.c[i]} metric ${this.metric[i]} seqno ${this.seqno[i]}`
          : this.notes.get(k);
      out.push(
        `${formatDuration(this.time[i]!).padStart(8)} ${KIND_TEXT[kind].padEnd(13)} node=${this.a[i]} peer/dest=${this.b[i]} detail=${this.c[i]}${note ? ` ${note}` : ''}`,
      );
    }
    return out;
  }
}
