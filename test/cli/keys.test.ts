import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { isOverlayAddress, parseIPv6 } from '../../src/identity/address.js';
import vectors from '../vectors/identity.json' with { type: 'json' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hypha-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: { HOME: dir, ...env },
  });
  return { code, out, err };
}

describe('hypha generate-keys / inspect', () => {
  it('generates a key and inspect --json prints the documented shape with an address in 400::/7', async () => {
    const keyFile = join(dir, 'k', 'key.bin');
    const gen = await run(['generate-keys', '--key-file', keyFile, '--json']);
    expect(gen.code).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const ins = await run(['inspect', '--key-file', keyFile, '--json']);
    expect(ins.code).toBe(0);
    const facts = JSON.parse(ins.out) as Record<string, string>;
    expect(Object.keys(facts)).toEqual(['publicKey', 'x25519PublicKey', 'address', 'subnet']);
    expect(facts.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(facts.x25519PublicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(isOverlayAddress(parseIPv6(facts.address!)!)).toBe(true);
    expect(facts.subnet).toMatch(/::\/64$/);
    expect(JSON.parse(gen.out)).toEqual(facts);
  });

  it('refuses to overwrite a key without --force (exit 1) and replaces it with --force', async () => {
    const keyFile = join(dir, 'key.bin');
    expect((await run(['generate-keys', '-k', keyFile])).code).toBe(0);
    const again = await run(['generate-keys', '-k', keyFile]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('--force');
    expect((await run(['generate-keys', '-k', keyFile, '--force'])).code).toBe(0);
  });

  it('inspects a public key given as hex, and the seed from HYPHA_KEY_SEED', async () => {
    const v = vectors.vectors[0]!;
    const byKey = await run(['inspect', v.publicKey, '--json']);
    expect(JSON.parse(byKey.out)).toEqual({
      publicKey: v.publicKey,
      x25519PublicKey: v.x25519PublicKey,
      address: v.address,
      subnet: v.subnet,
    });
    const byEnv = await run(['inspect', '--json'], { HYPHA_KEY_SEED: v.seed });
    expect(JSON.parse(byEnv.out).address).toBe(v.address);
    const human = await run(['inspect', v.publicKey]);
    expect(human.out).toContain(`address      ${v.address}`);
  });

  it('exits 2 with a clear message on usage errors and 1 on a bad key file', async () => {
    const badHex = await run(['inspect', 'xyz']);
    expect(badHex.code).toBe(2);
    expect(badHex.err).toContain('64 hex characters');
    expect((await run(['no-such-command'])).code).toBe(2);
    const missing = await run(['inspect', '-k', join(dir, 'absent.bin')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('absent.bin');
  });

  it('answers --help on every level with exit 0', async () => {
    for (const args of [
      ['--help'],
      ['generate-keys', '--help'],
      ['inspect', '--help'],
      ['help', 'inspect'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.out).toContain('Usage: hypha');
    }
  });

  it('runs as the installed bin/hypha.js', () => {
    const r = spawnSync(
      process.execPath,
      ['bin/hypha.js', 'inspect', vectors.vectors[1]!.publicKey, '--json'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).address).toBe(vectors.vectors[1]!.address);
  });
});
