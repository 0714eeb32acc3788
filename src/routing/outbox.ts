/**
 * Per-neighbour batching of outgoing TLVs: everything due to one neighbour during one handle()
 * call leaves together, Hello/IHU/Acks first, then Updates (one per prefix, the latest wins, so a
 * retraction followed by a new route in the same call sends only the route), then requests.
 * Updates are cut into packets of at most UPDATES_PER_PACKET, one `send` action each, so each
 * action fits one control packet and its Ack Request (reliable.ts) acknowledges exactly it.
 */
import type { Tlv, Update } from '../wire/babel/types.js';
import type { EngineAction, NeighbourId } from './api.js';
import { UPDATES_PER_PACKET } from './constants.js';
import type { Counters } from './counters.js';
import { outCounter } from './counters.js';

interface Batch {
  head: Tlv[];
  updates: Map<string, Update>;
  /** How many times each queued Update is a resend (absent: 0). */
  resends: Map<string, number>;
  /** Queued Updates that need no acknowledgement (the periodic refresh). */
  noAck: Set<string>;
  tail: Tlv[];
  tailResends: number;
}

/** Called for each packet carrying Updates or requests; returns the Ack Request to append, if any. */
export type AckHook = (
  neighbour: NeighbourId,
  updates: readonly (readonly [string, Update])[],
  requests: readonly Tlv[],
  resends: number,
) => Tlv | undefined;

export class Outbox {
  readonly #batches = new Map<NeighbourId, Batch>();

  #batch(n: NeighbourId): Batch {
    let b = this.#batches.get(n);
    if (b === undefined) {
      b = { head: [], updates: new Map(), resends: new Map(), noAck: new Set(), tail: [], tailResends: 0 };
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
   * how often it was sent unacknowledged before; `ack` false: it needs no acknowledgement.
   */
  queueUpdate(n: NeighbourId, prefixKey: string, u: Update, resends = 0, ack = true): void {
    const b = this.#batch(n);
    b.updates.delete(prefixKey);
    b.updates.set(prefixKey, u);
    if (resends > 0) b.resends.set(prefixKey, resends);
    else b.resends.delete(prefixKey);
    if (ack) b.noAck.delete(prefixKey);
    else b.noAck.add(prefixKey);
  }

  /** True when an Update for `prefixKey` is already queued to `n`. */
  hasUpdate(n: NeighbourId, prefixKey: string): boolean {
    return this.#batches.get(n)?.updates.has(prefixKey) ?? false;
  }

  /** Queues a route or seqno request (sent last); `resends` as for queueUpdate. */
  queueTail(n: NeighbourId, tlv: Tlv, resends = 0): void {
    const b = this.#batch(n);
    b.tail.push(tlv);
    if (resends > b.tailResends) b.tailResends = resends;
  }

  /** Drops whatever is queued for a neighbour that went away. */
  forget(n: NeighbourId): void {
    this.#batches.delete(n);
  }

  /**
   * Turns every batch into send actions (Hello/IHU and the first Updates in the first, requests in
   * the last), counting `out.<tlv>`, and empties the outbox. `ack` ends each packet that carries
   * Updates or requests.
   */
  flush(out: EngineAction[], counters: Counters, ack?: AckHook): void {
    for (const [neighbour, b] of this.#batches) {
      type Packet = { head: Tlv[]; updates: [string, Update][]; resends: number; ack: boolean; tail: Tlv[] };
      const packets: Packet[] = [];
      let cur: Packet = { head: b.head, updates: [], resends: 0, ack: false, tail: [] };
      for (const [k, u] of b.updates) {
        if (cur.updates.length >= UPDATES_PER_PACKET) {
          packets.push(cur);
          cur = { head: [], updates: [], resends: 0, ack: false, tail: [] };
        }
        cur.updates.push([k, u]);
        if (!b.noAck.has(k)) cur.ack = true;
        cur.resends = Math.max(cur.resends, b.resends.get(k) ?? 0);
      }
      cur.tail = b.tail;
      if (b.tail.length > 0) cur.resends = Math.max(cur.resends, b.tailResends);
      packets.push(cur);
      for (const p of packets) {
        const tlvs: Tlv[] = [...p.head];
        for (const [, u] of p.updates) tlvs.push(u);
        tlvs.push(...p.tail);
        if (p.ack || p.tail.length > 0) {
          const req = ack?.(neighbour, p.updates, p.tail, p.resends);
          if (req !== undefined) tlvs.push(req);
        }
        if (tlvs.length === 0) continue;
        for (const t of tlvs) counters.add(outCounter(t.type));
        out.push({ kind: 'send', neighbour, tlvs });
      }
    }
    this.#batches.clear();
  }
}
