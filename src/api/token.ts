import { readFileSync } from 'node:fs';
import { HyphaError } from '../errors.js';

/**
 * Returns the bearer token in `file` (api_token_file) with surrounding whitespace trimmed. The daemon
 * and the CLI both read it this way. Throws HyphaError HYPHA_ERR_API_TOKEN when the file cannot be
 * read, is empty, or contains whitespace inside the token.
 */
export function readTokenFile(file: string): string {
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new HyphaError(
      'HYPHA_ERR_API_TOKEN',
      `cannot read the API token file ${file}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (token === '') throw new HyphaError('HYPHA_ERR_API_TOKEN', `the API token file ${file} is empty`);
  if (/\s/.test(token))
    throw new HyphaError('HYPHA_ERR_API_TOKEN', `the API token in ${file} contains whitespace; use one line`);
  return token;
}
