import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { isLocalOnly, type ListenAddress } from '../config/addresses.js';
import { type AdminBackend, BackendError } from './backend.js';
import { ApiError, ApiListenError, type BodyIssue } from './errors.js';
import { listenOn } from './listen.js';
import { type ApiReply, type ApiRoute, type RouteGroup, Router } from './router.js';
import { nodeRoutes } from './routes/node.js';
import { openApiRoutes } from './routes/openapi.js';
import { peerRoutes } from './routes/peers.js';
import { pubkeyRoutes } from './routes/pubkey.js';
import { routeRoutes } from './routes/routes.js';
import { MAX_BODY_BYTES } from './schemas.js';

/**
 * The admin API server. Each request goes through:
 *   1. authentication (only when a token is configured): `Authorization: Bearer <token>`;
 *   2. routing: unknown path → 404 listing the routes, wrong method → 405 with Allow;
 *   3. the body (routes with a schema): JSON, at most MAX_BODY_BYTES, validated by zod → 400;
 *   4. the handler: a synchronous snapshot from the backend, so requests never wait on each other;
 *   5. the reply: JSON, or an RFC 9457 problem+json for any ApiError/BackendError (500 otherwise).
 */

/** The route groups the API serves, in the order `Router.list()` reports them. */
export const ROUTE_GROUPS: readonly RouteGroup[] = [
  nodeRoutes,
  peerRoutes,
  routeRoutes,
  pubkeyRoutes,
  openApiRoutes,
];

/** Returns every route of the API bound to `backend`. */
export function adminRoutes(backend: AdminBackend): ApiRoute[] {
  return ROUTE_GROUPS.flatMap((group) => group({ backend }));
}

export interface AdminApiOptions {
  /** Where to listen; a non-loopback TCP address is refused unless `token` is given. */
  readonly address: ListenAddress;
  readonly backend: AdminBackend;
  /** When set, every request must carry `Authorization: Bearer <token>` (the caller trims the file). */
  readonly token?: string;
  readonly log?: Logger;
}

export interface AdminApi {
  /** The address listened on (`127.0.0.1:8989`, `[::1]:8989` or `unix:/path`), with the real port. */
  readonly address: string;
  /** Stops listening and drops open connections. Safe to call twice. */
  close(): Promise<void>;
}

const HEADER_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Starts the admin API on `address` and resolves once it listens. Throws TypeError for a bad token,
 * ApiListenError HYPHA_ERR_API_EXPOSED for a non-loopback address without a token, and
 * HYPHA_ERR_API_LISTEN when the address cannot be bound.
 */
