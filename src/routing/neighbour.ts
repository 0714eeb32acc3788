/**
 * Neighbour state (babeld's neighbour.c): the Hello history, the IHU the neighbour last sent, the
 * RTT measured with RFC 9616 timestamps, and the link cost derived from them.
 *
 * Cost. A neighbour is reachable when it sent a Hello, has not been declared silent (DEAD_PROBES
 * probes unanswered and no packet from it: see probeDue) and its IHU has not expired (3.5 × its IHU
 * interval; an Ack holds it too). Lost Hellos alone only raise the cost (ETX); RFC 8966 App. A.2.1's
 * 2-out-of-3 rule declared a live link with 10% loss down every couple of minutes. Its cost is then
 *
 *     cost = ceil((LINK_COST_BASE + clamp(rtt − RTT_MIN_MS, 0, RTT_MAX_MS − RTT_MIN_MS))
 *                 × rxcost/256 × txcost/256)
 *
 * where rtt is the smoothed RTT in ms, rxcost = 256 / delivery, delivery being an exponential
 * average of Hello arrivals per slot (ETX_SMOOTHING_SLOTS), held until it moves by more than
 * 1/RXCOST_HYSTERESIS_DIV (our side's ETX factor, sent to the neighbour in our IHU), and txcost is
 * the rxcost the neighbour reports in its IHU (the other direction). So a metric unit is about 1 ms of RTT, and
 * loss in either direction scales it as ETX does.
 */

import { AE, type Hello, type Ihu, type Tlv, TlvType } from '../wire/babel/types.js';
import type { Millis, NeighbourId } from './api.js';
import {
  DEAD_PROBES,
  ETX_SMOOTHING_SLOTS,
  HELLO_HISTORY_BITS,
  HELLO_INTERVAL_MS,
  HELLO_MISS_GRACE_FACTOR,
  IHU_HOLD_FACTOR,
  IHU_INTERVAL_MS,
  LINK_COST_BASE,
  LINK_COST_MAX,
  METRIC_INFINITY,
  NEIGHBOUR_INTERVAL_MAX_MS,
  NEIGHBOUR_INTERVAL_MIN_MS,
  PROBE_AFTER_FACTOR,
  PROBE_DIVISOR,
  RTT_DECAY_DEN,
  RTT_DECAY_NUM,
  RTT_DEFAULT_MS,
  RTT_MAX_MS,
  RTT_MIN_MS,
  RTT_SAMPLE_MAX_MS,
  RXCOST_HYSTERESIS_DIV,
  RXCOST_UNIT,
  TIMESTAMP_MODULUS,
} from './constants.js';
import { seqnoMinus, seqnoPlus } from './seqno.js';
import type { KeyedUpdate } from './update-queue.js';

