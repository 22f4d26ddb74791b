/* Ideas: participants post short ideas (optionally into columns); the wall shows them. */
import { ideaCards, currentIdeas, mergedCount, mergePanel, toggleMerge, mergedList, setHidden } from './shared.js';

var FA = window.FA;
var el = FA.el;
var t = FA.t;
var MAX_LEN = 500;

export var label = 'Ideas';
export var takesInput = true;
export var skipLabel = 'Go to the wall';
// Idempotent by client_id (add) or by id (edit, delete): the phone's outbox may queue them.
export var queued = ['idea.add', 'idea.edit', 'idea.delete'];
export var clientId = ['idea.add'];

// The control view's ideas of this phase: its own.
export function ownsIdea(phase, idea) {
  return idea.phase_id === phase.id;
}

/* ---------- phone-wide hooks (called in every phase) ---------- */
function editDraftField(id) { return 'edit.' + id; }

// A snapshot marks the phone's own ideas.
export function phoneState(ctx, state) {
  (state.ideas || []).forEach(function (i) { if (i.is_mine) ctx.mine.add(i.id); });
}

export function phoneDelta(ctx, name, payload) {
  if (name === 'idea.removed') {
    ctx.mine.delete(payload.id);
    ctx.drafts.save(editDraftField(payload.id), '');
  }
}

// A write from before a reload was delivered now: remember the idea as ours.
export function phoneReplayed(ctx, event, payload, ack) {
  if (event === 'idea.add' && ack && ack.ok && ack.idea) {
    ctx.mine.add(ack.idea.id);
    FA.upsertIdea(ctx.state(), ack.idea);
  }
}

/* ---------- phone ---------- */
function pickedColumn(form, name) {
  var checked = form && form.querySelector('input[name="' + name + '"]:checked');
  return checked ? checked.value : null;
}
function pickColumn(form, name, value) {
  if (!value) return;
  form.querySelectorAll('input[name="' + name + '"]').forEach(function (r) { r.checked = r.value === value; });
}
function counterText(node, len) {
  node.textContent = t('{count}/{max} characters', { count: len, max: MAX_LEN });
  node.classList.toggle('is-near', len >= MAX_LEN - 50 && len < MAX_LEN);
  node.classList.toggle('is-full', len >= MAX_LEN);
}

