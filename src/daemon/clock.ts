import { performance } from 'node:perf_hooks';

/** The daemon's clock: monotonic milliseconds (never wall-clock time, which can jump). */
export const monotonicNow = (): number => performance.now();
