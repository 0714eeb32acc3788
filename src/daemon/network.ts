/** Reads the network secret from the config: a private network's PSK file, or the public network. */
import { readFileSync, statSync } from 'node:fs';
import {
  type NetworkKeys,
  networkKeys,
  PSK_FILE_BYTES,
  privateNetworkKey,
  publicNetworkKey,
} from '../crypto/network-key.js';
import { HyphaError } from '../errors.js';

export function loadNetworkKeys(network: { name: string; psk_file: string } | undefined): NetworkKeys {
  if (network === undefined) return networkKeys(publicNetworkKey(), true);
  let psk: Buffer;
  try {
    const mode = statSync(network.psk_file).mode;
    if (mode & 0o077) {
      throw new HyphaError(
        'HYPHA_ERR_PSK_FILE',
        `${network.psk_file} is readable by group or others (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${network.psk_file}`,
      );
    }
    psk = readFileSync(network.psk_file);
  } catch (err) {
    if (err instanceof HyphaError) throw err;
    throw new HyphaError(
      'HYPHA_ERR_PSK_FILE',
      `cannot read network.psk_file ${network.psk_file}: ${(err as Error).message}; create it with: head -c 32 /dev/urandom > ${network.psk_file} && chmod 600 ${network.psk_file}`,
    );
  }
  if (psk.length !== PSK_FILE_BYTES) {
    throw new HyphaError(
      'HYPHA_ERR_PSK_FILE',
      `${network.psk_file} holds ${psk.length} bytes; a network key is exactly ${PSK_FILE_BYTES} raw bytes (head -c 32 /dev/urandom > FILE)`,
    );
  }
  const key = privateNetworkKey(new Uint8Array(psk), network.name);
  psk.fill(0);
  return networkKeys(key);
}
