import type { z } from 'zod';
import type { AdminBackend } from './backend.js';
import { ApiError } from './errors.js';

/** Every route lives under this prefix; the version changes only with an incompatible change. */
export const API_PREFIX = '/api/v1';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** What a handler sees: decoded path parameters and the validated body (undefined without a schema). */
export interface ApiRequest<Body = undefined> {
  readonly params: Readonly<Record<string, string>>;
  readonly body: Body;
}

/** What a handler returns; the server serializes `body` as JSON (no body for 204). */
export interface ApiReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One endpoint. Handlers are synchronous: they read a snapshot from the backend and return, so a
 * request never waits on another one. They throw ApiError (or BackendError) to refuse.
 */
export interface ApiRoute {
  readonly method: HttpMethod;
  /** The OpenAPI path template below API_PREFIX, e.g. '/peers/{uri}'. */
  readonly path: string;
  /** When set, the body must be JSON that this schema accepts. */
  readonly body?: z.ZodType;
  handle(req: ApiRequest<unknown>): ApiReply;
}

/** What a route group is built from; each group sees only this (fastify-style encapsulation). */
export interface RouteContext {
  readonly backend: AdminBackend;
}

/** A plugin: a set of related routes built from the context. */
export type RouteGroup = (ctx: RouteContext) => readonly ApiRoute[];

/** Declares a route whose body is validated by `body`, typing the handler's `req.body` from it. */
export function defineRoute<S extends z.ZodType>(route: {
  method: HttpMethod;
  path: string;
  body: S;
  handle(req: ApiRequest<z.output<S>>): ApiReply;
}): ApiRoute;
/** Declares a route without a body. */
export function defineRoute(route: {
  method: HttpMethod;
  path: string;
  handle(req: ApiRequest): ApiReply;
}): ApiRoute;
export function defineRoute(route: ApiRoute): ApiRoute {
  return route;
}

interface CompiledRoute {
  readonly route: ApiRoute;
  /** Literal segments as strings; parameters as `{ param }`. */
  readonly segments: readonly (string | { readonly param: string })[];
}

/** Result of matching a path: the route and its raw (still percent-encoded) parameters. */
export interface RouteMatch {
  readonly route: ApiRoute;
  readonly params: Readonly<Record<string, string>>;
}

/** Matches request paths against a fixed route table. */
export class Router {
  readonly #routes: CompiledRoute[];

  constructor(routes: readonly ApiRoute[]) {
    this.#routes = routes.map((route) => ({
      route,
      segments: route.path
        .split('/')
        .slice(1)
        .map((s) => (/^\{\w+\}$/.test(s) ? { param: s.slice(1, -1) } : s)),
    }));
    const seen = new Set<string>();
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      if (seen.has(key)) throw new RangeError(`route ${key} is defined twice`);
      seen.add(key);
    }
  }

  /** Every route as `METHOD /api/v1/path`, in definition order. */
  list(): string[] {
    return this.#routes.map((c) => `${c.route.method} ${API_PREFIX}${c.route.path}`);
  }

  /**
   * Returns the route for `method` and `path` (the URL path without the query), with percent-decoded
   * parameters. Throws ApiError: UNKNOWN_PATH when no route has this path, METHOD_NOT_ALLOWED when
   * routes have it but not for this method, BAD_PARAMETER when a parameter is not valid percent-encoding.
   */
  match(method: string, path: string): RouteMatch {
    const below = path.startsWith(`${API_PREFIX}/`) ? path.slice(API_PREFIX.length) : undefined;
    const parts =
      below === undefined
        ? undefined
        : below
            .replace(/(.)\/$/, '$1')
            .split('/')
            .slice(1);
    const allow: string[] = [];
    let raw: Record<string, string> | undefined;
    let found: ApiRoute | undefined;
    if (parts !== undefined) {
      for (const c of this.#routes) {
        const params = matchSegments(c.segments, parts);
        if (params === undefined) continue;
        if (c.route.method === method && found === undefined) {
          found = c.route;
          raw = params;
        }
        if (!allow.includes(c.route.method)) allow.push(c.route.method);
      }
    }
    if (found !== undefined && raw !== undefined) return { route: found, params: decodeParams(raw) };
    if (allow.length > 0) {
      throw new ApiError(
        'HYPHA_ERR_API_METHOD_NOT_ALLOWED',
        `${path} does not accept ${method}; it accepts ${allow.join(', ')}`,
        { allow },
      );
    }
    throw new ApiError('HYPHA_ERR_API_UNKNOWN_PATH', unknownPathDetail(path, this.list()));
  }
}

function matchSegments(
  segments: CompiledRoute['segments'],
  parts: readonly string[],
): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const s = segments[i]!;
    const p = parts[i]!;
    if (typeof s === 'string') {
      if (s !== p) return undefined;
    } else {
      if (p === '') return undefined;
      params[s.param] = p;
    }
  }
  return params;
}

function decodeParams(raw: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      throw new ApiError(
        'HYPHA_ERR_API_BAD_PARAMETER',
        `path parameter {${k}} is not valid percent-encoding: ${v}`,
      );
    }
  }
  return out;
}

function unknownPathDetail(path: string, routes: readonly string[]): string {
  const shown = path.length > 120 ? `${path.slice(0, 120)}…` : path;
  let hint = '';
  if (path.startsWith(`${API_PREFIX}/peers/`))
    hint =
      ' A peer URI in the path must be percent-encoded as one segment, e.g. /api/v1/peers/udp%3A%2F%2F198.18.0.2%3A9651.';
  return `no route for ${shown}.${hint} The API answers: ${routes.join(', ')}`;
}
