import { formatIPv6, isOverlayAddress, parseIPv6 } from '../../identity/address.js';
import { ApiError } from '../errors.js';
import { defineRoute, type RouteGroup } from '../router.js';

/** GET /pubkey/{ip}: the public key that owns an overlay address, as far as routing knows. */
export const pubkeyRoutes: RouteGroup = ({ backend }) => [
  defineRoute({
    method: 'GET',
    path: '/pubkey/{ip}',
    handle: ({ params }) => {
      const text = params.ip!;
      const bytes = parseIPv6(text);
      if (bytes === undefined)
        throw new ApiError('HYPHA_ERR_API_BAD_PARAMETER', `{ip} "${short(text)}" is not an IPv6 address`);
      if (!isOverlayAddress(bytes)) {
        throw new ApiError(
          'HYPHA_ERR_API_BAD_PARAMETER',
          `{ip} ${formatIPv6(bytes)} is not an overlay address; hypha addresses are in 400::/7`,
        );
      }
      const address = formatIPv6(bytes);
      const publicKey = backend.publicKeyFor(address);
      if (publicKey === undefined) {
        throw new ApiError(
          'HYPHA_ERR_API_NOT_FOUND',
          `no known node owns ${address}: routing has no route to its /64 (check GET /api/v1/routes/selected)`,
        );
      }
      return { status: 200, body: { address, publicKey } };
    },
  }),
];

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
