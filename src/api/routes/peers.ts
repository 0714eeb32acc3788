import { parsePeerUri } from '../../config/addresses.js';
import { ApiError } from '../errors.js';
import { API_PREFIX, defineRoute, type RouteGroup } from '../router.js';
import { AddPeerBodySchema } from '../schemas.js';

/** GET /peers, POST /peers {"uri"}, DELETE /peers/{uri}. URIs are canonicalized before the backend sees them. */
export const peerRoutes: RouteGroup = ({ backend }) => [
  defineRoute({
    method: 'GET',
    path: '/peers',
    handle: () => ({ status: 200, body: { peers: backend.peers() } }),
  }),
  defineRoute({
    method: 'POST',
    path: '/peers',
    body: AddPeerBodySchema,
    handle: ({ body }) => {
      const peer = backend.addPeer(parsePeerUri(body.uri).uri);
      return {
        status: 201,
        body: peer,
        headers: { location: `${API_PREFIX}/peers/${encodeURIComponent(peer.endpoint)}` },
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/peers/{uri}',
    handle: ({ params }) => {
      let uri: string;
      try {
        uri = parsePeerUri(params.uri!).uri;
      } catch (err) {
        throw new ApiError('HYPHA_ERR_API_BAD_PARAMETER', `{uri} ${(err as Error).message}`);
      }
      backend.removePeer(uri);
      return { status: 204 };
    },
  }),
];
