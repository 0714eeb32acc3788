import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTokenFile } from '../../src/api/token.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hypha-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readTokenFile', () => {
  it('returns the token without surrounding whitespace', () => {
    writeFileSync(join(dir, 't'), '  s3cret\n');
    expect(readTokenFile(join(dir, 't'))).toBe('s3cret');
  });

  it('refuses a missing, empty or multi-word file with HYPHA_ERR_API_TOKEN naming the file', () => {
    expect(() => readTokenFile(join(dir, 'absent'))).toThrow(
      expect.objectContaining({ code: 'HYPHA_ERR_API_TOKEN' }),
    );
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => readTokenFile(join(dir, 'empty'))).toThrow(/empty/);
    writeFileSync(join(dir, 'two'), 'a b\n');
    expect(() => readTokenFile(join(dir, 'two'))).toThrow(/whitespace/);
  });
});
