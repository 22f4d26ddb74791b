/* Small groups: each group has its own question and wall; the projector shows every
   group's notes for the plenary; the control view forms groups, moves one person,
   starts the next round and sets writers. Nobody's screen says who is in which group. */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Small groups';
export var takesInput = true;
export var skipLabel = 'Go to the groups';
export var queued = ['groups.add', 'groups.edit', 'groups.delete'];
export var clientId = ['groups.add'];
// Membership, rounds and writers changed: every page re-reads its snapshot.
export var resyncEvents = ['groups.changed'];

function upsert(list, note) {
  for (var i = 0; i < list.length; i++) {
    if (list[i].id === note.id) {
      list[i] = Object.assign({}, list[i], note);
      return;
    }
  }
  list.push(note);
}

// groups.note / groups.note.removed: the wall of the group it belongs to.
export function applyDelta(state, name, payload) {
  if (name !== 'groups.note' && name !== 'groups.note.removed') return false;
  var g = state.groups;
  if (!g) return false;
  var walls = [];
  if (g.mine && g.mine.id === payload.group_id) walls.push(g.mine);
  (g.groups || []).forEach(function (x) { if (x.id === payload.group_id && x.notes) walls.push(x); });
  if (!walls.length) return false;
  walls.forEach(function (w) {
    if (name === 'groups.note') upsert(w.notes, payload);
    else w.notes = w.notes.filter(function (n) { return n.id !== payload.id; });
  });
  return true;
}

function groupTitle(g) {
  return t('Group {n}', { n: g.number });
}

function noteList(notes, mine) {
  if (!notes.length) return el('p', { class: 'muted' }, t('Nothing written yet.'));
  return el('ul', { class: 'idea-wall sg-notes' }, notes.map(function (n) {
    return el('li', { class: 'idea-card' + (mine && n.is_mine ? ' is-mine' : '') }, el('p', null, n.text));
  }));
}

/* ---------- phone ---------- */
export function phone(ctx) {
  var box = el('div', { class: 'sg-phone' });
  var error = el('p', { class: 'error', role: 'alert' });
  ctx.body.appendChild(box);
  var asked = false;
  var typed = '';

  function emit(event, payload) {
    ctx.setError(error, '');
    return ctx.conn.emit(event, payload).then(function (ack) {
      if (!ack.ok) ctx.setError(error, ctx.errMsg(ack));
      else if (ack.mine !== undefined && ctx.state().groups) ctx.state().groups.mine = ack.mine;
      if (ctx.isCurrent()) update();
      return ack;
    });
  }

  function chooser(g) {
    return el('section', { class: 'card', 'aria-labelledby': 'sg-choose' },
      el('h3', { id: 'sg-choose' }, t('Choose your group')),
      el('ul', { class: 'sg-tables' }, (g.groups || []).map(function (x) {
        var full = g.size_cap && x.members >= g.size_cap;
        return el('li', null, el('button', {
          type: 'button', class: 'btn', disabled: !!full || !ctx.phase().input_open,
          onclick: function () { emit('groups.join', { group: x.number }).then(function (ack) { if (ack.ok) ctx.conn.sync(); }); }
        }, groupTitle(x) + (x.question ? ': ' + x.question : '') + ' (' + t('{count} people', { count: x.members }) + ')'));
      })));
  }

  function wall(g, mine) {
    var p = ctx.phase();
    var canWrite = p.input_open && (g.writer !== 'one' || mine.writer === 'me');
    var parts = [
      el('h3', { class: 'section-title', id: 'sg-mine' }, groupTitle(mine)),
      ctx.inLang(el('p', { class: 'sg-question' }, mine.question || ''), ctx.contentLang()),
      el('p', { class: 'muted' }, t('{count} people in your group', { count: mine.members }))
    ];
    if (g.writer === 'one') {
      if (mine.writer === 'me') {
        parts.push(el('p', null, t('You write for your group.')),
          el('button', { type: 'button', class: 'btn', onclick: function () { emit('groups.writer', { take: false }); } }, t('Stop writing')));
      } else if (mine.writer === 'other') {
        parts.push(el('p', { class: 'muted' }, t('Someone else in your group writes the answer; you see it here.')));
      } else if (p.input_open) {
        parts.push(el('button', { type: 'button', class: 'btn', onclick: function () { emit('groups.writer', { take: true }); } }, t('I will write for the group')));
      }
    }
    if (g.timer_per_group && mine.timer) {
      parts.push(el('p', { class: 'sg-timer' }, t('Your group has {min} min left', { min: Math.ceil(mine.timer.remaining / 60) })));
    } else if (g.timer_per_group && canWrite) {
      parts.push(el('button', { type: 'button', class: 'btn', onclick: function () { emit('groups.timer', { action: 'start' }); } }, t('Start our timer')));
    }
    if (canWrite) {
      var ta = el('textarea', { id: 'sg-text', rows: '3', maxlength: '500', autocomplete: 'off' });
      ta.value = typed;
      ta.addEventListener('input', function () { typed = ta.value; });
      parts.push(el('form', {
        class: 'idea-form', novalidate: true,
        onsubmit: function (e) {
          e.preventDefault();
          var text = ta.value.trim();
          if (!text) { ctx.setError(error, t('Please write something first.')); return; }
          typed = '';
          emit('groups.add', { text: text }).then(function (ack) {
            if (ack.ok && ack.note && ctx.state().groups && ctx.state().groups.mine) {
              upsert(ctx.state().groups.mine.notes, ack.note);
              ctx.announce(t('Saved to your group.'));
              if (ctx.isCurrent()) update();
            }
          });
        }
      }, el('div', { class: 'field' }, el('label', { for: 'sg-text' }, t('Write for your group')), ta),
      el('button', { type: 'submit', class: 'btn btn-primary' }, t('Add'))));
    }
    parts.push(el('h4', null, t('Your group’s wall')), noteList(mine.notes || [], true));
    return el('section', { class: 'card sg-mine', 'aria-labelledby': 'sg-mine' }, parts);
  }

  function update() {
    var g = ctx.state().groups;
    FA.clear(box);
    if (!g) return;
    var mine = g.mine;
    if (mine) box.appendChild(wall(g, mine));
    else if (g.assign === 'choose') box.appendChild(chooser(g));
    else {
      box.appendChild(el('p', { class: 'card' }, t('Waiting for the groups to be formed.')));
      // Groups exist but this phone has none yet (it joined late): ask to be placed.
      if (g.assign === 'random' && (g.groups || []).length && !asked && ctx.phase().input_open) {
        asked = true;
        emit('groups.join', {}).then(function (ack) { if (ack.ok) ctx.conn.sync(); });
      }
    }
    box.appendChild(error);
  }

  update();
  return { update: update };
}