export interface Neighbour {
  readonly id: NeighbourId;
  /** Its slot in the route table (what routes store); set when the engine registers it. */
  slot: number;
  readonly publicKey: Uint8Array;
  /** Hello history, newest slot in bit 0; a 1 is a Hello received. */
  history: number;
  /** Slots recorded in `history` (≤ HELLO_HISTORY_BITS); 0 until the first Hello. */
  historyLen: number;
  /** Smoothed fraction of Hello slots that arrived (1 at the first Hello). */
  delivery: number;
  /** 256 / delivery, changed only past the hysteresis band: the rxcost used and sent while reachable. */
  rxcostHeld: number;
  /** The Hello seqno expected next from the neighbour. */
  expectedHelloSeqno: number | undefined;
  /** The neighbour's Hello interval (ms, clamped). */
  helloIntervalMs: number;
  /** When the next missing Hello is counted; undefined when nothing is expected. */
  helloDeadline: Millis | undefined;
  /** The rxcost the neighbour reported in its last IHU (our transmit cost); infinity before one. */
  txcost: number;
  /** When the neighbour's last IHU stops counting (3.5 × its interval). */
  ihuExpiresAt: Millis | undefined;
  /** RFC 9616: transmit timestamp (µs, neighbour's clock) of its last Hello, and our receive time (µs). */
  lastHelloTransmitUs: number | undefined;
  lastHelloReceiveUs: number | undefined;
  /** Smoothed RTT in ms; undefined until the first sample. */
  rttMs: number | undefined;
  /** Our Hello seqno towards this neighbour. */
  helloSeqno: number;
  /** True once we sent this neighbour an IHU with a finite rxcost (until then a Hello is answered at once). */
  sentIhu: boolean;
  /** Direction (±1, 0 for none) of a cost move smaller than the band, and since when it holds (hello.ts). */
  costDrift: number;
  costDriftSince: Millis;
  /** Link cost as last applied by updateNeighbourCost(); METRIC_INFINITY when unreachable. */
  cost: number;
  /** Last time a wildcard route request from it was answered. */
  lastWildcardAnswerAt: Millis | undefined;
  /** True once it sent us a Route Digest: it is refreshed by digest, not by a full refresh. */
  speaksDigest: boolean;
  /** When the link to it came up. */
  upAt: Millis;
  /**
   * What it announced that we did not store (a prefix already at maxRoutesPerPrefix better routes),
   * by prefix slot: ((seqno << 16) | metric) + 1, 0 for none. Allocated on the first such reject;
   * the Route Digest counts these too (refresh.ts).
   */
  unstored: Uint32Array | undefined;
  /** When the last packet from it arrived; undefined before any. */
  lastHeardAt: Millis | undefined;
  /** When its last IHU or Ack arrived (it hears us); probing starts PROBE_AFTER_FACTOR × interval later. */
  heardUsAt: Millis | undefined;
  /** When the next probe (Ack Request) is due; undefined when none is (see probeDue). */
  probeAt: Millis | undefined;
  /** Probes sent since the last packet from it. */
  silentProbes: number;
  /** When it is declared silent, set as the last of DEAD_PROBES probes goes out. */
  silentAt: Millis | undefined;
  /** True when DEAD_PROBES probes went unanswered and no packet came: unreachable until one does. */
  silent: boolean;
  /** Opaque value of our next Ack Request to it (probe or acknowledged updates). */
  nextNonce: number;
  /** Packets of Updates sent to it and not yet acknowledged, by Ack Request opaque (reliable.ts). */
  readonly unacked: Map<number, Unacked>;
  /**
   * Prefix keys carried by the packets in `unacked`, with how many of them carry each: a newer
   * Update for such a prefix waits for the Ack, or PARK_MAX_RTT round trips (reliable.ts), so the
   * two do not arrive reordered.
   */
  readonly inFlightKeys: Map<string, number>;
  /** When the newest packet carrying each key of `inFlightKeys` left. */
  readonly inFlightSentAt: Map<string, Millis>;
  /** Earliest resend deadline in `unacked` (may be early). */
  unackedAt: Millis | undefined;
  /** When the newest packet in `unacked` left, and when a small packet held by Nagle's rule may leave (outbox.ts). */
  pacingSentAt: Millis | undefined;
  pacingWakeAt: Millis | undefined;
  /** Ack Requests for Updates that timed out before any was acknowledged, and whether one was (a peer without Acks is not asked forever). */
  ackTimeouts: number;
  acked: boolean;
}

/** One packet awaiting its Ack: the prefix keys and Updates it carried, and its route/seqno requests. */
export interface Unacked {
  readonly updates: readonly KeyedUpdate[];
  readonly requests: readonly Tlv[];
  resends: number;
  resendAt: Millis;
}

/** Returns a fresh neighbour record; unreachable until a Hello and an IHU arrive. */
export function createNeighbour(
  id: NeighbourId,
  publicKey: Uint8Array,
  random: () => number,
  upAt: Millis = 0,
): Neighbour {
  return {
    id,
    slot: -1,
    publicKey: Uint8Array.from(publicKey),
    history: 0,
    historyLen: 0,
    delivery: 1,
    rxcostHeld: RXCOST_UNIT,
    expectedHelloSeqno: undefined,
    helloIntervalMs: HELLO_INTERVAL_MS,
    helloDeadline: undefined,
    txcost: METRIC_INFINITY,
    ihuExpiresAt: undefined,
    lastHelloTransmitUs: undefined,
    lastHelloReceiveUs: undefined,
    rttMs: undefined,
    helloSeqno: Math.floor(random() * 0x10000) & 0xffff,
    sentIhu: false,
    costDrift: 0,
    costDriftSince: 0,
    cost: METRIC_INFINITY,
    lastWildcardAnswerAt: undefined,
    speaksDigest: false,
    upAt,
    unstored: undefined,
    lastHeardAt: undefined,
    heardUsAt: undefined,
    probeAt: undefined,
    silentProbes: 0,
    silentAt: undefined,
    silent: false,
    nextNonce: Math.floor(random() * 0x10000) & 0xffff,
    unacked: new Map(),
    inFlightKeys: new Map(),
    inFlightSentAt: new Map(),
    unackedAt: undefined,
    pacingSentAt: undefined,
    pacingWakeAt: undefined,
    ackTimeouts: 0,
    acked: false,
  };
}

