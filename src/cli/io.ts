/** The outside world a CLI command sees; tests pass fakes. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes every subcommand uses. */
export const ExitCode = {
  Ok: 0,
  /** The operation failed (bad key file, daemon error, ...). */
  Error: 1,
  /** The command line was wrong. */
  Usage: 2,
  /** The daemon's API could not be reached. */
  Unreachable: 3,
} as const;

/** The process's real streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
  };
}
