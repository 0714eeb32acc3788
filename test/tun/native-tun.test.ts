// NativeTun's failure paths that need no interface: a missing or broken addon, bad arguments, a
// missing clone device. Nothing here creates an interface (open fails before TUNSETIFF).

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HyphaError } from '../../src/errors.js';
import { configureTun } from '../../src/tun/configure.js';
import { TunError } from '../../src/tun/errors.js';
import { loadTunAddon, openTun } from '../../src/tun/native-tun.js';

const ADDON = fileURLToPath(new URL('../../native/build/Release/hypha_tun.node', import.meta.url));
const built = existsSync(ADDON) && process.platform === 'linux';
const tmp = mkdtempSync(join(tmpdir(), 'hypha-tun-test-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('loadTunAddon', () => {
  it('says the addon is not built and how to build it', () => {
    const err = thrown(() => loadTunAddon(join(tmp, 'missing.node'))) as TunError;
    expect(err).toBeInstanceOf(TunError);
    expect(err).toBeInstanceOf(HyphaError);
    expect(err.code).toBe('HYPHA_ERR_TUN_OPEN');
    expect(err.message).toMatch(/not built .*npm run build:native/);
  });

  it('says a broken addon failed to load, keeping the cause', () => {
    const bogus = join(tmp, 'bogus.node');
    writeFileSync(bogus, 'not an ELF file');
    const err = thrown(() => loadTunAddon(bogus)) as TunError;
    expect(err.code).toBe('HYPHA_ERR_TUN_OPEN');
    expect(err.message).toMatch(/failed to load; rebuild it with: npm run build:native/);
    expect(err.cause).toBeInstanceOf(Error);
  });
});

describe('argument checks before anything is opened', () => {
  it('rejects bad names and layouts with RangeError', () => {
    expect(() => openTun({ name: 'much-too-long-name0' })).toThrow(RangeError);
    expect(() => openTun({ name: '' })).toThrow(RangeError);
    expect(() => openTun({ name: 'hy0', batchMax: 0, addonPath: join(tmp, 'missing.node') })).toThrow(
      RangeError,
    );
  });

  it('rejects a bad address or MTU in configureTun', () => {
    expect(() => configureTun({ name: 'hy0', mtu: 1400, address: new Uint8Array(15) })).toThrow(RangeError);
    expect(() => configureTun({ name: 'hy0', mtu: 1000, address: new Uint8Array(16) })).toThrow(
      /at least 1280/,
    );
    expect(() => configureTun({ name: 'hy0', mtu: 1400, address: [] as unknown as Uint8Array })).toThrow(
      TypeError,
    );
  });
});

describe.skipIf(!built)(`openTun with the built addon${built ? '' : ' (skipped: addon not built)'}`, () => {
  it('says the clone device is missing and to load the tun module', () => {
    const err = thrown(() => openTun({ name: 'hytest0', devicePath: join(tmp, 'no-such-tun') })) as TunError;
    expect(err).toBeInstanceOf(TunError);
    expect(err.code).toBe('HYPHA_ERR_TUN_OPEN');
    expect(err.errno).toBe(2);
    expect(err.syscall).toBe('open');
    expect(err.message).toMatch(/not found: load the tun module/);
  });

  it('refuses flags outside IFF_VNET_HDR and IFF_MULTI_QUEUE', () => {
    const addon = loadTunAddon();
    expect(() => addon.open('hytest0', 0x1, join(tmp, 'no-such-tun'))).toThrow(RangeError);
  });
});
