/**
 * Overlay MTU arithmetic: the largest inner IPv6 packet whose Data frame, in the worst case (the
 * ephemeral key present), still fits one unfragmented UDP datagram on the underlay. Fragmenting
 * underlay packets would cost a reassembly at the receiver and lose the whole frame with any piece.
 */
import { checkInt } from './_bytes.js';
import {
  DATA_OVERHEAD_MAX,
  IPV4_HEADER_SIZE,
  IPV6_HEADER_SIZE,
  IPV6_MIN_MTU,
  UDP_HEADER_SIZE,
} from './constants.js';

/**
 * Returns the largest TUN MTU an underlay path of `underlayMtu` bytes carries without fragmenting:
 * underlayMtu - IP header (40 for IPv6, 20 for IPv4) - 8 (UDP) - 100 (Data frame, worst case).
 * Throws RangeError when that is below IPv6's minimum of 1280, which the overlay must offer.
 */
export function tunMtuForUnderlay(underlayMtu: number, underlayIpVersion: 4 | 6 = 6): number {
  checkInt('underlayMtu', underlayMtu, 0, 0xffff);
  if (underlayIpVersion !== 4 && underlayIpVersion !== 6) {
    throw new RangeError(`underlayIpVersion must be 4 or 6, got ${underlayIpVersion}`);
  }
  const ipHeader = underlayIpVersion === 6 ? IPV6_HEADER_SIZE : IPV4_HEADER_SIZE;
  const mtu = underlayMtu - ipHeader - UDP_HEADER_SIZE - DATA_OVERHEAD_MAX;
  if (mtu < IPV6_MIN_MTU) {
    throw new RangeError(
      `underlayMtu ${underlayMtu} leaves a TUN MTU of ${mtu}, below the IPv6 minimum of ${IPV6_MIN_MTU}`,
    );
  }
  return mtu;
}

/** True when `mtu` is a TUN MTU hypha can use: at least 1280 and no more than the underlay carries. */
export function isValidTunMtu(mtu: number, underlayMtu: number, underlayIpVersion: 4 | 6 = 6): boolean {
  if (!Number.isInteger(mtu) || mtu < IPV6_MIN_MTU) return false;
  const ipHeader = underlayIpVersion === 6 ? IPV6_HEADER_SIZE : IPV4_HEADER_SIZE;
  return mtu <= underlayMtu - ipHeader - UDP_HEADER_SIZE - DATA_OVERHEAD_MAX;
}
