import { IPV6_MIN_MTU } from './device.js';
import { type NativeTun, type OpenTunOptions, openTun } from './native-tun.js';

/** Mycelium and hypha give the TUN address a /7, so the kernel routes all of 400::/7 into it. */
export const OVERLAY_PREFIX_LEN = 7;

/**
 * Packets the kernel queues for hypha to read. Linux's 500 for a TUN overflows when a TCP sender
 * bursts while the daemon is busy with the previous batch (drops, then retransmits); 4096 at
 * the default MTU is ~5.5 MB, about what the link socket buffers too.
 */
export const TUN_TX_QUEUE_LENGTH = 4096;

/** Options of {@link configureTun}. */
export interface ConfigureTunOptions extends OpenTunOptions {
  /** MTU in bytes, 1280 to 65535. */
  readonly mtu: number;
  /** This node's IPv6 address, 16 bytes. */
  readonly address: Uint8Array;
  /** Prefix length of the address (default 7: the kernel routes 400::/7 into the TUN). */
  readonly prefixLen?: number;
}

/**
 * Returns a TUN that is created, has its MTU and the address with its prefix (so the kernel adds
 * the prefix route through it), and is up. On any failure the device is closed again and the
 * TunError (HYPHA_ERR_TUN_OPEN or HYPHA_ERR_TUN_CONFIG) is thrown.
 */
export function configureTun(opts: ConfigureTunOptions): NativeTun {
  if (!(opts.address instanceof Uint8Array)) throw new TypeError('address must be a Uint8Array');
  if (opts.address.length !== 16)
    throw new RangeError(`address must be 16 bytes, got ${opts.address.length}`);
  if (!Number.isInteger(opts.mtu) || opts.mtu < IPV6_MIN_MTU)
    throw new RangeError(`mtu must be an integer of at least ${IPV6_MIN_MTU} (IPv6), got ${opts.mtu}`);
  const tun = openTun(opts);
  try {
    // The MTU first: below 1280 the kernel would drop IPv6 from the interface with its address.
    tun.setMtu(opts.mtu);
    tun.setTxQueueLength(TUN_TX_QUEUE_LENGTH);
    tun.addAddress(opts.address, opts.prefixLen ?? OVERLAY_PREFIX_LEN);
    tun.setUp();
  } catch (err) {
    tun.close();
    throw err;
  }
  return tun;
}
