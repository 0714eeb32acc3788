/**
 * Numbers of the routing engine, kept by kind (wireguard-go's constants.go): what RFC 8966 /
 * RFC 9616 fix or recommend, then what hypha chose. A derived value is written as its arithmetic.
 * Every interval is in milliseconds unless its name says CS (centiseconds, the wire unit).
 * docs/protocol/routing-engine.md explains each choice that differs from the RFC.
 */

// ---------------------------------------------------------------------------------------------
// Specification constants (RFC 8966 §2.1, §3, Appendix B; RFC 9616 §3)
// ---------------------------------------------------------------------------------------------

/** Metric infinity: a route with this metric is unreachable; an Update with it is a retraction. */
export const METRIC_INFINITY = 0xffff;
/** Seqnos are 16-bit and compared modulo 2^16 (RFC 8966 §3.2.1). */
export const SEQNO_MODULUS = 0x10000;
/** Route hold time is 3.5 × the interval advertised in the Update (RFC 8966 App. B). */
export const ROUTE_HOLD_FACTOR = 3.5;
/** IHU hold time is 3.5 × the IHU interval the neighbour advertised (RFC 8966 App. B). */
export const IHU_HOLD_FACTOR = 3.5;
/** A request is resent after 2 s, doubling each time, at most 3 times (RFC 8966 App. B). */
export const REQUEST_TIMEOUT_MS = 2_000;
export const REQUEST_MAX_RESENDS = 3;
/** Sources unused for this long are forgotten (RFC: 3 min; babeld uses 200 s). */
export const SOURCE_GC_TIME_MS = 3 * 60_000;
/** Timestamps are microseconds modulo 2^32 (RFC 9616 §3.1). */
export const TIMESTAMP_MODULUS = 0x1_0000_0000;
/** RTT smoothing, babeld's default rtt-decay 42/256 (an EWMA with α ≈ 0.16). */
export const RTT_DECAY_NUM = 42;
export const RTT_DECAY_DEN = 256;

// ---------------------------------------------------------------------------------------------
// Implementation constants (hypha's choices; see docs/protocol/routing-engine.md)
// ---------------------------------------------------------------------------------------------

/** Jitter as babeld's roughly(): a delay d becomes uniform in [d × (1 − J), d × (1 + J)). */
export const JITTER_FRACTION = 0.25;
/** Unicast Hello (with an IHU piggybacked) to every neighbour; RFC's multicast default is 4 s. */
export const HELLO_INTERVAL_MS = 4_000;
/** An IHU rides in the same packet as every Hello, so the advertised IHU interval is the Hello's. */
export const IHU_INTERVAL_MS = HELLO_INTERVAL_MS;
/** For the loss estimate, the first missing Hello is counted at 1.5 × the neighbour's interval after the last one, then every interval. */
export const HELLO_MISS_GRACE_FACTOR = 1.5;
/** Bounds on the Hello/IHU interval a neighbour may advertise (a bogus 0 or 655 s is clamped). */
export const NEIGHBOUR_INTERVAL_MIN_MS = 1_000;
export const NEIGHBOUR_INTERVAL_MAX_MS = 60_000;
/** Hello history length for the loss estimate. */
export const HELLO_HISTORY_BITS = 16;
/**
 * Silence detection (docs/protocol/routing-engine.md, "Silent link failure"). A neighbour whose
 * last IHU or Ack is PROBE_AFTER_FACTOR × its Hello interval old (the longest jittered Hello gap) is
 * probed with an Ack Request (RFC 8966 §4.6.3) every interval / PROBE_DIVISOR until it answers;
 * when DEAD_PROBES probes went out with no packet at all from it and the last one had
 * max(interval / PROBE_DIVISOR, 2 × RTT) to be answered, it is dead: 1.75 intervals after its last
 * packet. A live link must lose
 * a Hello and all 12 probe round trips: at 20% loss each way 0.2 × 0.36^12 ≈ 1e-6 per Hello slot
 * (RFC 8966's 2-out-of-3 rule declared a link at 10% loss down every ~36 Hello intervals).
 */
