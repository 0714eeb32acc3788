/**
 * Per-neighbour batching and pacing of outgoing TLVs. What is due to a neighbour during one
 * handle() leaves together at its end: Hello/IHU/Acks/probes first, then Updates, then requests.
 * Updates are cut into packets of at most UPDATES_PER_PACKET, one `send` action each, so each
 * action fits one control packet and its Ack Request (reliable.ts) acknowledges exactly it.
 *
 * Pacing (docs/protocol/routing-engine.md "Pacing"): acknowledged Updates go through a queue per
 * neighbour that outlives handle() (update-queue.ts; one entry per prefix, the latest wins). A
 * packet of them leaves only while fewer than PACING_WINDOW packets to that neighbour await their
 * Ack, and a packet with fewer than UPDATES_PER_PACKET only when no packet sent less than
 * PACING_HOLD_RTT round trips ago does (Nagle's rule). The rest waits, and a later change of the same prefix replaces the
 * waiting Update. An Ack, a resend timeout, the end of a Nagle hold or a forgotten neighbour state wakes the queue
 * (`wake`), and the next packets leave at the end of that handle(). Hello/IHU/Ack/probes, route
 * and seqno requests, the unacknowledged periodic refresh and the shutdown retraction are never
 * held back.
 */
import type { Tlv, Update } from '../wire/babel/types.js';
import type { EngineAction, NeighbourId } from './api.js';
import { METRIC_INFINITY, PACING_WINDOW, UPDATES_PER_PACKET } from './constants.js';
import type { Counters } from './counters.js';
import { outCounter } from './counters.js';
import { type KeyedUpdate, UpdateQueue } from './update-queue.js';

const NO_TLVS: readonly Tlv[] = [];

/** What is due to one neighbour during one handle() and is not paced. */
interface Batch {
  head: Tlv[];
  /** Unacknowledged Updates (the periodic refresh), by prefix key. */
  periodic: Map<string, Update>;
  /** The shutdown retraction: acknowledged, but sent at once. */
  urgent: KeyedUpdate | undefined;
  tail: Tlv[];
  tailResends: number;
}

/** What the outbox asks reliable.ts while it flushes. */
export interface FlushHooks {
  /** Acknowledged packets in flight to `n`, or undefined when `n` is not asked for Acks (no window). */
  inFlight(n: NeighbourId): number | undefined;
  /**
   * Nagle's rule: true when a small packet to `n` should wait for the Ack of one in flight
   * (`justSent`: a packet is leaving to it in this flush); the hook arranges the wake-up.
   */
  holdPartial(n: NeighbourId, justSent: boolean): boolean;
  /** True while a newer Update for `key` must wait for a packet carrying it to `n` (update-queue.ts, reliable.ts). */
  parkBehind(n: NeighbourId, key: string): boolean;
  /** Called for each packet's Updates as it leaves (they bound the feasibility distances). */
  sent(updates: readonly KeyedUpdate[]): void;
  /** Called for each packet carrying acknowledged Updates or requests; returns the Ack Request to append. */
  ack(
    n: NeighbourId,
    updates: readonly KeyedUpdate[],
    requests: readonly Tlv[],
    resends: number,
  ): Tlv | undefined;
}

interface Packet {
  updates: KeyedUpdate[];
  resends: number;
  ack: boolean;
}

export class Outbox {
  readonly #batches = new Map<NeighbourId, Batch>();
  readonly #queues = new Map<NeighbourId, UpdateQueue>();
  /** Neighbours whose queue got an entry or whose window may have opened since the last flush. */
  readonly #ready = new Set<NeighbourId>();
  /** Flush generation: an entry replaced after surviving a flush was coalesced by pacing. */
  #gen = 0;
  #coalesced = 0;
  #periodicSkipped = 0;

