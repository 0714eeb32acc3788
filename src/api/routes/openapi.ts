import { openApiDocument } from '../openapi.js';
import { defineRoute, type RouteGroup } from '../router.js';

/** GET /openapi.json: the OpenAPI 3.1 description of every route. */
export const openApiRoutes: RouteGroup = () => [
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    handle: () => ({ status: 200, body: openApiDocument() }),
  }),
];