export function phone(ctx) {
  var p = ctx.phase();
  var st = ctx.settings();
  var drafts = ctx.drafts;
  var mine = ctx.mine;
  var conn = ctx.conn;
  var deleting = new Set();   // ids removed optimistically, waiting for the ack
  var editing = null;         // id of the idea being edited
  var editForms = {};         // id -> form node, kept so live updates never wipe typed text
  var view = {};
  var ideaDraftField = 'idea.' + p.id;

  function columns() { return ctx.settings().columns || []; }

  // Radio "pills" for choosing a column; used by the new-idea form and the edit form.
  function columnPicker(name, selected, legendText) {
    return el('fieldset', { class: 'field column-picker' },
      el('legend', null, legendText),
      el('div', { class: 'pills' }, columns().map(function (c) {
        return el('label', { class: 'pill' },
          el('input', { type: 'radio', name: name, value: c.id, checked: c.id === selected }),
          ctx.inLang(el('span', null, c.title), ctx.contentLang()));
      })));
  }

  if (p.input_open) {
    var ta = el('textarea', {
      id: 'idea-text', name: 'text', rows: '3', maxlength: String(MAX_LEN),
      'aria-describedby': 'idea-counter idea-error', autocomplete: 'off'
    });
    var draft = drafts.load(ideaDraftField);
    ta.value = draft ? draft.text : '';
    var counter = el('p', { class: 'counter', id: 'idea-counter' });
    var srLimit = el('span', { class: 'visually-hidden', 'aria-live': 'polite' });
    var error = el('p', { class: 'error', id: 'idea-error', role: 'alert' });
    var limitHint = el('p', { class: 'hint', id: 'idea-limit' });
    var note = el('p', { class: 'hint', role: 'status' });
    var form = el('form', { class: 'idea-form card', novalidate: true, onsubmit: submitIdea },
      el('div', { class: 'field' },
        el('label', { for: 'idea-text' }, t('Your idea')),
        ta,
        el('div', { class: 'form-foot' }, limitHint, counter),
        srLimit),
      columns().length ? columnPicker('column', columns().length === 1 ? columns()[0].id : null, t('Where does it belong?')) : null,
      error,
      el('button', { type: 'submit', class: 'btn btn-primary' }, t('Post idea')),
      note);
    ta.addEventListener('input', function () {
      counterText(counter, ta.value.length);
      // Screen readers hear about the limit only when it is reached, not on every key.
      srLimit.textContent = ta.value.length >= MAX_LEN ? t('Maximum length reached.') : '';
      if (ta.value.trim()) ctx.setError(error, '', ta);
      drafts.save(ideaDraftField, ta.value, pickedColumn(form, 'column'));
    });
    // The chosen column is part of the draft too.
    form.addEventListener('change', function () { drafts.save(ideaDraftField, ta.value, pickedColumn(form, 'column')); });
    if (draft && columns().length > 1) pickColumn(form, 'column', draft.column);
    counterText(counter, ta.value.length);
    view.form = form;
    view.ta = ta;
    view.error = error;
    view.limitHint = limitHint;
    view.note = note;
    ctx.body.appendChild(form);
  } else {
    ctx.body.appendChild(el('p', { class: 'card' }, t('Posting ideas is closed in this phase.')));
  }

  view.listHeading = el('h3', { class: 'section-title', tabindex: '-1' });
  view.listError = el('p', { class: 'error', role: 'alert' });
  view.listNote = st.wall === 'projector'
    ? el('p', { class: 'muted' }, t("Everyone's ideas are shown on the projector."))
    : null;
  view.list = el('div', { class: 'idea-wall' });
  ctx.body.appendChild(el('section', { 'aria-labelledby': 'ideas-heading' },
    view.listHeading, view.listNote, view.listError, view.list));
  view.listHeading.id = 'ideas-heading';
  if (p.input_open) {
    // An edit that was going on before a reload opens again with its draft.
    var unfinished = phaseIdeas().filter(function (i) {
      return mine.has(i.id) && drafts.load(editDraftField(i.id));
    })[0];
    if (unfinished) editing = unfinished.id;
  }

  function pendingIdeas() {
    return conn.outbox().filter(function (e) { return e.event === 'idea.add'; });
  }

  function phaseIdeas() {
    return (ctx.state().ideas || []).filter(function (i) {
      return i.phase_id === p.id && !deleting.has(i.id);
    });
  }

  function update() {
    var st = ctx.settings();
    var ideas = phaseIdeas().slice().sort(function (a, b) { return b.id - a.id; }); // newest first
    var pending = pendingIdeas();
    var showAll = st.wall !== 'projector';
    if (!showAll) ideas = ideas.filter(function (i) { return mine.has(i.id); });
    var total = ideas.length + pending.length;
    view.listHeading.textContent = showAll
      ? t('Ideas so far ({count})', { count: total })
      : t('Your ideas ({count})', { count: total });

    if (view.limitHint) {
      var max = st.max_ideas_per_person || 20;
      var own = phaseIdeas().filter(function (i) { return mine.has(i.id); }).length + pending.length;
      var left = Math.max(0, max - own);
      view.limitHint.textContent = left <= 3 ? t('You can post {count} more.', { count: left }) : '';
    }

    var items = pending.map(function (e) {
      return { key: 'p' + e.id, pending: true, text: e.payload.text, column: e.payload.column || null };
    }).concat(ideas.map(function (i) {
      return { key: 'i' + i.id, idea: i, text: i.text, column: i.column || null };
    }));

    var cols = columns();
    var groups = cols.length
      ? cols.map(function (c) { return { id: c.id, title: c.title }; })
      : [{ id: null, title: null }];
    if (cols.length) groups.push({ id: '__other', title: t('Other') });
    var known = cols.map(function (c) { return c.id; });

    if (!view.groups) {
      view.groups = {};
      groups.forEach(function (g) {
        var ul = el('ul', { class: 'ideas' });
        var h = g.title ? ctx.inLang(el('h4'), g.id === '__other' ? '' : ctx.contentLang()) : null;
        var sec = el('div', { class: 'column-group' }, h, ul);
        view.groups[g.id] = { ul: ul, sec: sec, h: h };
        view.list.appendChild(sec);
      });
    }
    groups.forEach(function (g) {
      var own = items.filter(function (it) {
        if (!cols.length) return true;
        if (g.id === '__other') return known.indexOf(it.column) < 0;
        return it.column === g.id;
      });
      var parts = view.groups[g.id];
      parts.sec.hidden = cols.length > 0 && own.length === 0;
      if (parts.h) parts.h.textContent = t('{title} ({count})', { title: g.title, count: own.length });
      FA.reconcile(parts.ul, own, function (it) { return it.key; }, function () {
        return el('li', { class: 'idea' });
      }, renderIdeaItem);
    });
    if (!total) {
      if (!view.empty) {
        view.empty = el('p', { class: 'muted' }, showAll ? t('No ideas yet. Yours can be the first!') : t('You have not posted ideas yet.'));
        view.list.appendChild(view.empty);
      }
    } else if (view.empty) {
      view.empty.remove();
      view.empty = null;
    }
  }

  function renderIdeaItem(li, it) {
    var online = ctx.isOnline();
    var isMine = it.pending || mine.has(it.idea.id);
    var isEditing = !it.pending && editing === it.idea.id;
    var sig = JSON.stringify([it.text, it.column, isMine, isEditing, p.input_open, it.pending ? online : 0]);
    if (li._sig === sig) return;
    li._sig = sig;
    li.className = 'idea' + (isMine ? ' idea-own' : '') + (it.pending ? ' idea-pending' : '');
    if (isEditing) {
      FA.clear(li);
      li.appendChild(editForm(it.idea));
      return;
    }
    FA.clear(li);
    var textId = it.key + '-text';
    li.appendChild(ctx.inLang(el('p', { class: 'idea-text', id: textId }, it.text), ctx.sessionLang()));
    var meta = el('div', { class: 'idea-meta' });
    if (isMine) meta.appendChild(el('span', { class: 'badge' }, t('Mine')));
    if (it.pending) {
      meta.appendChild(el('span', null, online ? t('Sending…') : t('Waiting for connection. It will be sent automatically.')));
    }
    if (meta.firstChild) li.appendChild(meta);
    if (isMine && !it.pending && p.input_open) {
      var id = it.idea.id;
      li.appendChild(el('div', { class: 'idea-actions' },
        el('button', {
          type: 'button', class: 'btn btn-small btn-secondary', 'aria-describedby': textId,
          dataset: { fkey: 'edit-' + id }, onclick: function () { startEdit(id); }
        }, t('Edit')),
        el('button', {
          type: 'button', class: 'btn btn-small btn-danger', 'aria-describedby': textId,
          dataset: { fkey: 'del-' + id }, onclick: function () { deleteIdea(id); }
        }, t('Delete'))));
    }
  }

  function submitIdea(e) {
    e.preventDefault();
    var ta = view.ta;
    var text = ta.value.trim();
    ctx.setError(view.error, '', ta);
    if (!text) {
      ctx.setError(view.error, t('Write your idea first.'), ta);
      ta.focus();
      return;
    }
    var column = null;
    if (columns().length) {
      var checked = view.form.querySelector('input[name="column"]:checked');
      if (!checked) {
        ctx.setError(view.error, t('Choose where your idea belongs.'));
        view.form.querySelector('input[name="column"]').focus();
        return;
      }
      column = checked.value;
    }
    ta.value = '';
    ta.dispatchEvent(new Event('input'));
    drafts.save(ideaDraftField, ''); // the outbox keeps the text until the server has it
    var sent = conn.emit('idea.add', { text: text, column: column });
    view.note.textContent = conn.isOnline() ? '' : t('Saved on this phone. It will be sent when the connection returns.');
    update();
    sent.then(function (ack) {
      var here = ctx.isCurrent();
      if (ack.ok && ack.idea) {
        mine.add(ack.idea.id);
        FA.upsertIdea(ctx.state(), ack.idea);
        if (here) view.note.textContent = '';
        ctx.announce(t('Your idea was posted.'));
      } else if (here) {
        // Give the text back so nothing typed is lost.
        if (!view.ta.value) {
          view.ta.value = text;
          view.ta.dispatchEvent(new Event('input'));
        }
        ctx.setError(view.error, ctx.errMsg(ack), view.ta);
      } else {
        if (!drafts.load(ideaDraftField)) drafts.save(ideaDraftField, text, column); // not lost: back as a draft
        ctx.announce(ctx.errMsg(ack));
      }
      ctx.update();
    });
  }

  function editForm(idea) {
    if (editForms[idea.id]) return editForms[idea.id];
    var taId = 'edit-text-' + idea.id;
    var ta = el('textarea', { id: taId, rows: '3', maxlength: String(MAX_LEN), 'aria-describedby': taId + '-c ' + taId + '-e' });
    var draftField = editDraftField(idea.id);
    var draft = drafts.load(draftField);
    ta.value = draft ? draft.text : idea.text;
    var counter = el('p', { class: 'counter', id: taId + '-c' });
    var error = el('p', { class: 'error', id: taId + '-e', role: 'alert' });
    counterText(counter, ta.value.length);
    var form = el('form', { class: 'edit-form', novalidate: true },
      el('div', { class: 'field' }, el('label', { for: taId }, t('Edit your idea')), ta, counter),
      columns().length ? columnPicker('column-' + idea.id, idea.column, t('Where does it belong?')) : null,
      error,
      el('div', { class: 'button-row' },
        el('button', { type: 'submit', class: 'btn btn-primary btn-small' }, t('Save')),
        el('button', {
          type: 'button', class: 'btn btn-secondary btn-small',
          onclick: function () { drafts.save(draftField, ''); stopEdit(idea.id); }
        }, t('Cancel'))));
    var radios = 'column-' + idea.id;
    if (draft && draft.column) pickColumn(form, radios, draft.column);
    function keepDraft() {
      var column = pickedColumn(form, radios) || idea.column || null;
      var same = ta.value === idea.text && column === (idea.column || null);
      drafts.save(draftField, same ? '' : ta.value, column);
    }
    ta.addEventListener('input', function () { counterText(counter, ta.value.length); keepDraft(); });
    form.addEventListener('change', keepDraft);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var text = ta.value.trim();
      if (!text) {
        ctx.setError(error, t('Write your idea first.'), ta);
        ta.focus();
        return;
      }
      var picked = form.querySelector('input[type="radio"]:checked');
      var payload = { id: idea.id, text: text, column: picked ? picked.value : (idea.column || null) };
      ctx.setError(error, '', ta);
      conn.emit('idea.edit', payload).then(function (ack) {
        if (ack.ok) {
          FA.upsertIdea(ctx.state(), ack.idea || { id: idea.id, text: text, column: payload.column });
          drafts.save(draftField, '');
          stopEdit(idea.id);
          ctx.announce(t('Changes saved.'));
        } else {
          ctx.setError(error, ctx.errMsg(ack), ta);
        }
      });
    });
    editForms[idea.id] = form;
    return form;
  }

  function startEdit(id) {
    editing = id;
    delete editForms[id];
    update();
    var ta = document.getElementById('edit-text-' + id);
    if (ta) ta.focus();
  }

  function stopEdit(id) {
    if (editing === id) editing = null;
    delete editForms[id];
    ctx.update();
    var btn = ctx.body.querySelector('[data-fkey="edit-' + id + '"]');
    if (btn) btn.focus();
  }

  function deleteIdea(id) {
    if (!window.confirm(t('Delete this idea?'))) return;
    deleting.add(id);
    update();
    view.listHeading.focus(); // the focused button is gone: land on the list
    conn.emit('idea.delete', { id: id }).then(function (ack) {
      deleting.delete(id);
      if (ack.ok) {
        FA.removeIdea(ctx.state(), id);
        mine.delete(id);
        ctx.announce(t('Idea deleted.'));
      } else {
        ctx.setError(view.listError, ctx.errMsg(ack));
      }
      ctx.update();
    });
  }

  // "Sending…" or "Waiting for connection" on the ideas still in the outbox.
  return { update: update, onStatus: update };
}

