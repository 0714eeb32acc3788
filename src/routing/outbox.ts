/**
 * Per-neighbour batching of outgoing TLVs: everything due to one neighbour during one handle()
 * call leaves as one `send` action, Hello/IHU first, then Updates (one per prefix, the latest
 * wins, so a retraction followed by a new route in the same call sends only the route), then
 * requests.
 */
import type { Tlv, Update } from '../wire/babel/types.js';
import type { EngineAction, NeighbourId } from './api.js';
import type { Counters } from './counters.js';
import { tlvName } from './counters.js';

interface Batch {
  head: Tlv[];
  updates: Map<string, Update>;
  tail: Tlv[];
}

export class Outbox {
  readonly #batches = new Map<NeighbourId, Batch>();

  #batch(n: NeighbourId): Batch {
    let b = this.#batches.get(n);
    if (b === undefined) {
      b = { head: [], updates: new Map(), tail: [] };
      this.#batches.set(n, b);
    }
    return b;
  }

  /** Queues a Hello or IHU (sent first). */
  queueHead(n: NeighbourId, tlv: Tlv): void {
    this.#batch(n).head.push(tlv);
  }

  /** Queues an Update for `prefixKey`, replacing one already queued for the same prefix. */
  queueUpdate(n: NeighbourId, prefixKey: string, u: Update): void {
    const b = this.#batch(n);
    b.updates.delete(prefixKey);
    b.updates.set(prefixKey, u);
  }

  /** True when an Update for `prefixKey` is already queued to `n`. */
  hasUpdate(n: NeighbourId, prefixKey: string): boolean {
    return this.#batches.get(n)?.updates.has(prefixKey) ?? false;
  }

  /** Queues a route or seqno request (sent last). */
  queueTail(n: NeighbourId, tlv: Tlv): void {
    this.#batch(n).tail.push(tlv);
  }

  /** Drops whatever is queued for a neighbour that went away. */
  forget(n: NeighbourId): void {
    this.#batches.delete(n);
  }

  /** Turns every batch into one send action, counting `out.<tlv>`, and empties the outbox. */
  flush(out: EngineAction[], counters: Counters): void {
    for (const [neighbour, b] of this.#batches) {
      const tlvs: Tlv[] = [...b.head, ...b.updates.values(), ...b.tail];
      if (tlvs.length === 0) continue;
      for (const t of tlvs) counters.add(`out.${tlvName(t.type)}`);
      out.push({ kind: 'send', neighbour, tlvs });
    }
    this.#batches.clear();
  }
}
