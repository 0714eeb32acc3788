/**
 * The engine's timers, quinn's connection/timer.rs shape: a fixed set of kinds and one deadline per
 * kind. nextTimeout() is the minimum; a timer event runs every kind that is due through one switch
 * in engine.ts. A deadline that is early is harmless (the handler re-arms it from the real state),
 * which lets aggregate kinds (route expiry, request resends) keep "the earliest deadline set since
 * the last sweep" instead of a heap.
 */
import type { Millis } from './api.js';

export enum TimerKind {
  /** Send a Hello (+ IHU) to every neighbour. Periodic, jittered. */
  Hello = 0,
  /** Count missed Hellos and IHU hold expiry; earliest over neighbours. */
  NeighbourCheck = 1,
  /** Periodic refresh to every neighbour: a Route Digest (refresh.ts). Jittered. */
  Update = 2,
  /** Resend retractions once (urgent) a short while after they were first sent. */
  UrgentResend = 3,
  /** Route expiry and source garbage collection sweep. */
  Expiry = 4,
  /** Resend or expire pending route and seqno requests. */
  Requests = 5,
  /** A rate-limited own seqno bump that is waiting for its slot. */
  SeqnoBump = 6,
  /** Selection again for prefixes whose better route waited for its smoothed metric. */
  Reselect = 7,
  /** Half an update interval after the start and after each refresh: announce metrics that drifted below the trigger threshold. */
  Drift = 8,
}

const KIND_COUNT = 9;

export class TimerTable {
  readonly #deadlines = new Array<Millis | undefined>(KIND_COUNT).fill(undefined);

  /** Sets (or with undefined clears) the deadline of `kind`. */
  set(kind: TimerKind, at: Millis | undefined): void {
    this.#deadlines[kind] = at;
  }

  /** Moves the deadline of `kind` earlier to `at` if it is unset or later. */
  setEarlier(kind: TimerKind, at: Millis): void {
    const cur = this.#deadlines[kind];
    if (cur === undefined || at < cur) this.#deadlines[kind] = at;
  }

  get(kind: TimerKind): Millis | undefined {
    return this.#deadlines[kind];
  }

  /** Returns the earliest deadline of any kind, or undefined when none is armed. */
  next(): Millis | undefined {
    let min: Millis | undefined;
    for (const d of this.#deadlines) if (d !== undefined && (min === undefined || d < min)) min = d;
    return min;
  }

  /** Returns the kinds due at `now` and clears them; the caller's handlers re-arm what they need. */
  takeExpired(now: Millis): TimerKind[] {
    const out: TimerKind[] = [];
    for (let k = 0; k < KIND_COUNT; k++) {
      const d = this.#deadlines[k];
      if (d !== undefined && d <= now) {
        out.push(k as TimerKind);
        this.#deadlines[k] = undefined;
      }
    }
    return out;
  }
}

/** Returns `delayMs` jittered by ±JITTER (babeld's roughly()), using the injected RNG. */
export function roughly(delayMs: number, random: () => number, jitter: number): number {
  return delayMs * (1 - jitter + 2 * jitter * random());
}
