import { spawnSync } from 'node:child_process';

/**
 * Compiles src/ to dist/ once per test run, so CLI tests exercise the shipped bin/hypha.js.
 * tsc emits even when it reports type errors; those fail the separate `npm run typecheck` step,
 * so here they are only reported.
 */
export default function setup(): void {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    encoding: 'utf8',
  });
  if (r.status !== 0)
    process.stderr.write(
      `test setup: tsc reported errors (run npm run typecheck):\n${r.stdout.slice(0, 2000)}\n`,
    );
}
