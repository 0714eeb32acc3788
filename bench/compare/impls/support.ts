import { existsSync } from 'node:fs';
import { mustRun, runCommand, runIn } from '../exec.js';
import { waitUntil } from '../wait.js';

/** Waits (bounded) until something listens on `port` inside the namespace. */
export async function waitListening(
  ns: string,
  port: number,
  proto: 'tcp' | 'udp',
  timeoutMs = 10_000,
): Promise<void> {
  const flag = proto === 'tcp' ? '-Htln' : '-Huln';
  await waitUntil(
    async () =>
      (await runIn(ns, 'ss', [flag, `sport = :${port}`], { timeoutMs: 3_000 })).stdout.trim() !== '',
    { timeoutMs, intervalMs: 100, what: `a ${proto} listener on port ${port} in ${ns}` },
  );
}

export async function waitInterface(ns: string, dev: string, timeoutMs = 10_000): Promise<void> {
  await waitUntil(
    async () =>
      (await runCommand('ip', ['-n', ns, 'link', 'show', 'dev', dev], { timeoutMs: 3_000 })).code === 0,
    { timeoutMs, intervalMs: 100, what: `interface ${dev} in ${ns}` },
  );
}

export async function waitFile(path: string, timeoutMs = 10_000): Promise<void> {
  await waitUntil(() => existsSync(path), { timeoutMs, intervalMs: 100, what: path });
}

export async function setInterfaceMtu(ns: string, dev: string, mtu: number): Promise<void> {
  await mustRun('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'mtu', String(mtu)]);
}

/** Package version from dpkg, or 'unknown'. */
export async function debianVersion(pkg: string): Promise<string> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const r = await runCommand('dpkg-query', ['-W', '-f=${Version}', pkg], { timeoutMs: 5_000 });
  return r.code === 0 && r.stdout.trim() ? `${pkg} ${r.stdout.trim()}` : `${pkg} unknown`;
}

/** The side's IPv4 overlay address in an implementation's own /24 (198.18.N.0/24, the benchmark range). */
export function overlayV4(net: number, sideIndex: number): string {
  return `198.18.${net}.${sideIndex + 1}`;
}
