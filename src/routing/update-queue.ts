/**
 * The acknowledged Updates waiting for one neighbour (pacing, docs/protocol/routing-engine.md
 * "Pacing"). One entry per prefix, and a newer Update for the same prefix replaces the waiting one
 * in place (it keeps its turn, so a prefix that keeps changing is not starved). Entries being
 * resent after a lost Ack wait in a second map that is served first. An entry whose prefix is
 * still in flight to the neighbour is parked until that packet is acknowledged, given up or
 * overdue (`unpark`, PARK_MAX_RTT): UDP may reorder two packets, and the older Update arriving
 * last would stay in force (same seqno, nothing tells them apart) until the next Route Digest.
 * The queue outlives handle():
 * it holds what the window did not let out yet. Memory: at most one entry per prefix (and our own,
 * and the shutdown wildcard), so at most prefixes × neighbours entries in all the queues.
 */
import type { Update } from '../wire/babel/types.js';
import { METRIC_INFINITY } from './constants.js';

/** An Update and the prefix key it is filed under (a packet carries a list of them). */
export interface KeyedUpdate {
  readonly key: string;
  readonly update: Update;
}

/** A waiting entry; once taken from the queue it is never changed again, so a packet may hold it. */
export interface Queued extends KeyedUpdate {
  update: Update;
  /** How often this prefix's Update was already sent unacknowledged (0: a new one). */
  resends: number;
  /** The flush generation it was queued in (a replacement in a later one counts as coalescing). */
  gen: number;
}

export class UpdateQueue {
  readonly #retry = new Map<string, Queued>();
  readonly #fresh = new Map<string, Queued>();
  readonly #parked = new Map<string, Queued>();

  /** Entries waiting, parked ones included. */
  get size(): number {
    return this.#retry.size + this.#fresh.size + this.#parked.size;
  }

  /** Entries that may leave now (not parked). */
  get ready(): number {
    return this.#retry.size + this.#fresh.size;
  }

  has(key: string): boolean {
    return this.#retry.has(key) || this.#fresh.has(key) || this.#parked.has(key);
  }

  #find(key: string): Queued | undefined {
    return this.#retry.get(key) ?? this.#fresh.get(key) ?? this.#parked.get(key);
  }

  /**
   * Queues `u` for `key`, replacing a waiting Update for it; returns the replaced entry's
   * generation, or undefined when nothing was waiting. A resend (resends > 0) moves to the front;
   * a parked entry stays parked.
   */
  put(key: string, u: Update, resends: number, gen: number): number | undefined {
    const old = this.#find(key);
    if (old === undefined) {
      (resends > 0 ? this.#retry : this.#fresh).set(key, { key, update: u, resends, gen });
      return undefined;
    }
    const oldGen = old.gen;
    old.update = u;
    old.resends = resends;
    old.gen = gen;
    if (resends > 0 && this.#fresh.delete(key)) this.#retry.set(key, old);
    return oldGen;
  }

  delete(key: string): boolean {
    return this.#retry.delete(key) || this.#fresh.delete(key) || this.#parked.delete(key);
  }

  /** The Update waiting for `key`, if any. */
  get(key: string): Update | undefined {
    return this.#find(key)?.update;
  }

  clear(): void {
    this.#retry.clear();
    this.#fresh.clear();
    this.#parked.clear();
  }

  /**
   * Removes and returns up to `max` entries, resends first, each map in queue order. An entry for
   * which `mustWait(key)` is true is parked instead.
   */
  take(max: number, mustWait: (key: string) => boolean): Queued[] {
    const out: Queued[] = [];
    this.#takeInto(this.#retry, out, max, mustWait);
    this.#takeInto(this.#fresh, out, max, mustWait);
    return out;
  }

  /** True when an entry that may leave now is a retraction (bad news is not held back). */
  readyRetraction(): boolean {
    for (const q of this.#retry.values()) if (q.update.metric >= METRIC_INFINITY) return true;
    for (const q of this.#fresh.values()) if (q.update.metric >= METRIC_INFINITY) return true;
    return false;
  }

  /** Unparks every entry for which `mustWait(key)` no longer holds (its packet is overdue). */
  unparkUnless(mustWait: (key: string) => boolean): void {
    for (const k of this.#parked.keys()) if (!mustWait(k)) this.unpark(k);
  }

  /** The packet that carried `key` left flight: its parked entry may leave, ahead of the fresh ones. */
  unpark(key: string): boolean {
    const q = this.#parked.get(key);
    if (q === undefined) return false;
    this.#parked.delete(key);
    this.#retry.set(key, q);
    return true;
  }

  #takeInto(m: Map<string, Queued>, out: Queued[], max: number, mustWait: (key: string) => boolean): void {
    for (const [k, q] of m) {
      if (out.length >= max) return;
      m.delete(k);
      if (mustWait(k)) this.#parked.set(k, q);
      else out.push(q);
    }
  }
}
