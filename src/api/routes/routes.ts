import { defineRoute, type RouteGroup } from '../router.js';

/** GET /routes/selected, /routes/fallback (feasible but not selected) and /routes/queried (being resolved). */
export const routeRoutes: RouteGroup = ({ backend }) => [
  defineRoute({
    method: 'GET',
    path: '/routes/selected',
    handle: () => ({ status: 200, body: { routes: backend.selectedRoutes() } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/routes/fallback',
    handle: () => ({ status: 200, body: { routes: backend.fallbackRoutes() } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/routes/queried',
    handle: () => ({ status: 200, body: { routes: backend.queriedRoutes() } }),
  }),
];
