/** Monotonic counters by name, for metrics: the one implementation every layer counts with. */
export class Counters {
  readonly #values: Record<string, number> = Object.create(null);

  /** Adds `n` (default 1) to the counter `name`. */
  add(name: string, n = 1): void {
    this.#values[name] = (this.#values[name] ?? 0) + n;
  }

  /** Returns one counter (0 when never moved). */
  get(name: string): number {
    return this.#values[name] ?? 0;
  }

  /** Returns a copy of every counter that moved. */
  snapshot(): Record<string, number> {
    return { ...this.#values };
  }
}
