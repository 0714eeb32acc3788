/**
 * The native AEAD addon (native/src/aead.c), or undefined when it is not built: src/crypto/aead.ts
 * then uses node:crypto. HYPHA_AEAD=node-crypto forces that too (to compare the two).
 */
import { createRequire } from 'node:module';
import { findAddon } from '../util/native-addon.js';

declare const contextBrand: unique symbol;
/** One OpenSSL cipher context with its key set, for sealing or for opening. */
export type AeadContext = { readonly [contextBrand]: true };

interface AeadAddon {
  create(algorithm: 0 | 1, key: Uint8Array, forSealing: boolean): AeadContext;
  seal(
    ctx: AeadContext,
    counterHigh: number,
    counterLow: number,
    ad: Uint8Array,
    plaintext: Uint8Array,
    out: Uint8Array,
    outOffset: number,
  ): number;
  open(
    ctx: AeadContext,
    counterHigh: number,
    counterLow: number,
    ad: Uint8Array,
    sealed: Uint8Array,
    out: Uint8Array,
    outOffset: number,
  ): number;
}

export interface NativeAead {
  create(algorithm: 'aes-256-gcm' | 'chacha20-poly1305', key: Uint8Array, forSealing: boolean): AeadContext;
  seal: AeadAddon['seal'];
  open: AeadAddon['open'];
}

function load(): NativeAead | undefined {
  if (process.env.HYPHA_AEAD === 'node-crypto') return undefined;
  const file = findAddon('hypha_aead');
  if (file === undefined) return undefined;
  const addon = createRequire(import.meta.url)(file) as AeadAddon;
  return {
    create: (algorithm, key, forSealing) =>
      addon.create(algorithm === 'aes-256-gcm' ? 0 : 1, key, forSealing),
    seal: addon.seal,
    open: addon.open,
  };
}

export const nativeAead: NativeAead | undefined = load();
