import { z } from 'zod';
import { PEER_URI_FORM, parsePeerUri } from '../config/addresses.js';
import type { NodeInfo, NodeStats, PeerInfo, QueriedRoute, RouteInfo } from './backend.js';

/**
 * The shapes the admin API reads and writes, as zod schemas: request bodies are validated with them,
 * and the OpenAPI document (openapi.ts) is generated from them, so the two cannot drift apart.
 * The response schemas are checked against backend.ts's types at compile time below.
 */

/** The largest request body the API reads, in bytes; POST /peers needs well under 1 KiB. */
export const MAX_BODY_BYTES = 16 * 1024;

const hexKey = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('Ed25519 public key, 64 lowercase hex characters');
const ipv6 = z.string().describe('IPv6 address, RFC 5952 text');
const count = z.number().int().nonnegative();

export const NodeInfoSchema = z
  .object({
    publicKey: hexKey,
    address: ipv6.describe("The node's overlay address in 400::/7"),
    subnet: z.string().describe("The node's /64, e.g. 5a1:2b3c:4d5e:6f70::/64"),
    uptimeSeconds: z.number().nonnegative(),
    version: z.string(),
  })
  .describe('This node');

export const PeerInfoSchema = z
  .object({
    endpoint: z.string().describe('Underlay endpoint, udp://198.18.1.2:9651 or udp://[fd00::2]:9651'),
    origin: z.enum(['static', 'discovered', 'inbound']),
    state: z.enum(['connecting', 'up', 'backoff']),
    publicKey: hexKey.optional().describe('Known once a handshake authenticated the peer'),
    address: ipv6.optional(),
    rttMs: z.number().nonnegative().optional(),
    cost: count.optional().describe('Routing link cost; 65535 when unreachable'),
    rxBytes: count,
    txBytes: count,
    rxPackets: count,
    txPackets: count,
    lastHandshakeSecondsAgo: z.number().nonnegative().optional(),
  })
  .describe('A directly connected peer (an underlay link)');

export const RouteInfoSchema = z
  .object({
    prefix: z.string().describe('The routed /64, e.g. 4a1:2b3c:4d5e:6f70::/64'),
    originator: hexKey.describe('The node that owns the prefix'),
    nextHop: z.object({
      publicKey: hexKey,
      endpoint: z.string().optional(),
    }),
    metric: count,
    seqno: count,
    feasible: z.boolean(),
    expiresInSeconds: z.number(),
  })
  .describe('A route to an overlay prefix');

export const QueriedRouteSchema = z
  .object({
    prefix: z.string(),
    waitingPackets: count,
    sinceSeconds: z.number().nonnegative(),
  })
  .describe('A destination the data plane asked routing for, with no route yet');

export const NodeStatsSchema = z
  .object({
    counters: z
      .record(z.string(), z.number())
      .describe("Monotonic counters by dotted name, e.g. 'dataplane.drop.no-route'"),
    gauges: z
      .record(z.string(), z.number())
      .describe('Values that go up and down: queue depths, table sizes'),
  })
  .describe('Packet, drop and control-message statistics');

export const PeerListSchema = z.object({ peers: z.array(PeerInfoSchema) });
export const RouteListSchema = z.object({ routes: z.array(RouteInfoSchema) });
export const QueriedListSchema = z.object({ routes: z.array(QueriedRouteSchema) });
export const PubkeyAnswerSchema = z.object({
  address: ipv6.describe('The overlay address asked about, in RFC 5952 form'),
  publicKey: hexKey,
});

/** POST /api/v1/peers: the peer's URI, as in the config's `peers`. */
export const AddPeerBodySchema = z
  .strictObject({
    uri: z
      .string()
      .max(256)
      .superRefine((uri, ctx) => {
        try {
          parsePeerUri(uri);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
        }
      })
      .describe(`The peer's underlay endpoint: ${PEER_URI_FORM}`),
  })
  .describe('A static peer to add');

export const ProblemSchema = z
  .object({
    type: z.string().describe('Always about:blank; `code` identifies the problem'),
    title: z.string().describe('The HTTP status phrase'),
    status: z.number().int(),
    detail: z.string().describe('What went wrong and what to do about it'),
    instance: z.string().describe('The request path'),
    code: z.string().describe('Stable error code, listed in docs/errors.md'),
    allow: z.array(z.string()).optional().describe('For 405: the methods the path accepts'),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('For a rejected body: each field (dotted path) and why'),
  })
  .describe('An RFC 9457 problem detail');

// Compile-time check that the response schemas describe exactly what the backend returns.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type DeepMutable<T> = T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;
const schemasMatchBackend: [
  Same<z.output<typeof NodeInfoSchema>, DeepMutable<NodeInfo>>,
  Same<z.output<typeof PeerInfoSchema>, DeepMutable<PeerInfo>>,
  Same<z.output<typeof RouteInfoSchema>, DeepMutable<RouteInfo>>,
  Same<z.output<typeof QueriedRouteSchema>, DeepMutable<QueriedRoute>>,
  Same<z.output<typeof NodeStatsSchema>, DeepMutable<NodeStats>>,
] = [true, true, true, true, true];
void schemasMatchBackend;
