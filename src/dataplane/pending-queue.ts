/**
 * Packets waiting for a route: bounded per destination and in total, each with a deadline, so a
 * burst towards an unknown address never grows memory. When full, the oldest packet for that
 * destination is dropped (a fresh packet is worth more to TCP than a stale one).
 */
export interface PendingLimits {
  /** Packets kept per destination /64. */
  readonly perDestination: number;
  /** Packets kept in all. */
  readonly total: number;
  /** How long a packet may wait, in ms. */
  readonly maxWaitMs: number;
}

export const DEFAULT_PENDING_LIMITS: PendingLimits = { perDestination: 32, total: 1024, maxWaitMs: 5000 };

interface Waiting {
  readonly packet: Uint8Array;
  readonly deadline: number;
}

export class PendingQueue {
  private readonly queues = new Map<string, Waiting[]>();
  private count = 0;
  /** Packets dropped because a limit was reached or they waited too long. */
  dropped = 0;

  constructor(private readonly limits: PendingLimits = DEFAULT_PENDING_LIMITS) {}

  /**
   * Queues `packet` for `destination` (a key naming the destination's /64). Returns true if this is
   * the first packet waiting for it, i.e. the caller should ask the routing engine for a route.
   */
  push(destination: string, packet: Uint8Array, now: number): boolean {
    let q = this.queues.get(destination);
    const first = q === undefined;
    if (q === undefined) {
      if (this.queues.size >= this.limits.total) {
        this.dropped++;
        return false;
      }
      q = [];
      this.queues.set(destination, q);
    }
    if (q.length >= this.limits.perDestination) {
      q.shift();
      this.count--;
      this.dropped++;
    }
    if (this.count >= this.limits.total) {
      this.dropped++;
      return first;
    }
    q.push({ packet, deadline: now + this.limits.maxWaitMs });
    this.count++;
    return first;
  }

  /** Removes and returns the packets still in time for `destination` (its route has appeared). */
  take(destination: string, now: number): Uint8Array[] {
    const q = this.queues.get(destination);
    if (q === undefined) return [];
    this.queues.delete(destination);
    this.count -= q.length;
    const fresh = q.filter((w) => w.deadline >= now);
    this.dropped += q.length - fresh.length;
    return fresh.map((w) => w.packet);
  }

  /**
   * Drops packets whose deadline passed. Returns the newest expired packet of each destination, so
   * the caller can answer each stalled flow with one ICMPv6 error (all of them are counted).
   */
  expire(now: number): Uint8Array[] {
    const answered: Uint8Array[] = [];
    let n = 0;
    for (const [dst, q] of this.queues) {
      const keep = q.filter((w) => w.deadline >= now);
      if (keep.length === q.length) continue;
      n += q.length - keep.length;
      let newestExpired: Waiting | undefined;
      for (const w of q) if (w.deadline < now) newestExpired = w;
      if (newestExpired !== undefined) answered.push(newestExpired.packet);
      if (keep.length === 0) this.queues.delete(dst);
      else this.queues.set(dst, keep);
    }
    this.count -= n;
    this.dropped += n;
    return answered;
  }

  /** Each destination with packets waiting: how many, and when the oldest was queued. */
  waiting(): { destination: string; packets: number; since: number }[] {
    return [...this.queues].map(([destination, q]) => ({
      destination,
      packets: q.length,
      since: (q[0]?.deadline ?? 0) - this.limits.maxWaitMs,
    }));
  }

  /** Destinations with packets waiting. */
  destinations(): string[] {
    return [...this.queues.keys()];
  }

  get size(): number {
    return this.count;
  }
}
