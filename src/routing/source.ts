/**
 * The source table (babeld's source.c): one entry per (prefix, originator key) holding the
 * feasibility distance, i.e. the best (seqno, metric) this node has advertised for that source.
 * Entries are forgotten SOURCE_GC_TIME_MS after their last use when no route refers to them.
 */
import type { Prefix } from '../wire/babel/types.js';
import { internKey, internPrefix } from './_keys.js';
import type { Millis } from './api.js';
import { SOURCE_GC_TIME_MS } from './constants.js';
import { type FeasibilityDistance, updateDistance } from './feasibility.js';

export interface Source {
  readonly key: string;
  readonly prefix: Prefix;
  readonly originator: Uint8Array;
  /** Feasibility distance; undefined until something was advertised for this source. */
  fd: FeasibilityDistance | undefined;
  /** Last time the source was used (an advertisement or a route update). */
  usedAt: Millis;
}

export class SourceTable {
  readonly #max: number;
  readonly #sources = new Map<string, Source>();

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#sources.size;
  }

  /** Returns the source for `key`, or undefined. */
  findSource(key: string): Source | undefined {
    return this.#sources.get(key);
  }

  /** Returns the feasibility distance of `key`, undefined when the source is unknown. */
  distance(key: string): FeasibilityDistance | undefined {
    return this.#sources.get(key)?.fd;
  }

  /**
   * Finds or creates the source; returns undefined when the table is full (the caller drops the
   * Update and counts it).
   */
  ensureSource(key: string, prefix: Prefix, originator: Uint8Array, now: Millis): Source | undefined {
    let s = this.#sources.get(key);
    if (s === undefined) {
      if (this.#sources.size >= this.#max) return undefined;
      // key, prefix and originator are the shared interned ones (_keys.ts): no per-source copies.
      s = {
        key,
        prefix: internPrefix(prefix),
        originator: internKey(originator),
        fd: undefined,
        usedAt: now,
      };
      this.#sources.set(key, s);
    }
    s.usedAt = now;
    return s;
  }

  /** Records that (seqno, metric) was advertised for the source: the FD only improves (RFC 8966 §3.7.3). */
  noteAdvertised(s: Source, seqno: number, metric: number, now: Millis): void {
    s.fd = updateDistance(s.fd, seqno, metric);
    s.usedAt = now;
  }

  /** Forgets sources unused for SOURCE_GC_TIME_MS that no route refers to; returns how many. */
  expireSources(now: Millis, inUse: (key: string) => boolean): number {
    let n = 0;
    for (const [k, s] of this.#sources) {
      if (now - s.usedAt >= SOURCE_GC_TIME_MS && !inUse(k)) {
        this.#sources.delete(k);
        n++;
      }
    }
    return n;
  }

  /** The earliest time expireSources() could forget something, or undefined. */
  nextExpiry(): Millis | undefined {
    let min: Millis | undefined;
    for (const s of this.#sources.values()) {
      const t = s.usedAt + SOURCE_GC_TIME_MS;
      if (min === undefined || t < min) min = t;
    }
    return min;
  }
}
