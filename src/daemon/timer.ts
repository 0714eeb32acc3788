/**
 * One re-armable timer for a sans-IO state machine: the driver asks the machine for its next
 * deadline after every batch of events and calls `arm` with it. Deadlines are on the monotonic
 * clock of `clock.ts`; an earlier or equal deadline already armed is kept.
 */
export class DeadlineTimer {
  private handle: NodeJS.Timeout | undefined;
  private armedAt: number | undefined;

  constructor(
    private readonly now: () => number,
    private readonly fire: () => void,
  ) {}

  /** Arms the timer for `deadline` (monotonic ms), or disarms it when undefined. */
  arm(deadline: number | undefined): void {
    if (deadline === this.armedAt) return;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedAt = deadline;
    if (deadline === undefined) return;
    const delay = Math.max(0, Math.ceil(deadline - this.now()));
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.armedAt = undefined;
      this.fire();
    }, delay);
  }

  cancel(): void {
    this.arm(undefined);
  }
}
