/* Dot voting on the ideas or themes of an earlier phase; counts hidden until input closes
   unless show_results is "live" (the facilitator always sees them). */
import { renderTally } from './shared.js';

var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Voting';
export var takesInput = true;
// Set semantics (the count for an item), so the phone's outbox may queue and replay it.
export var queued = ['vote.set'];
export var clientId = ['vote.set'];
// The ballot's items are computed by the server from ideas and themes: re-read on these.
export var resyncOn = ['idea.added', 'idea.updated', 'idea.removed', 'themes'];

// The coalesced results (`tally`), titled from the ballot's items.
export function applyDelta(state, name, payload) {
  var v = state.vote;
  if (name !== 'tally' || !v || v.phase_id !== payload.phase_id) return false;
  v.results = FA.titleRows(payload.results, v.items);
  v.voters = payload.voters;
  v.participants = payload.participants;
  v.revealed = payload.revealed;
  return true;
}

// The control view's note under the input switch: results are hidden from the room.
export function inputNote(phase) {
  return !!(phase.settings && phase.settings.show_results === 'after_close' && phase.input_open);
}

function votedText(v) {
  return t('{voters} / {participants} voted', { voters: v.voters || 0, participants: v.participants || 0 });
}

export function phone(ctx) {
  var v = ctx.state().vote;
  if (!v) {
    ctx.body.appendChild(el('p', { class: 'muted' }, t('Nothing to vote on yet.')));
    return {};
  }
  var open = ctx.phase().input_open;
  var dots = el('span', { class: 'dots', 'aria-hidden': 'true' });
  var leftText = el('span', { class: 'vote-budget-text' });
  if (open) {
    ctx.body.appendChild(el('div', { class: 'vote-budget' }, dots, leftText,
      el('span', { class: 'muted' }, v.per_item_cap > 1
        ? t('At most {cap} per item', { cap: v.per_item_cap })
        : t('One vote per item'))));
  } else {
    ctx.body.appendChild(el('p', { class: 'card' }, t('Voting is closed.')));
  }
  var items = el('ul', { class: 'plain-list vote-items' });
  var results = el('section', { class: 'vote-results', 'aria-labelledby': 'vote-results-h' });
  ctx.body.appendChild(items);
  ctx.body.appendChild(results);

  function update() {
    var v = ctx.state().vote;
    if (!v) return;
    var open = ctx.phase().input_open;
    var left = Math.max(0, v.budget - v.used);
    FA.clear(dots);
    for (var i = 0; i < v.budget; i++) dots.appendChild(el('span', { class: 'dot' + (i < left ? ' is-free' : '') }));
    leftText.textContent = t('{left}/{budget} votes left', { left: left, budget: v.budget });

    FA.reconcile(items, v.items || [], function (it) { return it.key; }, function (it) {
      var titleId = 'item-' + it.key.replace(/\W/g, '-');
      var out = el('output', { 'aria-live': 'off' });
      var minus = el('button', {
        type: 'button', class: 'btn', 'aria-describedby': titleId,
        dataset: { fkey: 'minus-' + it.key }, onclick: function () { setVote(it.key, -1); }
      }, el('span', { 'aria-hidden': 'true' }, '−'), el('span', { class: 'visually-hidden' }, t('Remove a vote')));
      var plus = el('button', {
        type: 'button', class: 'btn', 'aria-describedby': titleId,
        dataset: { fkey: 'plus-' + it.key }, onclick: function () { setVote(it.key, 1); }
      }, el('span', { 'aria-hidden': 'true' }, '+'), el('span', { class: 'visually-hidden' }, t('Add a vote')));
      var li = el('li', { class: 'card vote-item' },
        ctx.inLang(el('h3', { id: titleId }, it.title), ctx.sessionLang()),
        open ? el('div', { class: 'stepper' }, minus, out, plus) : out,
        it.ideas && it.ideas.length && !(it.ideas.length === 1 && it.ideas[0] === it.title)
          ? ctx.inLang(el('ul', { class: 'item-ideas' }, it.ideas.map(function (x) { return el('li', null, x); })), ctx.sessionLang()) : null,
        el('p', { class: 'error', role: 'alert' }));
      li._parts = { out: out, minus: minus, plus: plus, error: li.lastChild };
      return li;
    }, function (li, it) {
      var n = v.my_votes[it.key] || 0;
      var parts = li._parts;
      parts.out.textContent = open ? String(n) : t('Your votes: {count}', { count: n });
      li.classList.toggle('has-votes', n > 0);
      // aria-disabled keeps the button focusable, so focus is not lost when the budget runs out.
      parts.minus.setAttribute('aria-disabled', n <= 0 ? 'true' : 'false');
      parts.plus.setAttribute('aria-disabled', n >= v.per_item_cap || left <= 0 ? 'true' : 'false');
    });

    FA.clear(results);
    if (v.results) {
      var titles = {};
      (v.items || []).forEach(function (it) { titles[it.key] = it.title; });
      var rows = v.results.slice().sort(function (a, b) { return b.count - a.count; }).map(function (r) {
        return { label: titles[r.key] || r.key, count: r.count, highlight: (v.my_votes[r.key] || 0) > 0 };
      });
      results.appendChild(el('h3', { class: 'section-title', id: 'vote-results-h' }, t('Results')));
      results.appendChild(el('p', { class: 'muted' }, votedText(v)));
      results.appendChild(FA.chart(el('div'), rows, { unit: t('votes') }));
    } else if (typeof v.voters === 'number') {
      // The counts stay on the server until input closes: only how many have voted.
      results.appendChild(el('h3', { class: 'section-title', id: 'vote-results-h' }, t('Results')));
      results.appendChild(el('p', { class: 'vote-progress' }, votedText(v)));
      results.appendChild(el('p', { class: 'muted' }, t('The results are shown when voting closes.')));
    }
  }

  function errorNode(key) {
    var li = items._faNodes && items._faNodes.get(key);
    return li && li._parts.error;
  }

  function setVote(key, delta) {
    var v = ctx.state().vote;
    var cur = v.my_votes[key] || 0;
    var next = cur + delta;
    // Only the latest problem matters; older messages on other items would mislead.
    items.querySelectorAll('.vote-item .error').forEach(function (n) { n.textContent = ''; });
    if (next < 0) return;
    if (next > v.per_item_cap) {
      ctx.setError(errorNode(key), t('At most {cap} per item', { cap: v.per_item_cap }));
      return;
    }
    if (delta > 0 && v.used >= v.budget) {
      ctx.setError(errorNode(key), t('You have used all your votes. Remove one to vote for something else.'));
      return;
    }
    var before = { my: Object.assign({}, v.my_votes), used: v.used };
    if (next) v.my_votes[key] = next;
    else delete v.my_votes[key];
    v.used += delta;
    update();
    var left = v.budget - v.used;
    ctx.announce(t('{count} on this item. {left}/{budget} votes left.', { count: next, left: left, budget: v.budget }));
    ctx.conn.emit('vote.set', { item: key, count: next }).then(function (ack) {
      var now = ctx.state().vote;
      if (!now || now.phase_id !== v.phase_id) return;
      var morePending = ctx.conn.outbox().some(function (e) { return e.event === 'vote.set'; });
      if (ack.ok) {
        // Later taps are still on their way; their acks will carry the final numbers.
        if (!morePending) {
          now.my_votes = ack.my_votes || now.my_votes;
          if (typeof ack.used === 'number') now.used = ack.used;
        }
      } else {
        now.my_votes = before.my;
        now.used = before.used;
        ctx.setError(errorNode(key), ctx.errMsg(ack));
      }
      if (ctx.isCurrent()) update();
    });
  }

  return { update: update };
}

