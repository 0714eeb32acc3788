import { HyphaError } from '../errors.js';

/** A key could not be read, parsed or written. `code` says which rule was broken (docs/errors.md). */
export class KeyError extends HyphaError {
  constructor(code: KeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'KeyError';
  }
}

export type KeyErrorCode =
  | 'HYPHA_ERR_KEY_PERMISSIONS'
  | 'HYPHA_ERR_KEY_SIZE'
  | 'HYPHA_ERR_KEY_EXISTS'
  | 'HYPHA_ERR_KEY_HEX'
  | 'HYPHA_ERR_KEY_READ'
  | 'HYPHA_ERR_KEY_WRITE';
