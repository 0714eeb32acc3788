/** A one-line progress report on stderr: which implementation, which test, time since the start. */
export class Progress {
  private readonly t0 = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastLength = 0;

  elapsed(): string {
    const s = Math.round((Date.now() - this.t0) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  }

  /** Replaces the current line on a terminal; one line per update elsewhere (logs stay readable). */
  update(text: string): void {
    const line = `[bench/compare ${this.elapsed()}] ${text}`;
    if (this.tty) {
      process.stderr.write(`\r${line.padEnd(this.lastLength)}`);
      this.lastLength = line.length;
    } else process.stderr.write(`${line}\n`);
  }

  /** A line that stays (warnings, results). */
  note(text: string): void {
    if (this.tty && this.lastLength) process.stderr.write('\n');
    this.lastLength = 0;
    process.stderr.write(`[bench/compare ${this.elapsed()}] ${text}\n`);
  }

  done(): void {
    if (this.tty && this.lastLength) process.stderr.write('\n');
    this.lastLength = 0;
  }
}