/* ---------- projector: the wall, in columns if the phase has them ---------- */
export function projector(ctx) {
  var cols = ctx.settings().columns || [];
  var p = ctx.phase();
  var card = ideaCards(ctx);
  var bar = ctx.metaRow();
  var host = null;
  var columnsView = null;
  var shown = [];
  var empty = el('p', { class: 'wall-empty' }, t('Ideas appear here as soon as they are posted.'));
  if (cols.length) {
    columnsView = cols.map(function (c) {
      var n = el('span', { class: 'p-group-n' });
      var pager = el('span', { class: 'p-col-pager is-empty' });
      var colHost = el('div', { class: 'p-flow' });
      var sec = el('section', { class: 'p-column' },
        el('h2', { class: 'p-group-head' }, el('span', { class: 'p-group-title' }, c.title), pager, n), colHost);
      return { id: c.id, n: n, pager: pager, host: colHost, sec: sec, ideas: [] };
    });
    ctx.fit.appendChild(el('div', { class: 'p-columns' }, columnsView.map(function (c) { return c.sec; })));
  } else {
    host = el('div', { class: 'p-flow' });
    ctx.fit.appendChild(host);
  }
  ctx.fit.appendChild(empty);
  return {
    update: function () {
      var ideas = (ctx.state().ideas || []).filter(function (i) { return i.phase_id === p.id; })
        .sort(function (a, b) { return a.id - b.id; });
      bar.meta.textContent = t('Ideas: {count}', { count: ideas.length });
      empty.hidden = ideas.length > 0;
      shown = ideas;
      if (columnsView) {
        var known = columnsView.map(function (c) { return c.id; });
        columnsView.forEach(function (c, i) {
          // Ideas with an unknown column land in the first one rather than vanishing.
          c.ideas = ideas.filter(function (x) { return x.column === c.id || (i === 0 && known.indexOf(x.column) < 0); });
          c.n.textContent = String(c.ideas.length);
        });
      }
    },
    layout: function (k) {
      var blocks = function (list) { return list.map(function (x) { return { node: card(x) }; }); };
      if (!columnsView) return ctx.flow(host, blocks(shown), k, bar.pager);
      var most = 1;
      columnsView.forEach(function (c) {
        most = Math.max(most, ctx.flow(c.host, blocks(c.ideas), k, c.pager));
      });
      return most;
    }
  };
}

