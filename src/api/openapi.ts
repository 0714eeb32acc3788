import { z } from 'zod';
import { VERSION } from '../version.js';
import { API_PREFIX } from './router.js';
import {
  AddPeerBodySchema,
  NodeInfoSchema,
  NodeStatsSchema,
  PeerInfoSchema,
  PeerListSchema,
  ProblemSchema,
  PubkeyAnswerSchema,
  QueriedListSchema,
  QueriedRouteSchema,
  RouteInfoSchema,
  RouteListSchema,
} from './schemas.js';

/**
 * The OpenAPI 3.1 description of the admin API: the one source for GET /api/v1/openapi.json and
 * docs/api/openapi.json (test/api/openapi.test.ts checks the committed copy is current, and that the
 * server answers exactly the operations listed here). Schemas come from schemas.ts through zod's
 * JSON Schema (draft 2020-12, which OpenAPI 3.1 uses) output.
 */

const COMPONENTS = {
  NodeInfo: NodeInfoSchema,
  PeerInfo: PeerInfoSchema,
  PeerList: PeerListSchema,
  RouteInfo: RouteInfoSchema,
  RouteList: RouteListSchema,
  QueriedRoute: QueriedRouteSchema,
  QueriedList: QueriedListSchema,
  NodeStats: NodeStatsSchema,
  PubkeyAnswer: PubkeyAnswerSchema,
  AddPeerRequest: AddPeerBodySchema,
  Problem: ProblemSchema,
} as const;

type ComponentName = keyof typeof COMPONENTS;

interface Operation {
  readonly method: 'get' | 'post' | 'delete';
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly parameter?: { readonly name: string; readonly description: string; readonly example: string };
  readonly requestBody?: ComponentName;
  /** The success status and its schema (undefined: no body). */
  readonly ok: { readonly status: number; readonly description: string; readonly schema?: ComponentName };
  /** Error statuses beyond 401 (every operation) that this operation can answer. */
  readonly errors: readonly number[];
}

const OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/node',
    operationId: 'getNode',
    summary: "This node's public key, overlay address, subnet, uptime and version",
    ok: { status: 200, description: 'The node', schema: 'NodeInfo' },
    errors: [],
  },
  {
    method: 'get',
    path: '/peers',
    operationId: 'listPeers',
    summary: 'Directly connected peers with endpoint, identity, state, RTT, cost and traffic',
    ok: { status: 200, description: 'Every peer', schema: 'PeerList' },
    errors: [],
  },
  {
    method: 'post',
    path: '/peers',
    operationId: 'addPeer',
    summary: 'Add a static peer by URI (not persisted to the configuration file)',
    requestBody: 'AddPeerRequest',
    ok: { status: 201, description: 'The new peer; Location names it', schema: 'PeerInfo' },
    errors: [400, 409, 413, 415],
  },
  {
    method: 'delete',
    path: '/peers/{uri}',
    operationId: 'removePeer',
    summary: 'Remove a peer by its endpoint URI',
    parameter: {
      name: 'uri',
      description: 'The peer URI, percent-encoded as one path segment',
      example: 'udp%3A%2F%2F198.18.0.2%3A9651',
    },
    ok: { status: 204, description: 'Removed' },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/routes/selected',
    operationId: 'listSelectedRoutes',
    summary: 'Routes in use, one per prefix',
    ok: { status: 200, description: 'Selected routes', schema: 'RouteList' },
    errors: [],
  },
  {
    method: 'get',
    path: '/routes/fallback',
    operationId: 'listFallbackRoutes',
    summary: 'Other known routes, used when the selected one goes away',
    ok: { status: 200, description: 'Fallback routes', schema: 'RouteList' },
    errors: [],
  },
  {
    method: 'get',
    path: '/routes/queried',
    operationId: 'listQueriedRoutes',
    summary: 'Destinations being resolved: the data plane asked for a route and none is known yet',
    ok: { status: 200, description: 'Destinations without a route', schema: 'QueriedList' },
    errors: [],
  },
  {
    method: 'get',
    path: '/stats',
    operationId: 'getStats',
    summary: 'Packet, drop, control-message and handshake counters, and gauges',
    description: 'docs/OPERATING.md explains the counter names and the metrics they become.',
    ok: { status: 200, description: 'Counters and gauges', schema: 'NodeStats' },
    errors: [],
  },
  {
    method: 'get',
    path: '/pubkey/{ip}',
    operationId: 'getPubkey',
    summary: 'The public key that owns an overlay address',
    parameter: {
      name: 'ip',
      description: 'An overlay (400::/7) IPv6 address',
      example: '4a1:2b3c:4d5e:6f70::1',
    },
    ok: { status: 200, description: 'The owner', schema: 'PubkeyAnswer' },
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    ok: { status: 200, description: 'The OpenAPI 3.1 document' },
    errors: [],
  },
];

const ERROR_TEXT: Record<number, string> = {
  400: 'The body or a path parameter is invalid; `detail` (and `errors`) say which',
  401: 'A bearer token is required and was missing or wrong',
  404: 'Not found',
  409: 'The peer already exists',
  413: 'The body is larger than 16 KiB',
  415: 'The body is not application/json',
};

function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as Record<string, unknown>;
    out[id] = rest;
  }
  return out;
}

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

function operationObject(op: Operation): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    [op.ok.status]:
      op.ok.schema === undefined
        ? op.path === '/openapi.json'
          ? {
              description: op.ok.description,
              content: { 'application/json': { schema: { type: 'object' } } },
            }
          : { description: op.ok.description }
        : { description: op.ok.description, content: { 'application/json': { schema: ref(op.ok.schema) } } },
  };
  for (const status of [...op.errors, 401].sort((a, b) => a - b))
    responses[status] = problem(ERROR_TEXT[status]!);
  responses.default = problem('Any other error (405 with Allow, 500), as an RFC 9457 problem');
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description === undefined ? {} : { description: op.description }),
    ...(op.parameter === undefined
      ? {}
      : {
          parameters: [
            {
              name: op.parameter.name,
              in: 'path',
              required: true,
              description: op.parameter.description,
              schema: { type: 'string' },
              example: op.parameter.example,
            },
          ],
        }),
    ...(op.requestBody === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(op.requestBody) } },
          },
        }),
    responses,
  };
}

let cached: Readonly<Record<string, unknown>> | undefined;

/** Returns the OpenAPI 3.1 document (built once, then shared; treat it as read-only). */
export function openApiDocument(): Readonly<Record<string, unknown>> {
  if (cached !== undefined) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const key = `${API_PREFIX}${op.path}`;
    paths[key] = { ...paths[key], [op.method]: operationObject(op) };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'hypha admin API',
      version: VERSION,
      description:
        'Read and change a running hypha node. Served on api_addr (loopback or a unix socket by default). ' +
        'When the node is configured with api_token_file, every request needs `Authorization: Bearer <token>`. ' +
        'Errors are RFC 9457 problem details whose `code` is listed in docs/errors.md.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{}, { bearer: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
  return cached;
}