export function projector(ctx) {
  var bar = ctx.metaRow();
  var status = el('p', { class: 'p-vote-status' });
  var note = el('p', { class: 'p-vote-note' }, t('The results are shown when voting closes.'));
  var ballot = el('div', { class: 'p-flow p-ballot' });
  var host = el('div', { class: 'p-rows' });
  ctx.fit.appendChild(status);
  ctx.fit.appendChild(note);
  ctx.fit.appendChild(ballot);
  ctx.fit.appendChild(host);
  var cards = new Map();
  return {
    update: function () {
      var v = ctx.state().vote;
      if (!v) return;
      bar.meta.textContent = t('{budget} votes each', { budget: v.budget });
      status.textContent = votedText(v);
      var hidden = !v.results;
      // Until input closes the room sees how many have voted and what is on the ballot, never the counts.
      note.hidden = !hidden;
      ballot.hidden = !hidden;
      host.hidden = hidden;
      FA.clear(host);
      if (hidden) return;
      var counts = {};
      v.results.forEach(function (r) { counts[r.key] = r.count; });
      var rows = (v.items || []).map(function (it, i) {
        return { label: it.title, count: counts[it.key] || 0, order: i };
      }).sort(function (a, b) { return b.count - a.count || a.order - b.order; });
      var top = rows.length ? rows[0].count : 0;
      rows.forEach(function (r) { r.highlight = top > 0 && r.count === top; });
      host.appendChild(FA.chart(el('div'), rows, { unit: t('votes') }));
    },
    layout: function (k) {
      var v = ctx.state().vote;
      if (v && !v.results) {
        return ctx.flow(ballot, (v.items || []).map(function (it) {
          var li = cards.get(it.key);
          if (!li) cards.set(it.key, (li = el('li', { class: 'p-card' })));
          if (li.textContent !== it.title) li.textContent = it.title;
          return { node: li };
        }), k, bar.pager);
      }
      return ctx.pageRows(host, Array.prototype.slice.call(host.querySelectorAll('.chart-row')), k, bar.pager);
    }
  };
}

