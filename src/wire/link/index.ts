/** hypha's link frames: constants, decoded types, and one codec per frame family. */
export * from './constants.js';
export * from './cookie.js';
export * from './data.js';
export * from './discovery.js';
export * from './frame.js';
export * from './handshake.js';
export * from './mtu.js';
export * from './transport.js';
export type * from './types.js';
