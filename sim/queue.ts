/**
 * The event queue: a binary min-heap ordered by (time, insertion sequence). The sequence number
 * breaks ties, so two events due at the same millisecond run in the order they were scheduled —
 * the property that makes a run repeat byte for byte.
 */

export interface Scheduled<T> {
  readonly time: number;
  readonly seq: number;
  readonly item: T;
}

export class EventQueue<T> {
  private readonly heap: Scheduled<T>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `item` at virtual time `time` (ms) and returns its sequence number. */
  push(time: number, item: T): number {
    if (!Number.isFinite(time)) throw new RangeError(`event time must be finite, got ${time}`);
    const seq = this.nextSeq++;
    const heap = this.heap;
    heap.push({ time, seq, item });
    // Sift up.
    let i = heap.length - 1;
    const node = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.time < node.time || (p.time === node.time && p.seq < node.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = node;
    return seq;
  }

  /** Returns the earliest event without removing it. */
  peek(): Scheduled<T> | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest event (ties: the one scheduled first). */
  pop(): Scheduled<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      // Sift `last` down from the root.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        const lc = heap[l]!;
        if (r < n) {
          const rc = heap[r]!;
          if (rc.time < lc.time || (rc.time === lc.time && rc.seq < lc.seq)) c = r;
        }
        const child = heap[c]!;
        if (last.time < child.time || (last.time === child.time && last.seq < child.seq)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
