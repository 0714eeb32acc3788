import { HyphaError } from '../errors.js';

/**
 * Every error the admin API answers with, fastify-style: a stable code, the HTTP status it carries
 * and the RFC 9457 `title`. Titles are the status phrases because problems use `type: about:blank`
 * (RFC 9457 §4.2.1); the `code` member and the `detail` say what went wrong and what to do.
 */
export const API_ERRORS = {
  HYPHA_ERR_API_BAD_REQUEST: { status: 400, title: 'Bad Request' },
  HYPHA_ERR_API_BAD_BODY: { status: 400, title: 'Bad Request' },
  HYPHA_ERR_API_BAD_PARAMETER: { status: 400, title: 'Bad Request' },
  HYPHA_ERR_API_UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  HYPHA_ERR_API_UNKNOWN_PATH: { status: 404, title: 'Not Found' },
  HYPHA_ERR_API_NOT_FOUND: { status: 404, title: 'Not Found' },
  HYPHA_ERR_API_METHOD_NOT_ALLOWED: { status: 405, title: 'Method Not Allowed' },
  HYPHA_ERR_API_CONFLICT: { status: 409, title: 'Conflict' },
  HYPHA_ERR_API_BODY_TOO_LARGE: { status: 413, title: 'Content Too Large' },
  HYPHA_ERR_API_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type' },
  HYPHA_ERR_API_INTERNAL: { status: 500, title: 'Internal Server Error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** One field a request body got wrong: the zod issue path joined with '.', and why. */
export interface BodyIssue {
  readonly path: string;
  readonly message: string;
}

/** A request the API refuses; the server turns it into a problem+json response with `status`. */
export class ApiError extends HyphaError {
  override readonly code: ApiErrorCode;
  /** The methods the path accepts, for 405's `Allow` header. */
  readonly allow: readonly string[] | undefined;
  /** Field-level problems for a rejected body. */
  readonly issues: readonly BodyIssue[] | undefined;

  constructor(
    code: ApiErrorCode,
    detail: string,
    options?: { allow?: readonly string[]; issues?: readonly BodyIssue[]; cause?: unknown },
  ) {
    super(code, detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.allow = options?.allow;
    this.issues = options?.issues;
  }

  /** The HTTP status this error answers with. */
  get status(): number {
    return API_ERRORS[this.code].status;
  }

  /** The RFC 9457 title: the status phrase. */
  get title(): string {
    return API_ERRORS[this.code].title;
  }
}

/** The admin API or metrics endpoint could not start listening. */
export class ApiListenError extends HyphaError {
  constructor(
    code: 'HYPHA_ERR_API_LISTEN' | 'HYPHA_ERR_API_EXPOSED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ApiListenError';
  }
}