export async function startAdminApi(options: AdminApiOptions): Promise<AdminApi> {
  const { address, backend, token } = options;
  if (token !== undefined && (typeof token !== 'string' || token.length === 0 || /\s/.test(token)))
    throw new TypeError('token must be a non-empty string without whitespace');
  if (!isLocalOnly(address) && token === undefined) {
    throw new ApiListenError(
      'HYPHA_ERR_API_EXPOSED',
      `refusing to serve the admin API on ${address.text} without a token: it is not a loopback address; ` +
        'set api_token_file (and api_allow_remote = true), or use 127.0.0.1, [::1] or unix:/path',
    );
  }
  // A logger that already names its component (the daemon passes children) is used as it is.
  const log =
    options.log === undefined || 'component' in options.log.bindings()
      ? options.log
      : options.log.child({ component: 'api' });
  const router = new Router(adminRoutes(backend));
  const tokenDigest = token === undefined ? undefined : sha256(token);

  const server = createServer(
    { headersTimeout: HEADER_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      void handle(req, res);
    },
  );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = pathOf(req.url ?? '/');
    let reply: ApiReply;
    try {
      if (tokenDigest !== undefined) authenticate(req.headers.authorization, tokenDigest);
      const { route, params } = router.match(req.method ?? '', path);
      let body: unknown;
      if (route.body === undefined) req.resume();
      else body = validate(route.body, await readJson(req));
      reply = route.handle({ params, body });
    } catch (err) {
      // The client went away (e.g. while sending the body): nobody to answer, nothing to log.
      if (res.destroyed || req.socket.destroyed) return;
      reply = problemReply(err, path);
      if (reply.status >= 500) log?.error({ err, method: req.method, path }, 'admin API handler failed');
      if (!req.complete) reply = { ...reply, headers: { ...reply.headers, connection: 'close' } };
    }
    send(res, reply);
    log?.debug(
      { method: req.method, path, status: reply.status, ms: Math.round(performance.now() - started) },
      'api request',
    );
  }

  const bound = await listenOn(server, address);
  log?.info({ address: bound, auth: token !== undefined }, 'admin API listening');
  let closing: Promise<void> | undefined;
  return {
    address: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Checks the bearer token in constant time (comparing digests makes the lengths equal). */
function authenticate(header: string | undefined, expected: Buffer): void {
  const m = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (m === null) {
    throw new ApiError(
      'HYPHA_ERR_API_UNAUTHORIZED',
      'this API needs an "Authorization: Bearer <token>" header; the token is the content of the file named by api_token_file',
    );
  }
  if (!timingSafeEqual(sha256(m[1]!), expected)) {
    throw new ApiError(
      'HYPHA_ERR_API_UNAUTHORIZED',
      'the bearer token is wrong; use the content of the file named by api_token_file',
    );
  }
}

function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

/** Reads the request body as JSON, refusing other media types and bodies over MAX_BODY_BYTES. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new ApiError(
      'HYPHA_ERR_API_MEDIA_TYPE',
      `the body must be JSON with "Content-Type: application/json", got ${type === '' ? 'no Content-Type' : `"${type}"`}`,
    );
  }
  const tooLarge = () =>
    new ApiError('HYPHA_ERR_API_BODY_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    let size = 0;
    const done = (err?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
      if (err === undefined) resolve();
      else {
        // Stop reading without destroying the socket, so the problem still goes out; the reply
        // carries `Connection: close` because the request was not read to its end.
        req.pause();
        reject(err);
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) done(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onClose = () => done(new Error('the client closed the connection'));
    req.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(
      'HYPHA_ERR_API_BAD_BODY',
      text.trim() === ''
        ? 'the body is empty; send a JSON object, e.g. {"uri": "udp://198.18.0.2:9651"}'
        : `the body is not valid JSON: ${(err as Error).message}`,
    );
  }
}

function validate(schema: z.ZodType, value: unknown): unknown {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues: BodyIssue[] = r.error.issues.map((i) => ({
    path: i.path.length === 0 ? '(body)' : i.path.map(String).join('.'),
    message: i.message,
  }));
  throw new ApiError('HYPHA_ERR_API_BAD_BODY', issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
    issues,
  });
}

function problemReply(err: unknown, instance: string): ApiReply {
  let e: ApiError;
  if (err instanceof ApiError) e = err;
  else if (err instanceof BackendError) {
    const code =
      err.kind === 'not-found'
        ? 'HYPHA_ERR_API_NOT_FOUND'
        : err.kind === 'conflict'
          ? 'HYPHA_ERR_API_CONFLICT'
          : 'HYPHA_ERR_API_BAD_REQUEST';
    e = new ApiError(code, err.message);
  } else {
    e = new ApiError(
      'HYPHA_ERR_API_INTERNAL',
      `the daemon failed to answer: ${err instanceof Error ? err.message : String(err)}; see the daemon's log`,
    );
  }
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (e.allow !== undefined) headers.allow = e.allow.join(', ');
  if (e.code === 'HYPHA_ERR_API_UNAUTHORIZED') headers['www-authenticate'] = 'Bearer realm="hypha"';
  return {
    status: e.status,
    headers,
    body: {
      type: 'about:blank',
      title: e.title,
      status: e.status,
      detail: e.message,
      instance,
      code: e.code,
      ...(e.allow === undefined ? {} : { allow: e.allow }),
      ...(e.issues === undefined ? {} : { errors: e.issues }),
    },
  };
}

function send(res: ServerResponse, reply: ApiReply): void {
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...reply.headers,
  };
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = `${JSON.stringify(reply.body)}\n`;
  headers['content-type'] ??= 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers).end(text);
}