  #batch(n: NeighbourId): Batch {
    let b = this.#batches.get(n);
    if (b === undefined) {
      b = { head: [], periodic: new Map(), urgent: undefined, tail: [], tailResends: 0 };
      this.#batches.set(n, b);
    }
    return b;
  }

  /** Queues a Hello, IHU, Ack or Ack Request (sent first). */
  queueHead(n: NeighbourId, tlv: Tlv): void {
    this.#batch(n).head.push(tlv);
  }

  /**
   * Queues an Update for `prefixKey`, replacing one already queued for the same prefix. `resends`:
   * how often it was sent unacknowledged before; `ack` false: it needs no acknowledgement (the
   * periodic refresh), leaves at the end of this handle() and is skipped when an acknowledged
   * Update for the prefix is still queued (that one is newer).
   */
  queueUpdate(n: NeighbourId, prefixKey: string, u: Update, resends = 0, ack = true): void {
    if (!ack) {
      if (this.#queues.get(n)?.has(prefixKey)) this.#periodicSkipped++;
      else this.#batch(n).periodic.set(prefixKey, u);
      return;
    }
    this.#batches.get(n)?.periodic.delete(prefixKey);
    let q = this.#queues.get(n);
    if (q === undefined) {
      q = new UpdateQueue();
      this.#queues.set(n, q);
    }
    const old = q.put(prefixKey, u, resends, this.#gen);
    if (old !== undefined && old < this.#gen) this.#coalesced++;
    this.#ready.add(n);
  }

  /** Sends `u` to `n` at the end of this handle() whatever the window, dropping everything queued (shutdown). */
  queueUrgent(n: NeighbourId, prefixKey: string, u: Update): void {
    this.#queues.get(n)?.clear();
    const b = this.#batch(n);
    b.periodic.clear();
    b.urgent = { key: prefixKey, update: u };
  }

  /**
   * Drops the announcement queued to `n` for `prefixKey` (split horizon); true when there was one.
   * A queued retraction stays: to the next hop it is the poisoned reverse (send.ts sendTriggered).
   */
  dropUpdate(n: NeighbourId, prefixKey: string): boolean {
    const periodic = this.#batches.get(n)?.periodic.delete(prefixKey) ?? false;
    const q = this.#queues.get(n);
    const queued = q?.get(prefixKey);
    const dropped = queued !== undefined && queued.metric < METRIC_INFINITY && q!.delete(prefixKey);
    return dropped || periodic;
  }

  /** True when an acknowledged Update for `prefixKey` is queued to `n`. */
  hasUpdate(n: NeighbourId, prefixKey: string): boolean {
    return this.#queues.get(n)?.has(prefixKey) ?? false;
  }

  /** Queues a route or seqno request (sent last, never held back); `resends` as for queueUpdate. */
  queueTail(n: NeighbourId, tlv: Tlv, resends = 0): void {
    const b = this.#batch(n);
    b.tail.push(tlv);
    if (resends > b.tailResends) b.tailResends = resends;
  }

  /** The window towards `n` may have opened (an Ack, a timeout): try its queue at the next flush. */
  wake(n: NeighbourId): void {
    if ((this.#queues.get(n)?.size ?? 0) > 0) this.#ready.add(n);
  }

  /** The last packet carrying `key` to `n` left flight: an Update parked behind it may leave. */
  unpark(n: NeighbourId, key: string): void {
    if (this.#queues.get(n)?.unpark(key)) this.#ready.add(n);
  }

  /** Drops whatever is queued for a neighbour that went away. */
  forget(n: NeighbourId): void {
    this.#batches.delete(n);
    this.#queues.delete(n);
    this.#ready.delete(n);
  }

  /** Updates waiting in the queues, all neighbours (a gauge). */
  queued(): number {
    let total = 0;
    for (const q of this.#queues.values()) total += q.size;
    return total;
  }

  /**
   * Turns what is due into send actions, counting `out.<tlv>` and the pacing counters. `hooks`
   * gives the window and ends each packet that carries acknowledged Updates or requests.
   */
  flush(out: EngineAction[], counters: Counters, hooks?: FlushHooks): void {
    for (const [n, b] of this.#batches) this.#flushOne(n, b, out, counters, hooks);
    for (const n of this.#ready)
      if (!this.#batches.has(n)) this.#flushOne(n, undefined, out, counters, hooks);
    this.#batches.clear();
    this.#ready.clear();
    this.#gen++;
    if (this.#coalesced > 0) counters.add('pacing.coalesced', this.#coalesced);
    if (this.#periodicSkipped > 0) counters.add('pacing.periodic-skipped', this.#periodicSkipped);
    this.#coalesced = 0;
    this.#periodicSkipped = 0;
  }

  #flushOne(
    n: NeighbourId,
    b: Batch | undefined,
    out: EngineAction[],
    counters: Counters,
    hooks: FlushHooks | undefined,
  ): void {
    const packets: Packet[] = [];
    if (b?.urgent !== undefined) packets.push({ updates: [b.urgent], resends: 0, ack: true });
    if (b !== undefined && b.periodic.size > 0) {
      let cur: Packet | undefined;
      for (const [key, update] of b.periodic) {
        if (cur === undefined || cur.updates.length >= UPDATES_PER_PACKET) {
          cur = { updates: [], resends: 0, ack: false };
          packets.push(cur);
        }
        cur.updates.push({ key, update });
      }
    }
    const q = this.#queues.get(n);
    if (q !== undefined) this.#takePaced(n, q, packets, counters, hooks);
    const head = b?.head ?? [];
    const tail = b?.tail ?? [];
    if (packets.length === 0) packets.push({ updates: [], resends: 0, ack: false });
    const last = packets.length - 1;
    for (let i = 0; i <= last; i++) {
      const p = packets[i]!;
      const tlvs: Tlv[] = i === 0 ? head : [];
      for (const e of p.updates) tlvs.push(e.update);
      if (p.updates.length > 0) hooks?.sent(p.updates);
      const requests = i === last ? tail : NO_TLVS;
      for (const r of requests) tlvs.push(r);
      if (p.ack || requests.length > 0) {
        const resends = requests.length > 0 ? Math.max(p.resends, b?.tailResends ?? 0) : p.resends;
        const req = hooks?.ack(n, p.ack ? p.updates : [], requests, resends);
        if (req !== undefined) tlvs.push(req);
      }
      if (tlvs.length === 0) continue;
      for (const t of tlvs) counters.add(outCounter(t.type));
      out.push({ kind: 'send', neighbour: n, tlvs });
    }
  }

  /** Moves as many packets of queued Updates as the window allows into `packets`. */
  #takePaced(
    n: NeighbourId,
    q: UpdateQueue,
    packets: Packet[],
    counters: Counters,
    hooks: FlushHooks | undefined,
  ): void {
    let inFlight = hooks?.inFlight(n);
    let justSent = false;
    const mustWait = (key: string) => hooks?.parkBehind(n, key) ?? false;
    q.unparkUnless(mustWait);
    // Each round takes or parks at least one entry, so this ends within q.ready rounds.
    while (q.ready > 0) {
      if (inFlight !== undefined) {
        if (inFlight >= PACING_WINDOW) {
          counters.add('pacing.stalled');
          return;
        }
        if (
          q.ready < UPDATES_PER_PACKET &&
          inFlight > 0 &&
          !q.readyRetraction() &&
          hooks!.holdPartial(n, justSent)
        ) {
          counters.add('pacing.held');
          return;
        }
      }
      const taken = q.take(UPDATES_PER_PACKET, mustWait);
      if (taken.length === 0) continue;
      if (inFlight !== undefined) {
        inFlight++;
        justSent = true;
      }
      let resends = 0;
      for (const e of taken) if (e.resends > resends) resends = e.resends;
      packets.push({ updates: taken, resends, ack: true });
    }
  }
}
