export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` every intervalMs until it returns something other than undefined/false. Bounded both
 * in time (timeoutMs) and in count (timeoutMs / intervalMs + 1 polls); throws with `what` when it gives up.
 */
export async function waitUntil<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const interval = opts.intervalMs ?? 100;
  const deadline = Date.now() + opts.timeoutMs;
  const maxPolls = Math.ceil(opts.timeoutMs / interval) + 1;
  for (let i = 0; i < maxPolls; i++) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= deadline) break;
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
  throw new Error(`timed out after ${(opts.timeoutMs / 1000).toFixed(0)} s waiting for ${opts.what}`);
}
