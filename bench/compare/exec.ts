import { type ChildProcess, execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Commands started by runCommand that have not finished: killed on an interrupted run. */
const running = new Set<ChildProcess>();

/** SIGKILLs every command runCommand started that is still running (iperf3 clients, pings). */
export function killRunningCommands(): void {
  for (const child of running) {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** Runs a command to completion (killed after timeoutMs); never rejects, a failure is a non-zero code. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      [...args],
      {
        timeout: opts.timeoutMs ?? 30_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        cwd: opts.cwd,
        env: opts.env,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        running.delete(child);
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
        const code = typeof e.code === 'number' ? e.code : -1;
        const why = e.killed ? `killed after ${opts.timeoutMs ?? 30_000} ms` : e.message;
        resolve({ code, stdout: stdout ?? '', stderr: `${stderr ?? ''}${stderr ? '\n' : ''}${why}` });
      },
    );
    running.add(child);
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Like runCommand, but throws with the command line and its stderr on a non-zero exit. */
export async function mustRun(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number; cwd?: string; input?: string } = {},
): Promise<string> {
  const r = await runCommand(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Runs a command inside a network namespace. */
export function runIn(
  ns: string,
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<CommandResult> {
  return runCommand('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

export async function mustRunIn(
  ns: string,
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<string> {
  return mustRun('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

/** Whether a command is on PATH (no shell involved). */
export function hasCommand(name: string): boolean {
  const dirs = (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':');
  for (const extra of ['/usr/sbin', '/sbin', '/usr/local/sbin']) if (!dirs.includes(extra)) dirs.push(extra);
  return dirs.some((d) => isExecutable(`${d}/${name}`));
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
