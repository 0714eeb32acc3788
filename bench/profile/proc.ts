import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/**
 * utime + stime of a process (all its threads), in seconds, from /proc/PID/stat; 0 if it is gone.
 * Field 2 (comm) may hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function processCpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After comm: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
