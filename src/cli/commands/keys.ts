import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { formatIPv6 } from '../../identity/address.js';
import { KeyError } from '../../identity/errors.js';
import { loadSeed, SEED_ENV_VAR, writeKeyFile } from '../../identity/keyfile.js';
import {
  generateSeed,
  identityFromSeed,
  type PublicIdentity,
  publicIdentityFromEd25519,
} from '../../identity/keys.js';
import { toHex } from '../../util/bytes.js';
import { loadCliConfig } from '../config-file.js';
import { type CliIo, ExitCode } from '../io.js';

/** The JSON shape of `hypha inspect --json`. */
export interface InspectJson {
  publicKey: string;
  x25519PublicKey: string;
  address: string;
  subnet: string;
}

/** Returns the printable facts of a public identity. */
export function describeIdentity(id: PublicIdentity): InspectJson {
  return {
    publicKey: toHex(id.publicKey),
    x25519PublicKey: toHex(id.x25519PublicKey),
    address: formatIPv6(id.address),
    subnet: `${formatIPv6(id.subnet)}/64`,
  };
}

function printIdentity(io: CliIo, facts: InspectJson, json: boolean): void {
  if (json) {
    io.stdout(`${JSON.stringify(facts)}\n`);
    return;
  }
  io.stdout(
    `public key   ${facts.publicKey}\n` +
      `x25519 key   ${facts.x25519PublicKey}\n` +
      `address      ${facts.address}\n` +
      `subnet       ${facts.subnet}\n`,
  );
}

/** Registers `generate-keys` and `inspect`. `setExit` records the command's exit code. */
export function registerKeyCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('generate-keys')
    .description('create a new node identity (a 32-byte Ed25519 seed) in a key file, mode 0600')
    .option('-k, --key-file <path>', 'where to write the key (default: key_file from the configuration)')
    .option('-c, --config <file>', 'configuration file to take key_file from')
    .option('-f, --force', 'replace an existing key file (the node gets a new identity and address)', false)
    .option('--json', 'print the new identity as JSON', false)
    .action((opts: { keyFile?: string; config?: string; force: boolean; json: boolean }) => {
      const keyFile = opts.keyFile ?? loadCliConfig(io, opts.config).key_file;
      const seed = generateSeed((n) => new Uint8Array(randomBytes(n)));
      writeKeyFile(keyFile, seed, { force: opts.force });
      const facts = describeIdentity(identityFromSeed(seed));
      seed.fill(0);
      if (!opts.json) io.stderr(`wrote ${keyFile}\n`);
      printIdentity(io, facts, opts.json);
      setExit(ExitCode.Ok);
    });

  program
    .command('inspect')
    .description("print a node's public key, X25519 key, overlay address and /64 subnet")
    .argument('[pubkey]', 'an Ed25519 public key as 64 hex characters (instead of reading a key file)')
    .option('-k, --key-file <path>', 'the key file to read (default: key_file from the configuration)')
    .option('-c, --config <file>', 'configuration file to take key_file from')
    .option('--key-fd <fd>', 'read the seed as hex from this inherited file descriptor', parseFd)
    .option('--json', 'print JSON: {"publicKey","x25519PublicKey","address","subnet"}', false)
    .action(
      (
        pubkey: string | undefined,
        opts: { keyFile?: string; config?: string; keyFd?: number; json: boolean },
      ) => {
        let id: PublicIdentity;
        if (pubkey !== undefined) {
          id = publicFromHex(pubkey);
        } else {
          const fromSeedSource = opts.keyFd !== undefined || Boolean(io.env[SEED_ENV_VAR]);
          const keyFile = opts.keyFile ?? (fromSeedSource ? '' : loadCliConfig(io, opts.config).key_file);
          const { seed } = loadSeed({ keyFile, create: false, keyFd: opts.keyFd, env: io.env });
          id = identityFromSeed(seed);
          seed.fill(0);
        }
        printIdentity(io, describeIdentity(id), opts.json);
        setExit(ExitCode.Ok);
      },
    );
}

function parseFd(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new UsageError(`--key-fd takes a file descriptor number, got '${value}'`);
  return n;
}

function publicFromHex(text: string): PublicIdentity {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new UsageError(
      `a public key is 64 hex characters (32 bytes), got '${text.length > 80 ? `${text.slice(0, 80)}…` : text}'`,
    );
  }
  try {
    return publicIdentityFromEd25519(new Uint8Array(Buffer.from(text, 'hex')));
  } catch {
    throw new KeyError(
      'HYPHA_ERR_KEY_HEX',
      `${text} is not a valid Ed25519 public key (not a point on the curve)`,
    );
  }
}

/** A command-line mistake: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
