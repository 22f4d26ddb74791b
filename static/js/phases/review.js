/* Review: the team's open agreed items from earlier sessions. Phones give an anonymous
   progress check on each (done / partly / not started / don't know, an optional note);
   distributions and notes show per item only from min_responses answers (for every
   screen), on the projector and phones only when the template or the closed input
   allows. The control view sets the status, records what was learned, carries an item
   forward into this session or drops it with a reason (JSON API, docs/api.md). */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Review';
export var takesInput = true;
// Set semantics per item (the latest check wins), so the outbox may queue and replay it.
export var queued = ['review.set'];
export var clientId = ['review.set'];

var PROGRESS = [
  ['done', 'Done'],
  ['partly', 'Partly'],
  ['not_started', 'Not started'],
  ['dont_know', "Don't know"]
];
var KIND = { action: 'Action', experiment: 'Experiment', ground_rule: 'Ground rule' };
var STATUS = {
  open: 'Not started', in_progress: 'In progress', done: 'Done',
  dropped: 'Dropped', carried_forward: 'Carried forward'
};

export function inputNote(phase) {
  return !!(phase.settings && phase.settings.show_results === 'after_close' && phase.input_open);
}

export function applyDelta(state, name, payload) {
  var r = state.review;
  if (name !== 'review.results' || !r || !payload || r.phase_id !== payload.phase_id) return false;
  Object.keys(payload).forEach(function (k) { r[k] = payload[k]; });
  return true;
}

function rows(item, mine) {
  var counts = item.counts || {};
  return PROGRESS.map(function (p) {
    return { label: t(p[1]), count: counts[p[0]] || 0, highlight: !!(mine && mine.progress === p[0]) };
  });
}

function source(item) {
  var parts = [t(KIND[item.item_kind] || 'Action')];
  if (item.session) parts.push(item.session.title + ' · ' + FA.formatDate(item.session.date));
  return parts.join(' · ');
}

function withheld(r, item) {
  return (item.responses || 0) < (r.min_responses || 5)
    ? t('{n} answers so far. Shown from {min} answers.', { n: item.responses || 0, min: r.min_responses || 5 })
    : t('The results are shown when answering closes.');
}

function notesList(item, cls) {
  if (!item.notes || !item.notes.length) return null;
  return el('ul', { class: cls }, item.notes.map(function (n) { return el('li', null, el('q', null, n)); }));
}

function decisionText(item) {
  var o = item.outcome;
  if (!o) return '';
  if (o.decision === 'carried') return t('Carried forward into this session');
  if (o.decision === 'dropped') return t('Dropped: {reason}', { reason: o.reason || '' });
  return t('Status: {status}', { status: t(STATUS[o.status] || o.status || '') });
}

function noTeamText() {
  return t('This session has no team, so there are no earlier items to review. Put the session under a team to bring in its open items.');
}

/* ---------- phone ---------- */

