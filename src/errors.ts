/**
 * The one base class for errors a user can see. Every subclass sets a stable `code`
 * (listed with what to do about it in docs/errors.md); match on `code`, never on the message.
 */
export class HyphaError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HyphaError';
    this.code = code;
  }
}

/** Returns the message of any thrown value, for logs and CLI output. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
