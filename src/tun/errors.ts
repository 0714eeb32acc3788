import { HyphaError } from '../errors.js';

/**
 * The TUN device could not be opened, configured or used. `code` says which step failed
 * (docs/errors.md); `errno` and `syscall` are set when the kernel refused a call.
 */
export class TunError extends HyphaError {
  /** The errno the kernel returned (EPERM = 1, ENOENT = 2, EBUSY = 16, ...), when there was one. */
  readonly errno: number | undefined;
  /** The failing call, e.g. `ioctl(TUNSETIFF)`, when there was one. */
  readonly syscall: string | undefined;

  constructor(
    code: TunErrorCode,
    message: string,
    options?: { cause?: unknown; errno?: number; syscall?: string },
  ) {
    super(code, message, options);
    this.name = 'TunError';
    this.errno = options?.errno;
    this.syscall = options?.syscall;
  }
}

export type TunErrorCode =
  /** The addon is not built, /dev/net/tun is missing, permission is lacking, or the name is taken. */
  | 'HYPHA_ERR_TUN_OPEN'
  /** Setting the MTU, the address or the up flag failed. */
  | 'HYPHA_ERR_TUN_CONFIG'
  /** Reading failed, or the device was used after close(). */
  | 'HYPHA_ERR_TUN_IO';

/** Wraps an error thrown by the addon (it carries `errno` and `syscall`) as a TunError with `code`. */
export function tunErrorFrom(code: TunErrorCode, err: unknown, context?: string): TunError {
  if (err instanceof TunError) return err;
  const e = err as { message?: unknown; errno?: unknown; syscall?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return new TunError(code, context ? `${context}: ${message}` : message, {
    cause: err,
    errno: typeof e?.errno === 'number' ? e.errno : undefined,
    syscall: typeof e?.syscall === 'string' ? e.syscall : undefined,
  });
}
