import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { hasCommand } from './exec.js';

const POLICY_RC = '/usr/sbin/policy-rc.d';
/** Services the packages ship that must not run on the host (yggdrasil would start multicast peering). */
const SERVICES = ['yggdrasil', 'nebula', 'tinc', 'fastd'];

/**
 * apt-get installs the tools and the overlay packages. Service starts are blocked during the install
 * with a policy-rc.d that exits 101 (only if none exists), and the units are disabled and stopped after.
 */
export function installDeps(packages: readonly string[], log: (line: string) => void): number {
  let madePolicy = false;
  if (!existsSync(POLICY_RC)) {
    writeFileSync(
      POLICY_RC,
      '#!/bin/sh\n# bench/compare: no service starts during package installs\nexit 101\n',
    );
    chmodSync(POLICY_RC, 0o755);
    madePolicy = true;
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    log('apt-get update');
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    log(`apt-get install ${packages.join(' ')}`);
    const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env,
    });
    if (r.status !== 0) {
      log(`apt-get install failed (exit ${r.status})`);
      return 1;
    }
  } finally {
    if (madePolicy) rmSync(POLICY_RC, { force: true });
  }
  if (hasCommand('systemctl')) {
    for (const unit of SERVICES)
      spawnSync('systemctl', ['disable', '--now', unit], { stdio: 'ignore', timeout: 30_000 });
    log(`disabled and stopped the services ${SERVICES.join(', ')} (if present)`);
  }
  return 0;
}