export const PROBE_AFTER_FACTOR = 1 + JITTER_FRACTION;
export const PROBE_DIVISOR = 24;
export const DEAD_PROBES = 12;
/**
 * The delivery ratio behind rxcost (ETX) is an exponential average over Hello slots with weight
 * 1/ETX_SMOOTHING_SLOTS per slot (a 16-slot window swung rxcost by ±8% at 10% loss, and the
 * metric noise made routes flap and FDs ratchet into seqno-request waves). The rxcost we use and
 * send changes only when the new value is more than 1/RXCOST_HYSTERESIS_DIV away from the current:
 * with 1/8, 20% random loss still moved it 8 times per 1,000 Hello slots (each a metric step that
 * could end in a network-wide seqno bump), with 1/4 about 0.04 times. Loss is a coarse signal next
 * to RTT; a link going from 0% to 50% loss is priced up (+25%) after about 16 Hello slots.
 */
export const ETX_SMOOTHING_SLOTS = 32;
export const RXCOST_HYSTERESIS_DIV = 4;

/**
 * Periodic full refresh of the selected routes, jittered ±25%. Between refreshes, changes travel
 * as triggered updates; the refresh only keeps hold times alive and repairs lost triggered updates.
 * RFC 8966's default is 16 s; Mycelium went to 300 s and then stopped re-announcing altogether.
 */
export const UPDATE_INTERVAL_MS = 60_000;
/** Interval written into Updates, in centiseconds (a u16 on the wire). */
export const UPDATE_INTERVAL_CS = UPDATE_INTERVAL_MS / 10;
/** Bounds applied to the interval received in an Update before computing the hold time. */
export const ROUTE_INTERVAL_MIN_MS = 1_000;
/**
 * A selected route this close to its expiry (at most; half the update interval when that is less)
 * gets a one-hop route request to its neighbour, and again at half that: the periodic refresh is
 * not acknowledged, and three lost in a row would expire a route under a live neighbour.
 */
export const ROUTE_REFRESH_AHEAD_MS = 30_000;
export const ROUTE_INTERVAL_MAX_MS = 5 * 60_000;
/** A retraction is sent twice: now and again after this delay (RFC 8966 §3.7.2 "reliably"). */
export const URGENT_RESEND_MS = 1_000;
/**
 * Acknowledged updates (RFC 8966 §3.3): every packet carrying Updates ends with an Ack Request; an
 * unacknowledged one is resent with the current state of its prefixes after max(ACK_TIMEOUT_MIN_MS,
 * 2 × RTT), doubling up to ACK_TIMEOUT_MAX_MS, at most ACK_MAX_RESENDS times (then the periodic
 * refresh repairs it): at 20% loss each way a round trip fails 36% of the time, 7 sends 0.08%.
 */
export const ACK_TIMEOUT_MIN_MS = 250;
export const ACK_TIMEOUT_MAX_MS = 2_000;
export const ACK_MAX_RESENDS = 6;
/** Updates per packet (132 bytes each signed, so 10 fit a 1,400-byte control packet with Hello/IHU). */
export const UPDATES_PER_PACKET = 10;
/**
 * A neighbour that let this many Ack Requests time out and acknowledged none does not implement
 * them: stop asking (its Updates then leave unpaced). Counted on timeouts, not on sends, so a first
 * window of PACING_WINDOW packets in flight does not look like a neighbour without Acks.
 */
export const ACK_UNSUPPORTED_AFTER = 32;
/**
 * Unacknowledged packets remembered per neighbour; the oldest is forgotten beyond this (`ack.dropped`).
 * Only a safety net: the window keeps Update packets to PACING_WINDOW, and requests are few.
 */
export const MAX_UNACKED_PER_NEIGHBOUR = 512;
/**
 * Pacing (docs "Pacing"): at most this many acknowledged packets of Updates in flight per
 * neighbour; the rest wait in the per-neighbour queue, where a newer Update for the same prefix
 * replaces the waiting one. A full dump of 10,000 routes is 1,000 packets: 16 round trips, 0.16 s
 * at 10 ms RTT and 0.8 s at 50 ms; at 10% loss each way (19% of round trips fail and hold their
 * slot for the 250 ms Ack timeout) about 1.1 s and 1.7 s. 64 × ~1.4 KB = 90 KB in flight.
 */
export const PACING_WINDOW = 64;
/**
 * Nagle's rule: a packet with fewer than UPDATES_PER_PACKET Updates is held while a packet to the
 * same neighbour sent less than PACING_HOLD_RTT × RTT ago awaits its Ack, so that during the boot
 * churn the changes of one round trip ride together instead of one small packet per handle() and
 * neighbour. Not until the Ack timeout (≥ 250 ms): at 20% loss, waiting for it behind every lost
 * packet cost grid 100 about 1.5 s of convergence. Half a round trip, not 1.5: the hold applies at
 * every hop, and 1.5 RTT slowed recovery after a reported failure by 0.2–0.4 s (grid 100 crash
 * 0.7 → 1.1 s); at 0.5 it is 0.9 s, with ~7% more packets at boot (scale-free 300).
 */
