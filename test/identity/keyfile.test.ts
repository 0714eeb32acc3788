import {
  chmodSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyError } from '../../src/identity/errors.js';
import {
  loadSeed,
  parseSeedHex,
  readKeyFile,
  readSeedFromFd,
  SEED_ENV_VAR,
  writeKeyFile,
} from '../../src/identity/keyfile.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hypha-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyError);
    return (err as KeyError).code;
  }
  throw new Error('expected a KeyError');
};

describe('key file', () => {
  it('is written with mode 0600, exactly 32 bytes, leaving no temporary file', () => {
    const path = join(dir, 'sub', 'key.bin');
    writeKeyFile(path, seed);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(new Uint8Array(readFileSync(path))).toEqual(seed);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['key.bin']);
    expect(readKeyFile(path)).toEqual(seed);
  });

  it('is not overwritten without force', () => {
    const path = join(dir, 'key.bin');
    writeKeyFile(path, seed);
    expect(code(() => writeKeyFile(path, new Uint8Array(32)))).toBe('HYPHA_ERR_KEY_EXISTS');
    expect(readKeyFile(path)).toEqual(seed);
    writeKeyFile(path, new Uint8Array(32), { force: true });
    expect(readKeyFile(path)).toEqual(new Uint8Array(32));
  });

  it('is refused when group or others have any permission, naming the fix', () => {
    const path = join(dir, 'key.bin');
    writeKeyFile(path, seed);
    for (const mode of [0o640, 0o604, 0o610, 0o644]) {
      chmodSync(path, mode);
      expect(code(() => readKeyFile(path))).toBe('HYPHA_ERR_KEY_PERMISSIONS');
      expect(() => readKeyFile(path)).toThrow(`chmod 600 ${path}`);
    }
    chmodSync(path, 0o400);
    expect(readKeyFile(path)).toEqual(seed);
  });

  it('is refused when it is not 32 bytes, naming the fix', () => {
    const path = join(dir, 'key.bin');
    for (const size of [0, 31, 33, 64]) {
      writeFileSync(path, new Uint8Array(size), { mode: 0o600 });
      expect(code(() => readKeyFile(path))).toBe('HYPHA_ERR_KEY_SIZE');
      expect(() => readKeyFile(path)).toThrow('generate-keys');
    }
  });

  it('reports a missing file as a read error', () => {
    expect(code(() => readKeyFile(join(dir, 'nope')))).toBe('HYPHA_ERR_KEY_READ');
  });
});

describe('seed sources', () => {
  it('creates the key file on first load and reads the same seed after', () => {
    const path = join(dir, 'key.bin');
    const first = loadSeed({ keyFile: path, create: true, env: {} });
    expect(first.source).toEqual({ kind: 'file', path, created: true });
    const second = loadSeed({ keyFile: path, create: true, env: {} });
    expect(second.source).toEqual({ kind: 'file', path, created: false });
    expect(second.seed).toEqual(first.seed);
  });

  it('takes the seed from the environment before the file (stateless boot)', () => {
    const hex = Buffer.from(seed).toString('hex');
    const got = loadSeed({ keyFile: join(dir, 'absent'), create: true, env: { [SEED_ENV_VAR]: hex } });
    expect(got.seed).toEqual(seed);
    expect(got.source.kind).toBe('env');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes the seed from a file descriptor before everything else', () => {
    const path = join(dir, 'seed.hex');
    writeFileSync(path, `${Buffer.from(seed).toString('hex')}\n`);
    const fd = openSync(path, 'r');
    const got = loadSeed({
      keyFile: join(dir, 'absent'),
      create: false,
      keyFd: fd,
      env: { [SEED_ENV_VAR]: '00'.repeat(32) },
    });
    expect(got.seed).toEqual(seed);
    expect(got.source).toEqual({ kind: 'fd', fd });
    expect(() => readSeedFromFd(-1)).toThrow(RangeError);
  });

  it('rejects malformed hex with a message saying what is expected', () => {
    for (const bad of ['', 'abc', 'zz'.repeat(32), '00'.repeat(33)]) {
      expect(code(() => parseSeedHex(bad, 'test'))).toBe('HYPHA_ERR_KEY_HEX');
    }
    expect(() => parseSeedHex('00', 'environment variable X')).toThrow('64 hex characters');
  });
});