/**
 * Any packet from the neighbour shows the link works towards us: it is not silent, and the count of
 * unanswered probes starts over. Probing itself goes on until it shows it hears us (noteHeardUs).
 */
export function noteAlive(n: Neighbour, now: Millis): void {
  n.lastHeardAt = now;
  n.silent = false;
  n.silentAt = undefined;
  n.silentProbes = 0;
  if (n.probeAt === undefined && n.heardUsAt !== undefined)
    n.probeAt = Math.max(n.heardUsAt + n.helloIntervalMs * PROBE_AFTER_FACTOR, now);
}

/** An IHU or an Ack from the neighbour: it hears us; the next probe is PROBE_AFTER_FACTOR × interval away. */
function noteProof(n: Neighbour, now: Millis): void {
  n.heardUsAt = now;
  n.probeAt = now + n.helloIntervalMs * PROBE_AFTER_FACTOR;
}

/** Returns `now` as an RFC 9616 timestamp: microseconds modulo 2^32. */
export function timestampUs(now: Millis): number {
  return Math.floor(now * 1000) % TIMESTAMP_MODULUS;
}

function clampInterval(cs: number): number {
  return Math.min(NEIGHBOUR_INTERVAL_MAX_MS, Math.max(NEIGHBOUR_INTERVAL_MIN_MS, cs * 10));
}

function shiftHistory(n: Neighbour, bit: 0 | 1): void {
  n.history = ((n.history << 1) | bit) & ((1 << HELLO_HISTORY_BITS) - 1);
  n.historyLen = Math.min(HELLO_HISTORY_BITS, n.historyLen + 1);
  noteDelivery(n, bit);
}

/** Moves the smoothed delivery ratio by one slot (1 received, 0 missed) and applies the rxcost hysteresis. */
function noteDelivery(n: Neighbour, bit: 0 | 1): void {
  n.delivery += (bit - n.delivery) / ETX_SMOOTHING_SLOTS;
  const raw = Math.min(METRIC_INFINITY - 1, Math.ceil(RXCOST_UNIT / Math.max(n.delivery, 1 / 255)));
  if (Math.abs(raw - n.rxcostHeld) * RXCOST_HYSTERESIS_DIV > n.rxcostHeld) n.rxcostHeld = raw;
}

/** Records a Hello from the neighbour (RFC 8966 §3.4.1); seqno gaps count as losses. */
export function handleHello(n: Neighbour, hello: Hello, now: Millis): void {
  const expected = n.expectedHelloSeqno;
  const d = expected === undefined ? undefined : seqnoMinus(hello.seqno, expected);
  if (d === undefined || d >= HELLO_HISTORY_BITS || d <= -HELLO_HISTORY_BITS) {
    // First Hello, or the neighbour's seqno jumped (it restarted): start a new history.
    n.history = 1;
    n.historyLen = 1;
    n.delivery = 1;
    n.rxcostHeld = RXCOST_UNIT;
  } else if (d >= 0) {
    for (let i = 0; i < d; i++) shiftHistory(n, 0);
    shiftHistory(n, 1);
  } else {
    // A late Hello whose slot was already counted as missed: mark that slot received.
    const slot = -d - 1;
    if (slot < n.historyLen && (n.history & (1 << slot)) === 0) {
      n.history |= 1 << slot;
      noteDelivery(n, 1);
    }
  }
  if (d === undefined || d >= 0 || d <= -HELLO_HISTORY_BITS) n.expectedHelloSeqno = seqnoPlus(hello.seqno, 1);
  n.helloIntervalMs = clampInterval(hello.interval);
  n.helloDeadline = now + n.helloIntervalMs * HELLO_MISS_GRACE_FACTOR;
  noteAlive(n, now);
  if (hello.timestamp !== undefined) {
    n.lastHelloTransmitUs = hello.timestamp.transmit;
    n.lastHelloReceiveUs = timestampUs(now);
  }
}

