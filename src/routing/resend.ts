/**
 * Pending route requests and seqno requests (babeld's resend.c): one table, bounded, with dedup,
 * requesters to answer, resend with exponential backoff for the ones we originated, and expiry.
 *
 * - A request this node originated is resent after REQUEST_TIMEOUT_MS, 2×, 4× (at most
 *   REQUEST_MAX_RESENDS times) until it is satisfied, then forgotten.
 * - A request this node forwarded is remembered FORWARDED_REQUEST_TTL_MS: a duplicate within that
 *   time is not forwarded again (its sender is only added to the requesters), and when the answer
 *   arrives it is passed on to the requesters. The requester resends; forwarders never do.
 */
import type { Prefix } from '../wire/babel/types.js';
import type { Millis, NeighbourId } from './api.js';
import {
  FORWARDED_REQUEST_TTL_MS,
  MAX_REQUESTERS,
  REQUEST_MAX_RESENDS,
  REQUEST_TIMEOUT_MS,
} from './constants.js';

export type RequestKind = 'route' | 'seqno';

export interface PendingRequest {
  readonly kind: RequestKind;
  readonly key: string;
  readonly prefix: Prefix;
  /** The prefix's table key (prefixKey). */
  readonly prefixKey: string;
  /** Seqno requests: the source's originator key and the seqno asked for. */
  readonly originator: Uint8Array | undefined;
  seqno: number | undefined;
  /** Hop count the request was (last) sent with. */
  hopCount: number;
  /** Neighbours that asked us (answer them when the request is satisfied); empty when we originated it. */
  readonly requesters: Set<NeighbourId>;
  /** True when this node asked on its own behalf (it then resends). */
  originated: boolean;
  /** Where the request was sent, to resend to the same neighbours. */
  targets: NeighbourId[];
  resends: number;
  /** Next resend (originated only), undefined when no more resends. */
  resendAt: Millis | undefined;
  expiresAt: Millis;
}

/**
 * The key of a pending route request for a prefix: the prefix key itself. It never equals a seqno
 * request's key (a source key has a "|"), and passing the shared interned string through unchanged
 * lets the Map reuse its cached hash instead of hashing a fresh 50-character string per lookup.
 */
export function routeRequestKey(prefixKey: string): string {
  return prefixKey;
}

/** The key of a pending seqno request for a source: the source key itself (see routeRequestKey). */
export function seqnoRequestKey(sourceKey: string): string {
  return sourceKey;
}

/** Total lifetime of an originated request: the resend schedule 2 + 4 + 8 + 16 s. */
function originatedLifetime(): number {
  let t = 0;
  for (let i = 0; i <= REQUEST_MAX_RESENDS; i++) t += REQUEST_TIMEOUT_MS * 2 ** i;
  return t;
}

export class RequestTable {
  readonly #max: number;
  readonly #pending = new Map<string, PendingRequest>();
  /** Earliest deadline set since the last sweep (may be early; see timers.ts). */
  #deadline: Millis | undefined;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#pending.size;
  }

  findRequest(key: string): PendingRequest | undefined {
    return this.#pending.get(key);
  }

  /**
   * Records a new pending request; returns it, or undefined when the table is full. An originated
   * request starts its resend schedule; a forwarded one just lives FORWARDED_REQUEST_TTL_MS.
   */
  addRequest(
    init: Pick<
      PendingRequest,
      'kind' | 'key' | 'prefix' | 'prefixKey' | 'originator' | 'seqno' | 'hopCount'
    > & {
      originated: boolean;
      requester?: NeighbourId;
      targets: NeighbourId[];
    },
    now: Millis,
  ): PendingRequest | undefined {
    if (this.#pending.size >= this.#max) return undefined;
    const req: PendingRequest = {
      kind: init.kind,
      key: init.key,
      prefix: init.prefix,
      prefixKey: init.prefixKey,
      originator: init.originator,
      seqno: init.seqno,
      hopCount: init.hopCount,
      requesters: new Set(init.requester !== undefined ? [init.requester] : []),
      originated: init.originated,
      targets: init.targets,
      resends: 0,
      resendAt: init.originated ? now + REQUEST_TIMEOUT_MS : undefined,
      expiresAt: now + (init.originated ? originatedLifetime() : FORWARDED_REQUEST_TTL_MS),
    };
    this.#pending.set(req.key, req);
    this.#arm(req.resendAt ?? req.expiresAt);
    return req;
  }

  /** Adds a requester (bounded by MAX_REQUESTERS); returns false when it was dropped. */
  addRequester(req: PendingRequest, neighbour: NeighbourId): boolean {
    if (req.requesters.has(neighbour)) return true;
    if (req.requesters.size >= MAX_REQUESTERS) return false;
    req.requesters.add(neighbour);
    return true;
  }

  /** Turns a forwarded request into one we also want answered (it starts resending). */
  adoptRequest(req: PendingRequest, now: Millis): void {
    if (req.originated) return;
    req.originated = true;
    req.resendAt = now + REQUEST_TIMEOUT_MS;
    req.expiresAt = Math.max(req.expiresAt, now + originatedLifetime());
    this.#arm(req.resendAt);
  }

  /** True for a request we originated whose resends are used up (it only waits for its expiry). */
  isSpent(req: PendingRequest): boolean {
    return req.originated && req.resendAt === undefined;
  }

  /** Starts the resend schedule of a request again from `now`, as if it were new (the caller sends it). */
  restartRequest(req: PendingRequest, now: Millis): void {
    req.originated = true;
    req.resends = 0;
    req.resendAt = now + REQUEST_TIMEOUT_MS;
    req.expiresAt = Math.max(req.expiresAt, now + originatedLifetime());
    this.#arm(req.resendAt);
  }

  /** Forgets a request (satisfied or abandoned). */
  removeRequest(key: string): void {
    this.#pending.delete(key);
  }

  /** Every pending request (for a neighbour going down, or answering by prefix). */
  all(): IterableIterator<PendingRequest> {
    return this.#pending.values();
  }

  /**
   * Expires old requests and returns the originated ones due for a resend at `now` (their next
   * resend already scheduled with doubled delay). Call from the Requests timer.
   */
  expireRequests(now: Millis): { resend: PendingRequest[]; expired: PendingRequest[] } {
    const resend: PendingRequest[] = [];
    const expired: PendingRequest[] = [];
    this.#deadline = undefined;
    for (const [k, r] of this.#pending) {
      if (r.expiresAt <= now) {
        this.#pending.delete(k);
        expired.push(r);
        continue;
      }
      if (r.resendAt !== undefined && r.resendAt <= now) {
        r.resends++;
        resend.push(r);
        r.resendAt = r.resends < REQUEST_MAX_RESENDS ? now + REQUEST_TIMEOUT_MS * 2 ** r.resends : undefined;
      }
      this.#arm(r.resendAt ?? r.expiresAt);
    }
    return { resend, expired };
  }

  /** The earliest resend or expiry, or undefined when nothing is pending. */
  nextDeadline(): Millis | undefined {
    return this.#pending.size === 0 ? undefined : this.#deadline;
  }

  #arm(at: Millis): void {
    if (this.#deadline === undefined || at < this.#deadline) this.#deadline = at;
  }
}
