import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const UNIT = resolve('systemd/hypha.service');
const INSTALLED_BINARY = '/usr/local/bin/hypha';
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'hypha-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The unit as installed, but with ExecStart at this checkout's binary (verify checks it exists). */
function unitCopy(): string {
  const text = readFileSync(UNIT, 'utf8');
  expect(text).toContain(`ExecStart=${INSTALLED_BINARY} run --config /etc/hypha/hypha.toml`);
  const path = join(dir, 'hypha.service');
  writeFileSync(path, text.replaceAll(INSTALLED_BINARY, resolve('bin/hypha.js')));
  return path;
}

// Without systemd-analyze (apt install systemd) these are skipped; .ci/run installs it.
describe.skipIf(!hasAnalyze)('systemd/hypha.service', () => {
  it('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', unitCopy()], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('has an exposure level of at most 2.5 in systemd-analyze security', () => {
    const out = execFileSync('systemd-analyze', ['security', '--offline=true', unitCopy()], {
      encoding: 'utf8',
    });
    const m = /Overall exposure level for hypha\.service: ([\d.]+)/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.5);
  });

  it('grants only CAP_NET_ADMIN', () => {
    const text = readFileSync(UNIT, 'utf8');
    expect(text).toMatch(/^CapabilityBoundingSet=CAP_NET_ADMIN$/m);
    expect(text).toMatch(/^AmbientCapabilities=CAP_NET_ADMIN$/m);
  });
});
