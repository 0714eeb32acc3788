/** End-to-end encryption of overlay data packets (docs/protocol/end-to-end.md). */
export * from './constants.js';
export * from './cpu.js';
export * from './endpoint.js';
export * from './kdf.js';
export type { E2eControlSink, E2eDropReason, E2eOpenResult, SourceKeyLookup } from './receiver.js';
export { E2E_DROP_REASONS, E2eReceiver } from './receiver.js';
export type { E2eSealResult, E2eSendDropReason } from './sender.js';
export { E2E_SEND_DROP_REASONS, E2eSender } from './sender.js';
