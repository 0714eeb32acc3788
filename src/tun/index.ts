export { type ConfigureTunOptions, configureTun, OVERLAY_PREFIX_LEN } from './configure.js';
export {
  type BatchLayout,
  batchLayout,
  DEFAULT_BATCH_MAX,
  DEFAULT_HEADROOM,
  DEFAULT_TAILROOM,
  IPV6_MIN_MTU,
  type PacketBatch,
  type PacketHandler,
  packetAt,
  packetOffset,
  TUN_MAX_MTU,
  type TunDevice,
  type TunStats,
} from './device.js';
export { TunError, type TunErrorCode } from './errors.js';
export { FAKE_EAGAIN, FAKE_EINVAL, FakeTun, type FakeTunOptions } from './fake-tun.js';
export { loadTunAddon, NativeTun, type OpenTunOptions, openTun, TUN_DEVICE_PATH } from './native-tun.js';
