import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { transcript } from './_transcript.js';

const vector = JSON.parse(
  readFileSync(new URL('../vectors/link-handshake.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

describe('link handshake known-answer transcript (test/vectors/link-handshake.json)', () => {
  // The file was also re-derived by test/crypto/xxpsk0-independent-check.py (pyca/cryptography, no shared code).
  const got = transcript() as unknown as Record<string, unknown>;

  it('has the frame sizes of docs/protocol/link-frames.md', () => {
    expect(
      [vector.initiation, vector.response, vector.finish, vector.cookieReply].map(
        (h) => (h as string).length / 2,
      ),
    ).toEqual([88, 140, 104, 64]);
  });

  for (const key of Object.keys(vector)) {
    it(`reproduces ${key} byte for byte`, () => {
      expect(got[key]).toEqual(vector[key]);
    });
  }
});
