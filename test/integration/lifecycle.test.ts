/**
 * A node's life on the line A—B—C: kill -9 and restart with the same key (an end node and the
 * relay), SIGHUP re-reading the peers, SIGTERM exiting cleanly with the TUN gone, and the message
 * without a TUN device.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HYPHA_BIN, type Mesh } from '../support/mesh.js';
import { HOOK_TIMEOUT_MS, meshSupport, skipNote, startLine, waitRoute } from '../support/scenarios.js';

/**
 * Traffic must be back this soon after the restarted daemon logs "node running". Measured: ~2 s for
 * an end node; ~12 s for the relay (its neighbours first notice the dead session, then reconnect
 * with backoff). The bound leaves room for a loaded CI machine; the times are printed.
 */
const RESUME_BOUND_MS = 30_000;
/** After a SIGHUP re-adds a peer, its route must be back this soon (measured ~1-4 s). */
const RELINK_ROUTE_BOUND_MS = 30_000;

describe.skipIf(!meshSupport.ok)(`restart and signals${skipNote}`, () => {
  let mesh: Mesh | undefined;
  const m = () => mesh!;
  const report: Record<string, number> = {};

  beforeAll(async () => {
    mesh = await startLine({ tag: 'r' });
  }, HOOK_TIMEOUT_MS);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && mesh) process.stderr.write(`${mesh.dump(60)}\n`);
  });
  afterAll(async () => {
    await mesh?.destroy();
    process.stderr.write(`restart measurements: ${JSON.stringify(report)}\n`);
  }, 60_000);

  it('kill -9 an end node and start it again with the same key: traffic resumes', async () => {
    const c = m().node('c');
    await m().waitPing('a', c.address, { timeoutMs: 15_000 });
    const killed = await m().kill('c');
    expect(killed.signal).toBe('SIGKILL');
    // The kernel removed its TUN with the process.
    expect(await m().hasInterface('c', 'hypha0')).toBe(false);
    await m().start('c');
    expect(m().messages('c', 'node running').at(-1)?.address).toBe(c.address);
    const t0 = Date.now();
    const waited = await m().waitPing('a', c.address, {
      timeoutMs: RESUME_BOUND_MS,
      what: 'A→C after restarting C',
    });
    report.endNodeResumeMs = Date.now() - t0;
    expect(waited).toBeLessThan(RESUME_BOUND_MS);
    const r = await m().ping('a', c.address, { count: 5, intervalS: 0.1 });
    expect(r.received, r.output).toBe(5);
  }, 90_000);

  it('kill -9 the relay and start it again: its inbound peers come back and traffic resumes', async () => {
    await m().kill('b');
    await m().start('b');
    const t0 = Date.now();
    await m().waitPing('a', m().node('c').address, {
      timeoutMs: RESUME_BOUND_MS,
      what: 'A→C after restarting B',
    });
    report.relayResumeMs = Date.now() - t0;
    const r = await m().ping('c', m().node('a').address, { count: 5, intervalS: 0.1 });
    expect(r.received, r.output).toBe(5);
  }, 90_000);

  it('SIGHUP makes a node re-read its peers', async () => {
    // Drop B from C's peers and reload: the link goes down. Put it back (over IPv4 this time) and
    // reload: the link and the route come back.
    const since = m().cursor('c');
    m().configure('c', { peers: [] });
    m().hup('c');
    await m().waitLog('c', (j) => j.msg === 'peer down', {
      since,
      timeoutMs: 15_000,
      what: 'c to drop b after SIGHUP',
      failOnExit: true,
    });
    const since2 = m().cursor('c');
    m().configure('c', { peers: [{ host: 'b', family: 'v4' }] });
    m().hup('c');
    await m().waitLog('c', (j) => j.msg === 'peer up' && j.publicKey === m().node('b').publicKey, {
      since: since2,
      timeoutMs: 15_000,
      what: 'c to link to b again after the second SIGHUP',
      failOnExit: true,
    });
    const relinked = Date.now();
    await waitRoute(m(), 'c', 'a', { since: since2, timeoutMs: RELINK_ROUTE_BOUND_MS });
    report.sighupRelinkRouteMs = Date.now() - relinked;
    await m().waitPing('c', m().node('a').address, { timeoutMs: 15_000 });
    expect(m().isRunning('c')).toBe(true);
  }, 90_000);

  it('SIGTERM: exits 0 within 2 s and the TUN is gone', async () => {
    for (const name of ['a', 'b', 'c']) {
      const exit = await m().stop(name, { timeoutMs: 5_000 });
      expect(exit.code, `${name}: ${JSON.stringify(exit)}`).toBe(0);
      expect(exit.ms).toBeLessThan(2_000);
      report[`sigterm.${name}.ms`] = exit.ms;
      expect(await m().hasInterface(name, 'hypha0')).toBe(false);
    }
  }, 60_000);

  it('without /dev/net/tun it exits non-zero with a message saying so', async () => {
    // A private mount namespace where /dev/net is empty: only this process sees the change.
    const n = m().node('a');
    const r = await m().execIn(
      'a',
      'unshare',
      [
        '-m',
        'sh',
        '-c',
        `mount -t tmpfs none /dev/net && exec "$0" "$@"`,
        process.execPath,
        HYPHA_BIN,
        'run',
        '--config',
        n.configFile,
      ],
      20_000,
    );
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/\/dev\/net\/tun|TUN/i);
  }, 30_000);
});
