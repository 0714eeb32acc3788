/**
 * Which AEAD a node seals with. The sender chooses from its own CPU and names the choice in bit 31
 * of every key id; the key schedule mixes the same algorithm byte in, so flipping the bit yields a
 * key id nobody derived. Every receiver opens both, so no negotiation and no round trip is needed.
 */
import { E2eAlgorithmId } from './constants.js';

/**
 * Returns true when a /proc/cpuinfo text lists the `aes` flag (x86 AES-NI) or the `aes` feature
 * (arm64 "Features" line). The daemon reads the file; this stays pure so it can be tested.
 */
export function cpuInfoHasAes(cpuinfo: string): boolean {
  for (const line of cpuinfo.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'flags' && name !== 'features') continue;
    if (
      line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .includes('aes')
    )
      return true;
  }
  return false;
}

/** Returns AES-256-GCM when the CPU has AES instructions, else ChaCha20-Poly1305. */
export function chooseE2eAlgorithm(hasAesInstructions: boolean): E2eAlgorithmId {
  return hasAesInstructions ? E2eAlgorithmId.Aes256Gcm : E2eAlgorithmId.ChaCha20Poly1305;
}
