/**
 * `sudo npm run bench:compare -- [options] [impl...]`: hypha side by side with established overlays,
 * each in network namespaces on this machine. See bench/compare/README.md.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { MeshLock } from '../../test/support/mesh.js';
import { type CliOptions, parseArgs, type Scenario, selectScenarios, USAGE, UsageError } from './args.js';
import { hasCommand, killRunningCommands } from './exec.js';
import { hostInfo } from './host-info.js';
import { REPO_ROOT } from './impls/hypha.js';
import { findImplementation, IMPLEMENTATIONS } from './impls/index.js';
import { installDeps } from './install-deps.js';
import { NamespaceSet } from './netns.js';
import { ProcessRegistry } from './process-registry.js';
import { Progress } from './progress.js';
import { renderHtml } from './report-html.js';
import { describeOptions, renderMarkdownTable, renderRelayNotes } from './report-markdown.js';
import {
  groupByRun,
  type RunOptionsRecord,
  type RunRecord,
  type SummaryRecord,
  summarize,
} from './results.js';
import { errorText, runScenario } from './runner.js';

const BASE_PACKAGES = ['iperf3', 'jq', 'iputils-ping', 'iproute2', 'util-linux'];

function listImplementations(): void {
  for (const impl of IMPLEMENTATIONS) {
    const missing = impl.requiredCommands.filter((c) => !hasCommand(c));
    const state = missing.length ? `missing ${missing.join(', ')}` : 'ready';
    process.stdout.write(`${impl.name.padEnd(14)} ${state.padEnd(26)} ${impl.description}\n`);
    if (impl.relays)
      process.stdout.write(
        `${`${impl.name}-relay`.padEnd(14)} ${state.padEnd(26)} A—B—C, A and C peered only with B\n`,
      );
  }
  const tools = ['iperf3', 'ping', 'ss', 'ip', 'taskset'].filter((c) => !hasCommand(c));
  if (tools.length) process.stdout.write(`missing tools: ${tools.join(', ')} (try --install-deps)\n`);
}

function defaultResultsFile(): string {
  return join(REPO_ROOT, 'bench', 'results', `compare-${new Date().toISOString().slice(0, 10)}.jsonl`);
}

/** Whether a file in native/src is newer than one of the built addons (or none is built). */
function nativeAddonsStale(): boolean {
  const built = join(REPO_ROOT, 'native', 'build', 'Release');
  const addons = existsSync(built) ? readdirSync(built).filter((f) => f.endsWith('.node')) : [];
  if (!addons.length) return true;
  const oldestAddon = Math.min(...addons.map((f) => statSync(join(built, f)).mtimeMs));
  const sources = join(REPO_ROOT, 'native', 'src');
  return readdirSync(sources).some((f) => statSync(join(sources, f)).mtimeMs > oldestAddon);
}

/**
 * hypha runs from dist/ and its native addons: build them so the numbers are this checkout's.
 * A failed build that leaves a dist/ behind is a warning (the daemon may still start).
 */
function buildHypha(progress: Progress): string | undefined {
  if (nativeAddonsStale()) {
    progress.update('npm run build:native (hypha addons are older than native/src)');
    const r = spawnSync('npm', ['run', 'build:native'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (r.status !== 0) progress.note(`warning: npm run build:native exited ${r.status}`);
  }
  progress.update('npm run build (hypha)');
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
  const distOk = existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'));
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' / ');
    if (!distOk) return `npm run build failed and there is no dist/: ${tail}`;
    progress.note(
      `warning: npm run build exited ${r.status} (${tail}); starting hypha from the dist/ that is there`,
    );
  }
  return distOk ? undefined : 'dist/src/cli/main.js is missing after npm run build';
}

/** "; load average 0.4–2.1" over the implementations' starts (other work on the machine skews the numbers). */
function loadText(runs: readonly RunRecord[]): string {
  const loads = runs.map((r) => r.load_avg_1m).filter((l) => typeof l === 'number');
  if (!loads.length) return '';
  return `; 1-min load average at each start ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`;
}