/* ---------- control view: moderate the wall (hide, merge) ---------- */
export function control(ctx) {
  var view = { merging: null }; // id of the idea whose merge picker is open
  var wallBox = el('div', { class: 'ctl-wall' });
  var counts = el('p', { class: 'wall-counts' });
  var merged = el('div', { class: 'merged-box' });
  var s = ctx.settings();
  var lang = ctx.sessionLang();
  var hint = s.wall === 'projector'
    ? t('Phones show each participant only their own ideas; the whole wall is on the projector.')
    : t('Participants see the whole wall on their phones.');
  var sec = ctx.section(t('Ideas wall'), 'sec-wall', [
    el('p', { class: 'phase-hint' }, hint, ' ', t('Hidden ideas are not shown to participants or on the projector.')),
    counts, wallBox, merged]);

  function ideaItem(idea, live) {
    var textId = 'idea-' + idea.id + '-text';
    var errKey = 'idea-' + idea.id;
    var tools = [];
    tools.push(el('button', {
      type: 'button', class: 'btn btn-small', 'data-key': 'hide-' + idea.id, 'aria-describedby': textId,
      'data-busy': 'hide-' + idea.id,
      onclick: function () { setHidden(ctx, idea, !idea.hidden); }
    }, idea.hidden ? t('Show again') : t('Hide')));
    var targets = live.filter(function (o) { return o.id !== idea.id && !o.merged_into; });
    if (targets.length) {
      tools.push(el('button', {
        type: 'button', class: 'btn btn-small', 'data-key': 'merge-' + idea.id, 'aria-describedby': textId,
        'aria-expanded': view.merging === idea.id ? 'true' : 'false',
        onclick: function () {
          toggleMerge(ctx, view, idea);
          ctx.render();
        }
      }, t('Merge…')));
    }
    var nMerged = mergedCount(ctx, idea);
    return el('li', { class: ['idea', idea.hidden ? 'is-hidden' : null], 'data-id': String(idea.id) },
      el('p', { class: 'idea-text', id: textId, lang: lang }, idea.text),
      el('p', { class: 'idea-meta' },
        idea.hidden ? el('span', { class: 'badge badge-hidden' }, t('Hidden')) : null,
        nMerged ? el('span', { class: 'badge' }, t('{n} merged', { n: nMerged })) : null,
        typeof idea.votes === 'number' ? el('span', { class: 'badge' }, ctx.countText(idea.votes, '1 vote', '{n} votes')) : null),
      el('div', { class: 'idea-tools' }, tools),
      view.merging === idea.id && targets.length ? mergePanel(ctx, view, idea, targets) : null,
      ctx.errorSlot(errKey));
  }

  return {
    nodes: [sec],
    update: function () {
      var ideas = currentIdeas(ctx);
      if (!ctx.changed('wall', [ideas, view.merging, s.columns])) return;
      var live = ideas.filter(function (i) { return !i.merged_into; });
      var hidden = live.filter(function (i) { return i.hidden; }).length;
      counts.textContent = ctx.countText(live.length, '1 idea', '{n} ideas') + (hidden ? ' · ' + t('{n} hidden', { n: hidden }) : '');
      var newestFirst = live.slice().sort(function (a, b) { return b.id - a.id; });
      var nodes = [];
      if (s.columns && s.columns.length) {
        var cols = s.columns.slice();
        var known = {};
        cols.forEach(function (c) { known[c.id] = true; });
        if (newestFirst.some(function (i) { return !i.column || !known[i.column]; })) cols.push({ id: null, title: t('No column') });
        nodes.push(el('div', { class: 'ctl-columns' }, cols.map(function (c, ci) {
          var inCol = newestFirst.filter(function (i) { return c.id ? i.column === c.id : !known[i.column]; });
          var hid = 'col-' + ci;
          return el('section', { class: 'ctl-column', 'aria-labelledby': hid },
            el('h4', { id: hid, lang: c.id ? lang : null }, c.title, ' ', el('span', { class: 'count' }, '(' + inCol.length + ')')),
            inCol.length
              ? el('ul', { class: 'idea-list' }, inCol.map(function (i) { return ideaItem(i, live); }))
              : el('p', { class: 'empty' }, t('No ideas yet.')));
        })));
      } else if (newestFirst.length) {
        nodes.push(el('ul', { class: 'idea-list' }, newestFirst.map(function (i) { return ideaItem(i, live); })));
      } else {
        nodes.push(el('p', { class: 'empty' }, ctx.phase().input_open
          ? t('No ideas yet. They appear here as participants send them.')
          : t('No ideas yet. Open input so participants can send ideas.')));
      }
      ctx.patch(wallBox, nodes);
      ctx.patch(merged, mergedList(ctx, ideas));
    }
  };
}