export function phone(ctx) {
  var r = ctx.state().review;
  if (!r) {
    ctx.body.appendChild(el('p', { class: 'muted' }, t('Nothing to answer yet.')));
    return {};
  }
  var list = el('div', { class: 'review-list' });
  var closedNote = el('p', { class: 'card' }, t('Answering is closed.'));
  var empty = el('p', { class: 'card' }, t('No open items to review.'));
  ctx.body.appendChild(closedNote);
  ctx.body.appendChild(empty);
  ctx.body.appendChild(list);
  var cards = {};
  var notes = {};

  function mine(id) {
    var my = ctx.state().review.my_review || {};
    return my[String(id)] || null;
  }

  function send(item, progress, note) {
    var review = ctx.state().review;
    var key = String(item.id);
    var before = mine(item.id);
    review.my_review = review.my_review || {};
    review.my_review[key] = progress ? { progress: progress, note: note || '' } : null;
    var card = cards[item.id];
    ctx.setError(card.error, '');
    update();
    var payload = { item_id: item.id, progress: progress || null };
    if (note) payload.note = note;
    ctx.conn.emit('review.set', payload).then(function (ack) {
      var now = ctx.state().review;
      if (!now || now.phase_id !== review.phase_id) return;
      now.my_review = now.my_review || {};
      if (ack.ok) {
        now.my_review[key] = ack.my_review;
        ctx.announce(t('Answer saved.'));
      } else {
        now.my_review[key] = before;
        ctx.setError(card.error, ctx.errMsg(ack));
      }
      if (ctx.isCurrent()) update();
    });
  }

  function build(item, r) {
    var id = 'review-' + item.id;
    var card = { inputs: [], error: el('p', { class: 'error', role: 'alert' }), result: el('div', { class: 'review-result' }) };
    var choices = el('div', { class: 'poll-options' }, PROGRESS.map(function (p) {
      var input = el('input', {
        type: 'radio', name: id, value: p[0],
        onchange: function () {
          if (input.checked) send(item, p[0], (notes[item.id] !== undefined ? notes[item.id] : ((mine(item.id) || {}).note || '')).trim());
        }
      });
      card.inputs.push(input);
      return el('label', { class: 'pill poll-option' }, input, el('span', null, t(p[1])));
    }));
    var noteBox = null;
    if (r.notes_allowed) {
      var area = el('textarea', {
        id: id + '-note', rows: '2', maxlength: String(ctx.settings().note_max || 300),
        oninput: function () { notes[item.id] = area.value; }
      });
      var save = el('button', {
        type: 'button', class: 'btn',
        onclick: function () {
          var m = mine(item.id);
          if (!m) { ctx.setError(card.error, t('Choose how far it has got first.')); return; }
          send(item, m.progress, area.value.trim());
          delete notes[item.id];
        }
      }, t('Save note'));
      card.area = area;
      card.save = save;
      noteBox = el('div', { class: 'review-note' },
        el('label', { for: id + '-note' }, t('Note (optional, anonymous)')), area, save);
    }
    var legend = el('legend', null, ctx.inLang(el('span', { class: 'review-what' }, item.what), ctx.contentLang()));
    card.node = el('fieldset', { class: 'card statement review-item' },
      legend,
      el('p', { class: 'muted review-source' }, source(item), item.who ? ' · ' + item.who : ''),
      choices, noteBox, card.error, card.result);
    return card;
  }

  function update() {
    var r = ctx.state().review;
    if (!r) return;
    var open = ctx.phase().input_open;
    closedNote.hidden = open;
    empty.hidden = (r.items || []).length > 0;
    var seen = {};
    (r.items || []).forEach(function (item) {
      seen[item.id] = true;
      var card = cards[item.id] || (cards[item.id] = build(item, r));
      // Appended once: moving a card would take the focus out of a note being written.
      if (card.node.parentNode !== list) list.appendChild(card.node);
      var m = mine(item.id);
      card.inputs.forEach(function (input) {
        input.checked = !!m && m.progress === input.value;
        input.disabled = !open;
      });
      if (card.area) {
        if (notes[item.id] === undefined && document.activeElement !== card.area) card.area.value = (m && m.note) || '';
        card.area.disabled = !open;
        card.save.disabled = !open;
      }
      FA.clear(card.result);
      var decided = decisionText(item);
      if (decided) card.result.appendChild(el('p', { class: 'review-decision' }, decided));
      if (item.counts) {
        card.result.appendChild(FA.chart(el('div'), rows(item, m), { unit: t('answers'), compact: true }));
        var ul = notesList(item, 'review-notes');
        if (ul) card.result.appendChild(ul);
      } else {
        card.result.appendChild(el('p', { class: 'muted' }, withheld(r, item)));
      }
    });
    Object.keys(cards).forEach(function (id) {
      if (!seen[id]) { cards[id].node.remove(); delete cards[id]; }
    });
  }

  return { update: update };
}