/**
 * Records an IHU; with `helloTransmitUs` (the timestamp of a Hello in the same packet) and an IHU
 * timestamp, takes an RTT sample: (now − origin) − (transmit − receive), RFC 9616 §3.2.
 */
export function handleIhu(n: Neighbour, ihu: Ihu, helloTransmitUs: number | undefined, now: Millis): void {
  n.txcost = Math.max(RXCOST_UNIT, Math.min(METRIC_INFINITY, ihu.rxcost));
  n.ihuExpiresAt = now + clampInterval(ihu.interval) * IHU_HOLD_FACTOR;
  noteProof(n, now);
  if (ihu.timestamp === undefined || helloTransmitUs === undefined) return;
  const total = (timestampUs(now) - ihu.timestamp.origin + TIMESTAMP_MODULUS) % TIMESTAMP_MODULUS;
  const held = (helloTransmitUs - ihu.timestamp.receive + TIMESTAMP_MODULUS) % TIMESTAMP_MODULUS;
  if (total > RTT_SAMPLE_MAX_MS * 1000 || held > RTT_SAMPLE_MAX_MS * 1000) return;
  const sampleMs = Math.max(0, total - held) / 1000;
  n.rttMs =
    n.rttMs === undefined
      ? sampleMs
      : (RTT_DECAY_NUM * sampleMs + (RTT_DECAY_DEN - RTT_DECAY_NUM) * n.rttMs) / RTT_DECAY_DEN;
}

/** An Ack from the neighbour shows it hears us: a valid IHU is held for another IHU hold time. */
export function noteHeardUs(n: Neighbour, now: Millis): void {
  if (n.ihuExpiresAt === undefined || n.ihuExpiresAt <= now) return;
  n.ihuExpiresAt = Math.max(n.ihuExpiresAt, now + n.helloIntervalMs * IHU_HOLD_FACTOR);
  noteProof(n, now);
}

/**
 * Counts the Hellos that did not arrive by `now` (a miss at 1.5 × interval after the last Hello,
 * then one per interval), and declares the neighbour silent once its last probe went unanswered.
 * Returns true if the history or the silence changed.
 */
export function checkHellos(n: Neighbour, now: Millis): boolean {
  let changed = false;
  if (!n.silent && n.silentAt !== undefined && n.silentAt <= now) {
    n.silent = true;
    n.silentAt = undefined;
    changed = true;
  }
  // Bounded: the history holds HELLO_HISTORY_BITS slots, and the loop stops once all are misses.
  while (n.helloDeadline !== undefined && n.helloDeadline <= now) {
    shiftHistory(n, 0);
    if (n.expectedHelloSeqno !== undefined) n.expectedHelloSeqno = seqnoPlus(n.expectedHelloSeqno, 1);
    changed = true;
    // Once the whole history is misses there is nothing more to learn until a Hello arrives.
    n.helloDeadline = n.history === 0 ? undefined : n.helloDeadline + n.helloIntervalMs;
  }
  return changed;
}

/** True when a Hello arrived, the history is not all misses, and the neighbour was not declared silent. */
export function helloReachable(n: Neighbour): boolean {
  return n.historyLen > 0 && n.history !== 0 && !n.silent;
}

/**
 * True when a probe is due at `now`: no IHU or Ack for PROBE_AFTER_FACTOR × interval (a Hello late
 * past its jitter, which carries the IHU), while its IHU is still valid. Schedules the next one
 * interval / PROBE_DIVISOR later, until it answers. After DEAD_PROBES probes with no packet at all
 * from it, sets when it is declared silent: once the last had max(step, 2 × RTT) to be answered.
 * So a lost Hello is followed by probes until an Ack holds the IHU (as many as fit before it
 * expires, 54 at most), and a silent neighbour is dead 1.75 intervals after its last packet.
 */