export function control(ctx) {
  var s = ctx.settings();
  var vote = ctx.state().vote;
  var chart = el('div', { class: 'tally', id: 'tally-chart' });
  var voters = el('p', { class: 'voters' });
  var detail = el('div', { class: 'vote-items' });
  var rules = t('Each participant has {budget} votes, at most {cap} per item.', { budget: s.budget || (vote && vote.budget) || '', cap: s.per_item_cap || (vote && vote.per_item_cap) || '' });
  var when = s.show_results === 'live'
    ? t('Participants see the results live.')
    : t('The projector and phones show only how many have voted; the results appear on them when you close input. You see them live here.');
  var sec = ctx.section(t('Live results'), 'sec-tally', [
    el('p', { class: 'phase-hint' }, rules, ' ', when), voters, chart]);
  var secItems = ctx.section(t('What is being voted on'), 'sec-items', [detail]);
  return {
    nodes: [sec, secItems],
    update: function () {
      var v = ctx.state().vote;
      if (!ctx.changed('tally', v)) return;
      if (!v) {
        ctx.patch(chart, el('p', { class: 'empty' }, t('Nothing to vote on yet.')));
        return;
      }
      voters.textContent = ctx.countText(v.voters || 0, '1 participant has voted.', '{n} participants have voted.');
      renderTally(ctx, chart, v, null);
      ctx.patch(detail, (v.items || []).length
        ? el('ul', { class: 'vote-item-list', lang: ctx.sessionLang() }, v.items.map(function (it) {
          return el('li', null, el('span', { class: 'item-title' }, it.title),
            it.ideas && it.ideas.length ? el('ul', null, it.ideas.map(function (x) { return el('li', null, x); })) : null);
        }))
        : el('p', { class: 'empty' }, t('Nothing to vote on yet.')));
    }
  };
}
