import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBuildTestbed, Testbed } from '../../src/testbed/netns.js';

const can = canBuildTestbed();
const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

describe.skipIf(!can.ok)(`network-namespace test bed${can.ok ? '' : ` (skipped: ${can.why})`}`, () => {
  let bed: Testbed;
  beforeAll(async () => {
    bed = new Testbed({ tag: 't' });
  });
  afterAll(async () => {
    await bed.destroy();
  });

  it('builds hosts joined by veth with both underlay families, runs and kills processes, and cleans up', async () => {
    await bed.addHost('a');
    await bed.addHost('b');
    const link = await bed.link('a', 'b');
    expect(link.a.v4).toMatch(/^198\.18\./);
    expect(link.b.v6).toMatch(/^fd00:198:18:/);
    await bed.exec('a', 'ping', ['-c', '1', '-W', '2', link.b.v4]);
    await bed.exec('a', 'ping', ['-6', '-c', '1', '-W', '2', link.b.v6]);
    const sleeper = bed.spawn('b', 'sleep', ['60']);
    await bed.setLink(link, false);
    await expect(bed.exec('a', 'ping', ['-c', '1', '-W', '1', link.b.v4])).rejects.toThrow();
    expect(namespaces()).toContain(bed.ns('a'));
    await bed.destroy();
    expect(namespaces()).not.toContain(bed.id);
    expect(sleeper.exitCode !== null || sleeper.signalCode !== null).toBe(true);
  });
});