export function probeDue(n: Neighbour, now: Millis): boolean {
  if (n.probeAt === undefined || n.probeAt > now) return false;
  const idle = n.historyLen === 0 || n.silent || n.silentAt !== undefined;
  if (idle || n.ihuExpiresAt === undefined || n.ihuExpiresAt <= now) {
    n.probeAt = undefined; // until a packet (noteAlive) or an IHU (noteProof)
    return false;
  }
  const step = n.helloIntervalMs / PROBE_DIVISOR;
  n.silentProbes++;
  if (n.silentProbes >= DEAD_PROBES) {
    n.probeAt = undefined;
    n.silentAt = now + Math.max(step, 2 * (n.rttMs ?? RTT_DEFAULT_MS));
  } else {
    // A late timer does not turn into a burst of probes.
    n.probeAt = Math.max(n.probeAt + step, now + step / 2);
  }
  return true;
}

/** Returns our receive cost for this neighbour (sent in IHUs): 256 / smoothed delivery (held), or infinity. */
export function rxcost(n: Neighbour): number {
  return helloReachable(n) ? n.rxcostHeld : METRIC_INFINITY;
}

/** Returns the link cost from RTT and loss, or METRIC_INFINITY when the neighbour is unreachable. */
export function computeCost(n: Neighbour, now: Millis): number {
  const rx = rxcost(n);
  if (rx >= METRIC_INFINITY || n.ihuExpiresAt === undefined || now >= n.ihuExpiresAt) return METRIC_INFINITY;
  if (n.txcost >= METRIC_INFINITY) return METRIC_INFINITY;
  const rtt = n.rttMs ?? RTT_DEFAULT_MS;
  const penalty = Math.min(RTT_MAX_MS - RTT_MIN_MS, Math.max(0, rtt - RTT_MIN_MS));
  const cost = Math.ceil(((LINK_COST_BASE + penalty) * rx * n.txcost) / (RXCOST_UNIT * RXCOST_UNIT));
  return Math.min(LINK_COST_MAX, cost);
}

/** The next time checkHellos(), the IHU hold time, a probe, silence or an unacknowledged packet needs this neighbour. */
export function neighbourDeadline(n: Neighbour, now: Millis): Millis | undefined {
  let d = n.helloDeadline;
  if (n.silentAt !== undefined && (d === undefined || n.silentAt < d)) d = n.silentAt;
  if (n.ihuExpiresAt !== undefined && n.ihuExpiresAt > now && (d === undefined || n.ihuExpiresAt < d)) {
    d = n.ihuExpiresAt;
  }
  if (n.probeAt !== undefined && (d === undefined || n.probeAt < d)) d = n.probeAt;
  if (n.unackedAt !== undefined && (d === undefined || n.unackedAt < d)) d = n.unackedAt;
  if (n.pacingWakeAt !== undefined && (d === undefined || n.pacingWakeAt < d)) d = n.pacingWakeAt;
  return d;
}

/** Returns the Hello to send now (unicast, RFC 9616 timestamp) and advances our Hello seqno. */
export function makeHello(n: Neighbour, now: Millis, intervalMs: number = HELLO_INTERVAL_MS): Hello {
  const hello: Hello = {
    type: TlvType.Hello,
    unicast: true,
    seqno: n.helloSeqno,
    interval: Math.round(intervalMs / 10),
    timestamp: { transmit: timestampUs(now) },
  };
  n.helloSeqno = seqnoPlus(n.helloSeqno, 1);
  return hello;
}

/** Returns the IHU to send with a Hello: our rxcost, and the echo of the neighbour's last Hello timestamp. */
export function makeIhu(n: Neighbour, intervalMs: number = IHU_INTERVAL_MS): Ihu {
  const rx = rxcost(n);
  if (rx < METRIC_INFINITY) n.sentIhu = true;
  const base = {
    type: TlvType.IHU,
    rxcost: rx,
    interval: Math.round(intervalMs / 10),
    ae: AE.Wildcard,
    address: new Uint8Array(0),
  } as const;
  if (n.lastHelloTransmitUs === undefined || n.lastHelloReceiveUs === undefined) return base;
  return { ...base, timestamp: { origin: n.lastHelloTransmitUs, receive: n.lastHelloReceiveUs } };
}
