/**
 * Re-running route selection for one prefix and carrying out what follows (babeld's
 * consider_route / route_changed): the forwarding-table action, a triggered update or a
 * retraction, a seqno request on starvation, notifications, and freeing a slot that holds
 * nothing. The selection rule itself is `selectRoute` in route.ts.
 */
import { prefixTextOfId } from './_keys.js';
import { armRefresh, type EngineState, feasible, notify } from './_state.js';
import { METRIC_TRIGGER_MIN_DELTA, RESELECT_GRANULARITY_MS, SMOOTHING_HALF_LIFE_MS } from './constants.js';
import { answerRouteRequest, checkStarvation } from './request.js';
import { routeMetric, selectRoute, significantChange } from './route.js';
import { sendRetraction, sendTriggered } from './send.js';
import { NONE } from './table.js';

/**
 * Re-runs route selection for slot `p` and carries out the consequences: the forwarding-table
 * action, a triggered update or retraction, a seqno request on starvation, notifications, and
 * freeing the slot when it holds neither a route nor a feasibility distance.
 */
export function reselect(s: EngineState, p: number): void {
  const t = s.table;
  const old = t.sel[p]!;
  const sel = selectRoute(
    t,
    p,
    s.now,
    (r) => feasible(s, p, r),
    () => {
      // Rounded up so that the switches held during a burst share one timer event.
      const at =
        Math.ceil((s.now + SMOOTHING_HALF_LIFE_MS) / RESELECT_GRANULARITY_MS) * RESELECT_GRANULARITY_MS;
      s.reselectAt.set(p, at);
      if (s.reselectDeadline === undefined || at < s.reselectDeadline) s.reselectDeadline = at;
    },
  );
  t.sel[p] = sel;
  if (sel !== old) {
    armRefresh(s, p);
    if (sel !== NONE) {
      s.counters.add('route.selected');
      // Guarded here too: this is the one notification per route change (no detail object for nobody).
      if (s.cfg.notifications)
        notify(s, 'routeSelected', {
          prefix: prefixTextOfId(p),
          neighbour: t.nbr[t.rNbr[sel]!]!.id,
          metric: routeMetric(t, sel),
          seqno: t.rSeqno[sel],
        });
    } else {
      notify(s, 'routeLost', { prefix: prefixTextOfId(p) });
    }
  }
  syncForwarding(s, p);
  if (sel !== NONE) {
    const m = routeMetric(t, sel);
    // A new next hop is always announced: split horizon hid the old route from that neighbour.
    const trigger =
      sel !== old ||
      !t.announcing(p) ||
      t.rSeqno[sel] !== t.advSeqno[p] ||
      significantChange(t.advMetric[p]!, m, METRIC_TRIGGER_MIN_DELTA) ||
      // What we announce must stay above what our next hop announces to us: else, once it leaves
      // (the FD is recorded at sending), the FD passes below our own selected route, which turns
      // infeasible and is dropped later for no reason (a 0.2 s outage for that prefix).
      t.rRef[sel]! >= t.advMetric[p]!;
    // The new next hop still holds what we announced before our route came to go through it.
    const poison = sel !== old && t.announcing(p) ? t.rNbr[sel]! : NONE;
    if (trigger) sendTriggered(s, p, poison);
    answerRouteRequest(s, p, trigger);
  } else {
    if (t.announcing(p)) sendRetraction(s, p);
    checkStarvation(s, p);
    if (t.head[p] === NONE && !t.hasFd(p)) t.freeSlot(p);
  }
}

/**
 * The Reselect timer: re-selects the slots whose held switch is due and re-arms for the others. Its
 * own timer, not the Expiry sweep: that one scans the whole table, and held switches at a boot
 * come by the thousand per node.
 */
export function reselectDue(s: EngineState): void {
  s.reselectDeadline = undefined;
  const due: number[] = [];
  for (const [p, at] of s.reselectAt) {
    if (at <= s.now) due.push(p);
    else if (s.reselectDeadline === undefined || at < s.reselectDeadline) s.reselectDeadline = at;
  }
  for (const p of due) {
    s.reselectAt.delete(p);
    if (s.table.isLive(p)) reselect(s, p);
  }
}

/** Emits installRoute/removeRoute when the forwarding entry for slot `p` changes. */
function syncForwarding(s: EngineState, p: number): void {
  const t = s.table;
  const sel = t.sel[p]!;
  if (sel === NONE) {
    if (t.instNbr[p] !== NONE) {
      t.instNbr[p] = NONE;
      s.actions.push({ kind: 'removeRoute', prefix: t.prefix(p) });
    }
    return;
  }
  const m = routeMetric(t, sel);
  const nbr = t.rNbr[sel]!;
  const seqno = t.rSeqno[sel]!;
  if (
    t.instNbr[p] === nbr &&
    t.instSeqno[p] === seqno &&
    !significantChange(t.instMetric[p]!, m, METRIC_TRIGGER_MIN_DELTA)
  ) {
    return;
  }
  t.instNbr[p] = nbr;
  t.instMetric[p] = m;
  t.instSeqno[p] = seqno;
  s.actions.push({
    kind: 'installRoute',
    entry: { prefix: t.prefix(p), neighbour: t.nbr[nbr]!.id, metric: m, seqno, originator: t.originKey(p) },
  });
}
