import { describe, expect, it } from 'vitest';
import { E2eAlgorithmId } from '../../src/crypto/e2e/index.js';
import { warmDataPath } from '../../src/daemon/warm-up.js';

describe('data-path warm-up', () => {
  it.each([E2eAlgorithmId.Aes256Gcm, E2eAlgorithmId.ChaCha20Poly1305])(
    'carries every segment end to end through throwaway nodes (algorithm %s)',
    (alg) => {
      const r = warmDataPath(alg, 1352, 20);
      expect(r.delivered).toBe(20 * 8);
      expect(r.ms).toBeGreaterThan(0);
    },
  );
});