/** Re-reads the whole results file and writes the .md and .html reports of every run in it. */
function writeReports(resultsFile: string): { md: string; html: string } {
  const base = resultsFile.replace(/\.jsonl$/, '');
  const groups = groupByRun(readFileSync(resultsFile, 'utf8'));
  const md: string[] = ['# bench/compare results', ''];
  for (const g of groups) {
    const rows = g.summary?.rows ?? summarize(g.runs);
    const options = g.summary?.options ?? g.runs[0]?.options;
    const host = g.summary?.host ?? g.runs[0]?.host;
    if (!options) continue;
    md.push(`## Run ${g.runId}`, '');
    md.push(
      `${describeOptions(options)}${host ? `; kernel ${host.kernel}, ${host.cores} cores (${host.cpu_model})` : ''}${loadText(g.runs)}`,
      '',
    );
    md.push(renderMarkdownTable(rows, options));
    const notes = renderRelayNotes(rows);
    if (notes) md.push(notes);
  }
  const files = { md: `${base}.md`, html: `${base}.html` };
  writeFileSync(files.md, md.join('\n'));
  writeFileSync(files.html, renderHtml(groups));
  return files;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions;
  let scenarios: Scenario[];
  try {
    options = parseArgs(argv);
    scenarios = selectScenarios(options.names, IMPLEMENTATIONS, options.relay);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bench/compare: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.list) {
    listImplementations();
    return 0;
  }
  if (options.reportOnly) {
    const file = resolve(options.output ?? defaultResultsFile());
    if (!existsSync(file)) {
      process.stderr.write(`bench/compare: no results file ${file}\n`);
      return 1;
    }
    const files = writeReports(file);
    process.stdout.write(`reports: ${files.md}, ${files.html}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      'bench/compare needs root: it creates network namespaces, veth pairs and TUN devices and runs the daemons in them' +
        `${options.installDeps ? ', and --install-deps runs apt-get' : ''}. Run it as root: sudo npm run bench:compare\n`,
    );
    return 1;
  }
  const progress = new Progress();
  if (options.installDeps) {
    const packages = [...new Set([...BASE_PACKAGES, ...IMPLEMENTATIONS.flatMap((i) => i.debianPackages)])];
    return installDeps(packages, (l) => progress.note(l));
  }
  if (!existsSync('/dev/net/tun')) {
    process.stderr.write('bench/compare: /dev/net/tun is missing (load the tun module)\n');
    return 1;
  }

  const runId = `${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}-${process.pid}`;
  const runTag = String(process.pid % 100000);
  const resultsFile = resolve(options.output ?? defaultResultsFile());
  mkdirSync(dirname(resultsFile), { recursive: true });
  const workdir = mkdtempSync(join(tmpdir(), `hypha-bench-${process.pid}-`));
  const registry = new ProcessRegistry();
  const namespaces = new NamespaceSet(`hbc${process.pid}`);
  const host = hostInfo();
  const runOptions: RunOptionsRecord = {
    seconds: options.seconds,
    streams: options.streams,
    reps: options.reps,
    mtu: options.mtu,
    pin: options.pin,
  };

  // The namespace integration tests take this lock so their meshes do not share the 2 CPUs; taking it
  // too keeps them from running during the measurements (other load still can: see load_avg_1m).
  progress.update('waiting for the mesh lock (namespace tests running?)');
  const lock = await MeshLock.acquire(15 * 60_000).catch((e: unknown) => {
    progress.note(`warning: running without the mesh lock: ${errorText(e)}`);
    return undefined;
  });
  let cleanedUp = false;
  const cleanupSync = () => {
    if (cleanedUp) return;
    cleanedUp = true;
    killRunningCommands();
    lock?.release();
    registry.killAllSync();
    namespaces.deleteAllSync();
    if (!options.keep) rmSync(workdir, { recursive: true, force: true });
  };
  const cleanup = async () => {
    if (cleanedUp) return;
    killRunningCommands();
    await registry.killAll();
    await namespaces.deleteAll();
    cleanupSync();
  };
  process.once('exit', cleanupSync);
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = sig;
    progress.note(`${sig}: stopping the daemons, deleting the namespaces`);
    void cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    progress.note(
      `run ${runId}: ${scenarios.map((s) => s.name).join(', ')}; ${describeOptions(runOptions)}; work dir ${workdir}`,
    );
    let hyphaProblem: string | undefined;
    if (scenarios.some((s) => s.impl === 'hypha')) {
      hyphaProblem = options.build
        ? buildHypha(progress)
        : existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))
          ? undefined
          : 'dist/ is missing (run npm run build, or drop --no-build)';
    }
    const records: RunRecord[] = [];
    const env = {
      registry,
      namespaces,
      progress,
      workdir,
      runId,
      runTag,
      host,
      options: runOptions,
      readyTimeoutS: options.readyTimeoutS,
    };
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const scenario of scenarios) {
        if (interrupted) break;
        const impl = findImplementation(scenario.impl)!;
        let record: RunRecord;
        if (scenario.impl === 'hypha' && hyphaProblem) {
          record = await runScenario(
            scenario,
            { ...impl, start: () => Promise.reject(new Error(hyphaProblem)) },
            rep,
            env,
          );
        } else record = await runScenario(scenario, impl, rep, env);
        records.push(record);
        appendFileSync(resultsFile, `${JSON.stringify(record)}\n`);
        progress.note(
          `${scenario.name} rep ${rep}: ${record.status}${record.reason ? ` (${record.reason})` : ''}` +
            (record.tcp1_fwd_gbps !== undefined
              ? ` fwd ${record.tcp1_fwd_gbps} Gbit/s, rev ${record.tcp1_rev_gbps ?? '-'}, rtt ${record.rtt_avg_ms ?? '-'} ms`
              : ''),
        );
      }
    }
    if (interrupted) return 130;
    const rows = summarize(records);
    const summary: SummaryRecord = {
      kind: 'summary',
      run_id: runId,
      finished_at: new Date().toISOString(),
      host,
      options: runOptions,
      rows,
    };
    appendFileSync(resultsFile, `${JSON.stringify(summary)}\n`);
    const files = writeReports(resultsFile);
    progress.done();
    process.stdout.write(
      `\n${describeOptions(runOptions)}; kernel ${host.kernel}, ${host.cores} cores${loadText(records)}\n\n`,
    );
    process.stdout.write(renderMarkdownTable(rows, runOptions));
    const notes = renderRelayNotes(rows);
    if (notes) process.stdout.write(`\n${notes}`);
    process.stdout.write(`\nresults: ${resultsFile}\nreports: ${files.md}, ${files.html}\n`);
    if (options.keep) process.stdout.write(`work dir kept: ${workdir}\n`);
    return rows.some((r) => r.status === 'ok') ? 0 : 1;
  } catch (err) {
    progress.note(`error: ${errorText(err)}`);
    return 1;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main(process.argv.slice(2));
