import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readPidStat } from './cpu.js';
import { sleep } from './wait.js';

export type ProcessKind = 'daemon' | 'helper';

interface Entry {
  readonly pid: number;
  readonly starttime: number;
  readonly kind: ProcessKind;
  readonly label: string;
  readonly child: ChildProcess;
}

export interface SpawnRequest {
  readonly ns: string;
  readonly label: string;
  readonly kind: ProcessKind;
  readonly cmd: string;
  readonly args: readonly string[];
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  /** Pin to this CPU with taskset. */
  readonly cpu?: number;
  readonly cwd?: string;
}

/**
 * Every process the benchmark starts. `ip netns exec` (and taskset) exec in place, so the PID of the
 * spawned command is the daemon's own PID; with its start time it names exactly that process, so a
 * recycled PID is never signalled.
 */
export class ProcessRegistry {
  private readonly entries: Entry[] = [];

  spawnIn(req: SpawnRequest): number {
    const log = openSync(req.logFile, 'a');
    const pin = req.cpu === undefined ? [] : ['taskset', '-c', String(req.cpu)];
    let child: ChildProcess;
    try {
      child = spawn('ip', ['netns', 'exec', req.ns, ...pin, req.cmd, ...req.args], {
        stdio: ['ignore', log, log],
        cwd: req.cwd,
      });
    } finally {
      closeSync(log);
    }
    child.on('error', () => {}); // reported through isAlive / the log file
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${req.label} (${req.cmd})`);
    const starttime = readPidStat(pid)?.starttime ?? -1;
    this.entries.push({ pid, starttime, kind: req.kind, label: req.label, child });
    return pid;
  }

  isAlive(pid: number): boolean {
    const e = this.entries.find((x) => x.pid === pid);
    return e !== undefined && entryAlive(e);
  }

  /** PIDs of the daemons that are still running. */
  daemonPids(): number[] {
    return this.entries.filter((e) => e.kind === 'daemon' && entryAlive(e)).map((e) => e.pid);
  }

  /** "label (pid N, exit code)" for every daemon that has exited. */
  deadDaemons(): string[] {
    return this.entries
      .filter((e) => e.kind === 'daemon' && !entryAlive(e))
      .map((e) => `${e.label} (pid ${e.pid}, ${exitText(e.child)})`);
  }

  /** SIGTERM to everything still alive, SIGKILL after graceMs, then forget them all. */
  async killAll(graceMs = 3_000): Promise<void> {
    const alive = this.entries.filter(entryAlive);
    for (const e of alive) signal(e.pid, 'SIGTERM');
    const polls = Math.ceil(graceMs / 100);
    for (let i = 0; i < polls && alive.some(entryAlive); i++) await sleep(100);
    for (const e of alive.filter(entryAlive)) signal(e.pid, 'SIGKILL');
    for (let i = 0; i < 20 && alive.some(entryAlive); i++) await sleep(50);
    this.entries.length = 0;
  }

  /** For process 'exit' handlers, where nothing asynchronous runs any more. */
  killAllSync(): void {
    for (const e of this.entries.filter(entryAlive)) signal(e.pid, 'SIGKILL');
    this.entries.length = 0;
  }
}

function entryAlive(e: Entry): boolean {
  if (e.child.exitCode !== null || e.child.signalCode !== null) return false;
  const s = readPidStat(e.pid);
  if (!s || s.state === 'Z' || s.state === 'X') return false;
  return e.starttime < 0 || s.starttime === e.starttime;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function exitText(child: ChildProcess): string {
  if (child.signalCode) return `killed by ${child.signalCode}`;
  if (child.exitCode !== null) return `exit code ${child.exitCode}`;
  return 'gone';
}