/* ---------- projector ---------- */

export function projector(ctx) {
  var bar = ctx.metaRow();
  var status = el('p', { class: 'p-review-count' });
  var host = el('div', { class: 'p-rows p-review' });
  ctx.fit.appendChild(status);
  ctx.fit.appendChild(host);
  return {
    update: function () {
      var r = ctx.state().review;
      if (!r) return;
      bar.meta.textContent = t('Shown from {n} answers per item', { n: r.min_responses || 5 });
      FA.clear(host);
      if (!(r.items || []).length) {
        status.textContent = '';
        host.appendChild(el('p', { class: 'p-vote-note' }, r.team ? t('No open items to review.') : noTeamText()));
        return;
      }
      status.textContent = t('{n} items to review', { n: r.items.length });
      r.items.forEach(function (item) {
        var row = el('article', { class: 'p-review-item' },
          el('h3', { class: 'p-review-what' }, item.what),
          el('p', { class: 'p-review-source' }, source(item),
            ' · ', t(STATUS[item.status] || item.status)),
          decisionText(item) ? el('p', { class: 'p-review-decision' }, decisionText(item)) : null,
          item.counts
            ? FA.chart(el('div', { class: 'p-review-chart' }), rows(item, null), { unit: t('answers') })
            : el('p', { class: 'p-vote-note' }, withheld(r, item)),
          item.counts ? notesList(item, 'p-review-notes') : null);
        host.appendChild(row);
      });
    },
    layout: function (k) {
      return ctx.pageRows(host, Array.prototype.slice.call(host.querySelectorAll('.p-review-item')), k, bar.pager);
    }
  };
}

/* ---------- control ---------- */

