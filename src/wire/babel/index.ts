/**
 * hypha's routing-message codec: RFC 8966 Babel packets with RFC 9616 timestamps and hypha's
 * signed-update extensions. Pure functions over bytes; docs/protocol/routing-messages.md has the
 * layouts.
 */
export * from './constants.js';
export { type DecodeOptions, decodePacket } from './decode.js';
export { type EncodeOptions, encodePacket, encodePackets } from './encode.js';
export { updateSignedBytes } from './signed.js';
export * from './types.js';