export const PACING_HOLD_RTT = 0.5;
/**
 * A newer Update for a prefix waits while a packet carrying that prefix to the same neighbour is
 * unacknowledged (update-queue.ts), but at most this many round trips after that packet left: by
 * then it or its Ack is lost rather than slow, and waiting for the Ack timeout (≥ 250 ms, doubling)
 * behind every lost packet slowed convergence at 20% loss by 1.5 s.
 */
export const PARK_MAX_RTT = 2;

/** Link cost: a fixed per-hop part plus the smoothed RTT in ms, clamped, scaled by ETX from loss. */
export const LINK_COST_BASE = 10;
/** RTT below RTT_MIN_MS adds nothing; above RTT_MAX_MS adds no more (RFC 9616's rtt-min/rtt-max). */
export const RTT_MIN_MS = 1;
export const RTT_MAX_MS = 2_000;
/** RTT assumed before the first sample (a neighbour whose peer does not send timestamps). */
export const RTT_DEFAULT_MS = 100;
/** A sample larger than this (ms) is discarded as a clock or echo error. */
export const RTT_SAMPLE_MAX_MS = 10_000;
/** rxcost of a loss-free link in an IHU; 2 × this is a 50% delivery ratio (ETX scale). */
export const RXCOST_UNIT = 256;
/** The largest cost one link may have (finite). */
export const LINK_COST_MAX = 0x7fff;
/**
 * A finite link cost is applied only when it moved by cost/16, at least COST_BAND_MIN and at most
 * COST_BAND_MAX (= SWITCH_MIN_GAIN, so a band never hides a move that could change a selection
 * on its own).
 */
export const COST_BAND_MIN = 2;
export const COST_BAND_MAX = 8;
/** A cost move smaller than the band is applied once it has held the same direction this long. */
export const COST_SETTLE_MS = 30_000;

/**
 * Route switching hysteresis: a candidate replaces the selected route only when it is better in
 * both its current metric and its smoothed metric (babeld's strong ordering), and better in the
 * current metric by at least SWITCH_MIN_GAIN (≈ ms), so RTT noise cannot flip two equal paths.
 */
export const SWITCH_MIN_GAIN = 8;
/** Half-life of the smoothed metric (babeld -M, default 4 s). */
export const SMOOTHING_HALF_LIFE_MS = 4_000;
/**
 * A neighbour up this many update intervals without sending a Route Digest is an older hypha and
 * gets the full refresh: past the latest first digest of a newer one (1 + JITTER_FRACTION
 * intervals), with margin.
 */
export const LEGACY_AFTER_INTERVALS = 1.5;
/** A held switch is looked at again on this grid (ms), so a burst of them shares timer events. */
export const RESELECT_GRANULARITY_MS = 250;
/** A metric change of the selected route triggers an update past max(this, 1/4 of the old metric); 1/8 let RTT jitter alone cost ~30% more updates in sim (100 nodes). */
export const METRIC_TRIGGER_MIN_DELTA = 16;

/** Route requests travel at most this many hops (Mycelium: 16 generations); seqno requests 64. */
export const ROUTE_REQUEST_HOP_COUNT = 16;
export const SEQNO_REQUEST_HOP_COUNT = 64;
/** A forwarded request is remembered this long for dedup and to answer its requesters. */
export const FORWARDED_REQUEST_TTL_MS = 15_000;
/** babeld ignores a seqno request this far ahead of the source ("a source that lost its seqno"). */
export const SEQNO_REQUEST_MAX_AHEAD = 100;
/** Own seqno is bumped at most once per this interval (Mycelium: 4 s). */
export const SEQNO_BUMP_MIN_INTERVAL_MS = 1_000;
/** A wildcard route request (full dump) is answered at most once per this interval per neighbour. */
export const WILDCARD_REQUEST_MIN_INTERVAL_MS = 5_000;

/** Caps: every table is bounded (defaults; RoutingConfig can change them). */
export const MAX_NEIGHBOURS = 1_024;
export const MAX_PREFIXES = 32_768;
export const MAX_ROUTES_PER_PREFIX = 8;
export const MAX_SOURCES = MAX_PREFIXES * 2;
export const MAX_PENDING_REQUESTS = 1_024;
/** At most this many requesters are remembered per forwarded request. */
export const MAX_REQUESTERS = 16;