export function control(ctx) {
  var s = ctx.settings();
  var answered = el('p', { class: 'voters' });
  var host = el('div', { class: 'review-control' });
  var drafts = {};
  var when = s.show_results === 'live'
    ? t('Participants see the results live.')
    : t('The projector and phones show only how many have answered; the results appear on them when you close input. You see them live here.');
  var sec = ctx.section(t('Items to review'), 'sec-review', [
    el('p', { class: 'phase-hint' }, when, ' ',
      t('To protect anonymity, results are shown only from {n} answers.', { n: s.min_responses || 5 })),
    answered, ctx.errorSlot('review'), host]);

  function base(r, item) {
    return '/review/' + r.phase_id + '/items/' + item.id;
  }

  function draft(item, name, fallback) {
    var d = drafts[item.id] || {};
    return d[name] !== undefined ? d[name] : (fallback || '');
  }

  function keep(item, name, value) {
    drafts[item.id] = drafts[item.id] || {};
    drafts[item.id][name] = value;
  }

  function done(item, names) {
    if (!drafts[item.id]) return;
    names.forEach(function (n) { delete drafts[item.id][n]; });
  }

  function card(r, item) {
    var id = 'rv-' + item.id;
    var carried = item.status === 'carried_forward';
    var what = el('h4', null, item.what);
    var meta = el('p', { class: 'muted' }, source(item), item.who ? ' · ' + item.who : '',
      item.overdue ? [' · ', el('span', { class: 'badge overdue-badge' }, t('Overdue'))] : null);
    var result = item.counts
      ? el('div', { lang: ctx.sessionLang() }, FA.chart(el('div'), rows(item, null), { unit: t('answers') }),
        notesList(item, 'review-notes'))
      : el('p', { class: 'withheld' }, withheld(r, item));
    var answeredLine = item.counts ? el('p', { class: 'muted' }, t('Answers: {count}', { count: item.responses || 0 })) : null;
    var decided = decisionText(item);
    var parts = [what, meta, answeredLine, result];
    if (decided) parts.push(el('p', { class: 'review-decision', role: 'status' }, decided));
    if (carried) return el('div', { class: 'statement review-item is-carried', 'data-item': item.id }, parts);

    var select = el('select', {
      id: id + '-status', 'data-key': id + '-status',
      onchange: function () {
        ctx.busyGuard('review-' + item.id, function () {
          return ctx.call('PATCH', base(r, item), { status: select.value, version: item.version }, 'review', t('Status saved.'));
        });
      }
    }, ['open', 'in_progress', 'done'].map(function (k) {
      var opt = el('option', { value: k }, t(STATUS[k]));
      if (item.status === k) opt.selected = true;
      return opt;
    }), item.status === 'dropped' ? el('option', { value: 'dropped', selected: true, disabled: true }, t('Dropped')) : null);
    var statusRow = el('p', { class: 'review-field' }, el('label', { for: id + '-status' }, t('Status')), ' ', select);

    var learnedBox = null;
    if (item.item_kind === 'experiment') {
      var learned = el('textarea', {
        id: id + '-learned', 'data-key': id + '-learned', rows: '2', maxlength: '1000',
        oninput: function () { keep(item, 'learned', learned.value); }
      });
      learned.value = draft(item, 'learned', item.learned);
      var saveLearned = el('button', {
        type: 'button', class: 'btn', 'data-key': id + '-learned-save',
        onclick: function () {
          ctx.busyGuard('review-' + item.id, function () {
            return ctx.call('PATCH', base(r, item), { learned: learned.value, version: item.version }, 'review', t('Saved'))
              .then(function (res) { if (res) done(item, ['learned']); });
          });
        }
      }, t('Save what we learned'));
      learnedBox = el('div', { class: 'review-field' },
        el('label', { for: id + '-learned' }, t('What we learned')), learned, saveLearned);
    }

    var carry = el('button', {
      type: 'button', class: 'btn btn-primary', 'data-key': id + '-carry',
      onclick: function () {
        ctx.busyGuard('review-' + item.id, function () {
          return ctx.call('POST', base(r, item) + '/carry', { version: item.version }, 'review',
            t('Carried forward into this session.'));
        });
      }
    }, t('Carry forward'));
    var reason = el('input', {
      id: id + '-reason', 'data-key': id + '-reason', maxlength: '500', autocomplete: 'off',
      oninput: function () { keep(item, 'reason', reason.value); }
    });
    reason.value = draft(item, 'reason', '');
    var drop = el('button', {
      type: 'button', class: 'btn', 'data-key': id + '-drop',
      onclick: function () {
        if (!reason.value.trim()) {
          ctx.setError('review', t('Write why the item is dropped.'));
          reason.focus();
          return;
        }
        ctx.busyGuard('review-' + item.id, function () {
          return ctx.call('POST', base(r, item) + '/drop', { reason: reason.value, version: item.version }, 'review', t('Dropped.'))
            .then(function (res) { if (res) done(item, ['reason']); });
        });
      }
    }, t('Drop'));
    var dropBox = el('div', { class: 'review-field review-drop' },
      el('label', { for: id + '-reason' }, t('Reason for dropping')), reason, drop);
    parts.push(statusRow, learnedBox, el('p', { class: 'review-actions' }, carry), dropBox);
    return el('div', { class: 'statement review-item', 'data-item': item.id }, parts);
  }

  return {
    nodes: [sec],
    update: function () {
      var r = ctx.state().review;
      if (!ctx.changed('review', r)) return;
      if (!r) return;
      if (!r.team) {
        answered.textContent = '';
        ctx.patch(host, el('p', { class: 'empty' }, noTeamText()));
        return;
      }
      if (!(r.items || []).length) {
        answered.textContent = '';
        ctx.patch(host, el('p', { class: 'empty' }, t('No open items to review.')));
        return;
      }
      answered.textContent = t('{n} items to review', { n: r.items.length });
      ctx.patch(host, r.items.map(function (item) { return card(r, item); }));
    }
  };
}
