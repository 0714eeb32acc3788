import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KeyError } from './errors.js';
import { generateSeed, SEED_BYTES } from './keys.js';

/** Environment variable that carries the seed as hex, for nodes that keep no disk state. */
export const SEED_ENV_VAR = 'HYPHA_KEY_SEED';

/** Where a seed came from, for logs and `hypha inspect`. */
export type SeedSource =
  | { kind: 'file'; path: string; created: boolean }
  | { kind: 'env'; name: string }
  | { kind: 'fd'; fd: number };

/** Parses a 32-byte seed written as 64 hex characters (surrounding white space allowed). */
export function parseSeedHex(text: string, where: string): Uint8Array {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new KeyError(
      'HYPHA_ERR_KEY_HEX',
      `${where} must hold a ${SEED_BYTES}-byte seed as 64 hex characters, got ${hex.length} characters` +
        `${/^[0-9a-fA-F]*$/.test(hex) ? '' : ' with non-hex characters'}. ` +
        'Print one from a key file with: xxd -p -c 64 KEYFILE',
    );
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * Reads a key file: exactly 32 raw bytes, readable by its owner only. Refuses a file with group or
 * other permission bits, or of the wrong size, with a message that says how to fix it.
 */
export function readKeyFile(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new KeyError('HYPHA_ERR_KEY_READ', `cannot open key file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new KeyError('HYPHA_ERR_KEY_READ', `key file ${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new KeyError(
        'HYPHA_ERR_KEY_PERMISSIONS',
        `key file ${path} has mode ${mode}: group or others may read the node's secret. ` +
          `Restrict it with: chmod 600 ${path} (and, if it leaked, generate a new key)`,
      );
    }
    if (st.size !== SEED_BYTES) {
      throw new KeyError(
        'HYPHA_ERR_KEY_SIZE',
        `key file ${path} is ${st.size} bytes; a hypha key file holds exactly ${SEED_BYTES} raw bytes (an Ed25519 seed). ` +
          `Point key_file at the right file, or create a new identity with: hypha generate-keys --key-file ${path} --force`,
      );
    }
    return new Uint8Array(readFileSync(fd));
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a seed to `path` atomically with mode 0600: a temporary file in the same directory is
 * written, synced and renamed over the target, so a crash leaves either no key or a whole key.
 */
export function writeKeyFile(path: string, seed: Uint8Array, options: { force?: boolean } = {}): void {
  if (seed.length !== SEED_BYTES)
    throw new RangeError(`seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new KeyError(
      'HYPHA_ERR_KEY_WRITE',
      `cannot create directory ${dir} for the key file: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (!options.force && existsSync(path)) {
    throw new KeyError(
      'HYPHA_ERR_KEY_EXISTS',
      `key file ${path} already exists; overwriting it would change this node's identity and address. ` +
        'Pass --force to replace it, or choose another path with --key-file',
    );
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeSync(fd, seed);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file may not exist; nothing to clean
    }
    throw new KeyError('HYPHA_ERR_KEY_WRITE', `cannot write key file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Reads a hex seed from an inherited file descriptor (stateless boot); the descriptor is closed after. */
export function readSeedFromFd(fd: number): Uint8Array {
  if (!Number.isInteger(fd) || fd < 0)
    throw new RangeError(`file descriptor must be a non-negative integer, got ${fd}`);
  let text: string;
  try {
    text = readFileSync(fd, 'utf8');
  } catch (err) {
    throw new KeyError(
      'HYPHA_ERR_KEY_READ',
      `cannot read the seed from file descriptor ${fd}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  try {
    closeSync(fd);
  } catch {
    // already closed by the reader: fine
  }
  return parseSeedHex(text, `file descriptor ${fd}`);
}

export interface SeedOptions {
  /** Key file path; created when missing if `create` is set. */
  readonly keyFile: string;
  readonly create: boolean;
  /** Inherited file descriptor carrying the seed as hex; wins over everything else. */
  readonly keyFd?: number;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Loads the node's seed. Order: a file descriptor, then the HYPHA_KEY_SEED environment variable,
 * then the key file (generated when missing and `create` is set).
 */
export function loadSeed(options: SeedOptions): { seed: Uint8Array; source: SeedSource } {
  if (options.keyFd !== undefined)
    return { seed: readSeedFromFd(options.keyFd), source: { kind: 'fd', fd: options.keyFd } };
  const fromEnv = options.env[SEED_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '') {
    return {
      seed: parseSeedHex(fromEnv, `environment variable ${SEED_ENV_VAR}`),
      source: { kind: 'env', name: SEED_ENV_VAR },
    };
  }
  if (options.create && !existsSync(options.keyFile)) {
    const seed = generateSeed((n) => new Uint8Array(randomBytes(n)));
    writeKeyFile(options.keyFile, seed);
    return { seed, source: { kind: 'file', path: options.keyFile, created: true } };
  }
  return {
    seed: readKeyFile(options.keyFile),
    source: { kind: 'file', path: options.keyFile, created: false },
  };
}
