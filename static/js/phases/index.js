/*
 * The phase kinds of the front end: one module per kind (see docs/architecture.md,
 * "Adding a phase kind"). A kind module exports
 *   label                  English msgid of the kind's name (the control view's outline)
 *   phone(ctx), projector(ctx), control(ctx)
 *                          build the kind's view into the page and return it:
 *                          phone/projector {update?(), layout?(k), onStatus?()},
 *                          control {nodes: [...], update?()}
 * and, where it has them:
 *   takesInput             the control view shows the input open/closed switch
 *   queued, clientId       participant events the phone's outbox queues and replays,
 *                          and those that get a client_id (FA.queuedEvents, common.js)
 *   skipLabel              the control view's skip link text (msgid)
 *   inputNote(phase)       whether the control view shows the note under the input switch
 *   ownsIdea(phase, idea)  whether an idea event belongs to what the control view shows
 *   resyncOn               delta events after which the control view re-reads the snapshot
 *   phoneState(ctx, state), phoneDelta(ctx, name, payload), phoneReplayed(ctx, event, payload, ack)
 *                          phone-wide hooks, called in every phase
 * Pages import `kinds` (participant.js, projector.js) or read FA.phaseKinds (control.js,
 * which is also the classic helper script of the other dashboard pages).
 */
import * as info from './info.js';
import * as ideas from './ideas.js';
import * as group from './group.js';
import * as vote from './vote.js';
import * as classify from './classify.js';
import * as rate from './rate.js';
import * as poll from './poll.js';
import * as private_ from './private.js';
import * as actions from './actions.js';
import * as summary from './summary.js';
import * as small_groups from './small_groups.js';
import * as review from './review.js';
import * as results from './results.js';
import { baseContext } from './shared.js';

export var kinds = {
  info: info,
  ideas: ideas,
  group: group,
  vote: vote,
  classify: classify,
  rate: rate,
  poll: poll,
  private: private_,
  actions: actions,
  summary: summary,
  small_groups: small_groups,
  results: results,
  review: review
};

// The kind of a phase, or info (a plain page) for a kind this page does not know.
export function kindOf(name) {
  return Object.prototype.hasOwnProperty.call(kinds, name) ? kinds[name] : info;
}

// Every kind's hook of this name, for the phone-wide hooks.
export function hooks(name) {
  return Object.keys(kinds).map(function (k) { return kinds[k][name]; }).filter(Boolean);
}

// The outbox's events: {event: {clientId: bool}}.
export var queuedEvents = {};
Object.keys(kinds).forEach(function (k) {
  var kind = kinds[k];
  (kind.queued || []).forEach(function (event) {
    queuedEvents[event] = { clientId: (kind.clientId || []).indexOf(event) >= 0 };
  });
});

window.FA.queuedEvents = queuedEvents;
// Kinds' own deltas and the events after which every page re-reads its snapshot.
window.FA.kindDeltas = hooks('applyDelta');
window.FA.resyncEvents = hooks('resyncEvents').reduce(function (a, b) { return a.concat(b); }, []);
window.FA.phaseKinds = { kinds: kinds, kindOf: kindOf, hooks: hooks, baseContext: baseContext };