/* ---------- projector: group by group ---------- */
export function projector(ctx) {
  var bar = ctx.metaRow();
  var host = el('div', { class: 'p-rows sg-summary' });
  ctx.fit.appendChild(host);
  return {
    update: function () {
      var g = ctx.state().groups;
      FA.clear(host);
      if (!g) return;
      bar.meta.textContent = g.round.count > 1
        ? t('Round {n} of {count}', { n: g.round.index + 1, count: g.round.count }) : '';
      if (!(g.groups || []).length) {
        host.appendChild(el('p', { class: 'muted' }, t('Waiting for the groups to be formed.')));
        return;
      }
      (g.groups || []).forEach(function (x) {
        var notes = x.notes || [];
        host.appendChild(el('section', { class: 'sg-group p-section', 'aria-label': groupTitle(x) },
          el('h3', { class: 'p-group-head' },
            el('span', { class: 'p-group-title' }, groupTitle(x) + (x.question ? ': ' + x.question : '')),
            el('span', { class: 'p-group-n' }, t('{count} notes', { count: notes.length }))),
          notes.length
            ? el('ul', { class: 'wall sg-notes' }, notes.map(function (n) { return el('li', null, n.text); }))
            : el('p', { class: 'wall-empty' }, t('Nothing written yet.'))));
      });
    },
    layout: function (k) {
      return ctx.pageRows(host, Array.prototype.slice.call(host.querySelectorAll('.sg-group')), k, bar.pager);
    }
  };
}

/* ---------- control view ---------- */
export function control(ctx) {
  var head = el('div', { class: 'sg-controls' });
  var list = el('div', { class: 'sg-groups' });
  var sec = ctx.section(t('Groups'), 'sec-groups', [head, list]);

  function post(path, payload, ok) {
    return ctx.call('POST', '/groups/' + path, payload, null, ok);
  }

  return {
    nodes: [sec],
    update: function () {
      var g = ctx.state().groups;
      if (!ctx.changed('groups', g)) return;
      FA.clear(head);
      FA.clear(list);
      if (!g) return;
      var formLabel = g.assign === 'choose' ? t('Open the tables') : t('Form groups now');
      head.appendChild(el('p', { class: 'phase-hint' },
        t('Round {n} of {count}', { n: g.round.index + 1, count: g.round.count }) + ' · ' +
        t('{count} without a group', { count: g.unplaced || 0 })));
      head.appendChild(el('button', { type: 'button', class: 'btn btn-primary', onclick: function () { post('form', {}, t('Groups formed.')); } }, formLabel));
      if (g.round.index + 1 < g.round.count) {
        head.appendChild(el('button', { type: 'button', class: 'btn', onclick: function () { post('round', { to: 'next' }, t('Next round started.')); } }, t('Next round')));
      }
      var groups = g.groups || [];
      list.appendChild(el('ul', { class: 'sg-group-list' }, groups.map(function (x) {
        var others = groups.filter(function (y) { return y.number !== x.number; });
        var select = el('select', { 'aria-label': t('Move one person from group {n} to', { n: x.number }) },
          others.map(function (y) { return el('option', { value: String(y.number) }, groupTitle(y)); }));
        return el('li', { class: 'card sg-group' },
          el('h4', null, groupTitle(x) + (x.question ? ': ' + x.question : '')),
          el('p', null, t('{count} people', { count: x.members }) + ' · ' +
            t('{count} notes', { count: (x.notes || []).length }) +
            (g.writer === 'one' ? ' · ' + (x.has_writer ? t('has a writer') : t('no writer yet')) : '')),
          others.length ? el('p', null, select, ' ',
            el('button', { type: 'button', class: 'btn btn-small', disabled: !x.members, onclick: function () {
              post('move', { from: x.number, to: Number(select.value) }, t('One person moved.'));
            } }, t('Move one person'))) : null,
          g.writer === 'one' ? el('button', { type: 'button', class: 'btn btn-small', disabled: !x.members, onclick: function () {
            post(x.number + '/writer', { writer: 'random' }, t('Writer chosen.'));
          } }, t('Choose a writer at random')) : null,
          noteList(x.notes || [], false));
      })));
    }
  };
}
