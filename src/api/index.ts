export type { AdminBackend, NodeInfo, NodeStats, PeerInfo, QueriedRoute, RouteInfo } from './backend.js';
export { BackendError } from './backend.js';
export { API_ERRORS, ApiError, type ApiErrorCode, ApiListenError } from './errors.js';
export { openApiDocument } from './openapi.js';
export { API_PREFIX } from './router.js';
export { type AdminApi, type AdminApiOptions, adminRoutes, startAdminApi } from './server.js';
export { readTokenFile } from './token.js';
