/**
 * Re-running route selection for one prefix and carrying out what follows (babeld's
 * consider_route / route_changed): the forwarding-table action, a triggered update or a
 * retraction, a seqno request on starvation, notifications, and dropping an empty entry. The
 * selection rule itself is `selectRoute` in route.ts.
 */
import { bytesEqual } from './_keys.js';
import { type EngineState, feasible, formatPrefix, notify } from './_state.js';
import { METRIC_INFINITY, METRIC_TRIGGER_MIN_DELTA } from './constants.js';
import { answerRouteRequest, checkStarvation } from './request.js';
import { type PrefixEntry, routeMetric, selectRoute, significantChange } from './route.js';
import { sendRetraction, sendTriggered } from './send.js';
import { seqnoCompare } from './seqno.js';

/**
 * Re-runs route selection for one prefix and carries out the consequences: the forwarding-table
 * action, a triggered update or retraction, a seqno request on starvation, notifications, and
 * dropping the entry when it holds nothing.
 */
export function reselect(s: EngineState, e: PrefixEntry): void {
  const old = e.selected;
  const sel = selectRoute(e, s.now, (r) => feasible(s, r));
  e.selected = sel;
  if (sel !== old) {
    if (sel !== undefined) {
      s.counters.add('route.selected');
      notify(s, 'routeSelected', {
        prefix: formatPrefix(e.prefix),
        neighbour: sel.neighbour.id,
        metric: routeMetric(sel),
        seqno: sel.seqno,
      });
    } else {
      notify(s, 'routeLost', { prefix: formatPrefix(e.prefix) });
    }
  }
  syncForwarding(s, e);
  let triggered = false;
  if (sel !== undefined) {
    const m = routeMetric(sel);
    const adv = e.advertised;
    // A new next hop is always announced: split horizon hid the old route from that neighbour.
    if (
      sel !== old ||
      adv === undefined ||
      adv.metric >= METRIC_INFINITY ||
      seqnoCompare(sel.seqno, adv.seqno) !== 0 ||
      significantChange(adv.metric, m, METRIC_TRIGGER_MIN_DELTA)
    ) {
      sendTriggered(s, e);
      triggered = true;
    }
    answerRouteRequest(s, e, triggered);
  } else {
    if (e.advertised !== undefined && e.advertised.metric < METRIC_INFINITY) sendRetraction(s, e);
    checkStarvation(s, e);
    if (e.routes.length === 0) s.table.delete(e.key);
  }
}

/** Emits installRoute/removeRoute when the forwarding entry for this prefix changes. */
function syncForwarding(s: EngineState, e: PrefixEntry): void {
  const sel = e.selected;
  const inst = e.installed;
  if (sel === undefined) {
    if (inst !== undefined) {
      e.installed = undefined;
      s.actions.push({ kind: 'removeRoute', prefix: e.prefix });
    }
    return;
  }
  const m = routeMetric(sel);
  if (
    inst !== undefined &&
    inst.neighbour === sel.neighbour.id &&
    inst.seqno === sel.seqno &&
    bytesEqual(inst.originator, sel.originator) &&
    !significantChange(inst.metric, m, METRIC_TRIGGER_MIN_DELTA)
  ) {
    return;
  }
  e.installed = { neighbour: sel.neighbour.id, metric: m, seqno: sel.seqno, originator: sel.originator };
  s.actions.push({
    kind: 'installRoute',
    entry: {
      prefix: e.prefix,
      neighbour: sel.neighbour.id,
      metric: m,
      seqno: sel.seqno,
      originator: sel.originator,
    },
  });
}
