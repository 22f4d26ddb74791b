/*
 * Helpers that several phase kinds use (see index.js). A kind module gets what its page
 * gives it through ctx; what more than one kind renders the same way lives here.
 */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

// What every page lends a view (the rest of its ctx is the page's own): the state and
// its current phase.
export function baseContext(getState) {
  function phase() {
    var state = getState();
    return state && state.phase;
  }
  return {
    state: getState,
    phase: phase,
    settings: function () { return (phase() && phase().settings) || {}; },
    t: t,
    el: el
  };
}

/* ================================ phone ================================ */

/* Drafts: what is being typed survives a reload, a closed tab and a locked phone. They
   live in localStorage under fa.draft.<code>.<field> as {text, column, at}; a draft is
   removed once its text is handed to the outbox (which keeps it until the server
   acknowledges) or saved, when the session ends, and after DRAFT_DAYS. */
var DRAFT_DAYS = 14;
export function drafts(code) {
  var prefix = 'fa.draft.' + code + '.';
  function store() {
    try { return window.localStorage || null; } catch (e) { return null; } // off in some private modes
  }
  return {
    save: function (field, text, column) {
      var s = store();
      if (!s) return;
      try {
        if (text) s.setItem(prefix + field, JSON.stringify({ text: text, column: column || null, at: Date.now() }));
        else s.removeItem(prefix + field);
      } catch (e) { /* quota: the draft is only a convenience */ }
    },
    load: function (field) {
      var s = store();
      if (!s) return null;
      try {
        var d = JSON.parse(s.getItem(prefix + field) || 'null');
        return d && typeof d.text === 'string' && d.text ? d : null;
      } catch (e) { return null; }
    },
    // Forget drafts older than DRAFT_DAYS, and all of this session's once it has ended.
    prune: function (thisSession) {
      var s = store();
      if (!s) return;
      try {
        var limit = Date.now() - DRAFT_DAYS * 864e5;
        var drop = [];
        for (var i = 0; i < s.length; i++) {
          var k = s.key(i);
          if (!k || k.indexOf('fa.draft.') !== 0) continue;
          var d = null;
          try { d = JSON.parse(s.getItem(k)); } catch (e) { /* not ours or damaged */ }
          if ((thisSession && k.indexOf(prefix) === 0) || !d || !(d.at > limit)) drop.push(k);
        }
        drop.forEach(function (k) { s.removeItem(k); });
      } catch (e) { /* ignore */ }
    }
  };
}

// The agreed actions as cards: the actions and summary phases, and the closed session.
export function phoneActions(ctx) {
  var heading = el('h3', { class: 'section-title' }, t('Agreed actions'));
  var host = el('ul', { class: 'actions-list' });
  ctx.body.appendChild(el('section', null, heading, host));
  return {
    update: function () {
      FA.clear(host);
      var list = ctx.state().actions || [];
      if (!list.length) {
        host.appendChild(el('li', { class: 'muted' }, t('No actions have been agreed yet.')));
        return;
      }
      var lang = ctx.sessionLang();
      // A date is never split over two lines.
      function date(iso) { return iso ? el('span', { class: 'nowrap' }, FA.formatDate(iso)) : null; }
      list.forEach(function (a) {
        var rows = [
          [t('Who'), a.who ? ctx.inLang(el('span', null, a.who), lang) : null],
          [t('By when'), date(a.due)],
          [t('First step'), a.first_step ? ctx.inLang(el('span', null, a.first_step), lang) : null],
          [t('Follow-up'), date(a.follow_up)]
        ].filter(function (r) { return r[1]; });
        host.appendChild(el('li', { class: 'card action-card' },
          el('div', { class: 'card-header' },
            ctx.inLang(el('h4', null, a.what), lang),
            a.status ? el('span', { class: 'badge badge-' + a.status }, FA.actionStatusLabel(a.status)) : null),
          rows.length ? el('dl', null, rows.map(function (r) { return [el('dt', null, r[0]), el('dd', null, r[1])]; })) : null));
      });
    }
  };
}

/* ============================== projector ============================== */

// Idea cards are kept per id, so arrivals highlight once and text updates in place.
export function ideaCards(ctx) {
  var cards = new Map();
  return function (idea) {
    var li = cards.get(idea.id);
    if (!li) {
      li = el('li', { class: 'p-card' }, idea.text);
      if (!ctx.fresh()) {
        li.classList.add('is-new');
        setTimeout(function () { li.classList.remove('is-new'); }, 1500);
      }
      cards.set(idea.id, li);
    } else if (li.textContent !== idea.text) {
      li.textContent = idea.text;
    }
    li.dataset.ideaId = String(idea.id);
    return li;
  };
}

// The agreed actions as a table, paged by rows: actions and summary phases, closed session.
export function projectorActions(ctx) {
  var bar = ctx.metaRow();
  var host = el('div', { class: 'p-rows' });
  ctx.fit.appendChild(host);
  return {
    update: function () {
      FA.clear(host);
      var list = ctx.state().actions || [];
      if (!list.length) {
        host.appendChild(el('p', { class: 'wall-empty' }, t('No actions have been agreed yet.')));
        return;
      }
      host.appendChild(el('table', { class: 'p-actions' },
        el('caption', { class: 'visually-hidden' }, t('Agreed actions')),
        el('thead', null, el('tr', null,
          el('th', { scope: 'col' }, t('What')),
          el('th', { scope: 'col' }, t('Who')),
          el('th', { scope: 'col' }, t('By when')),
          el('th', { scope: 'col' }, t('First step')),
          el('th', { scope: 'col' }, t('Follow-up')),
          el('th', { scope: 'col' }, t('Status')))),
        el('tbody', null, list.map(function (a) {
          return el('tr', null,
            el('th', { scope: 'row' }, a.what),
            el('td', null, a.who || ''),
            el('td', { class: 'p-date' }, a.due ? el('time', { datetime: a.due }, FA.formatDate(a.due)) : ''),
            el('td', null, a.first_step || ''),
            el('td', { class: 'p-date' }, a.follow_up ? el('time', { datetime: a.follow_up }, FA.formatDate(a.follow_up)) : ''),
            el('td', null, el('span', { class: 'badge badge-' + a.status }, FA.actionStatusLabel(a.status))));
        }))));
    },
    layout: function (k) {
      return ctx.pageRows(host, Array.prototype.slice.call(host.querySelectorAll('tbody tr')), k, bar.pager);
    }
  };
}

/* ============================= control view ============================= */

// The session's ideas the control view works on: not deleted.
export function currentIdeas(ctx) {
  return (ctx.state().ideas || []).filter(function (i) { return !i.deleted; });
}

export function mergedCount(ctx, idea) {
  return (ctx.state().ideas || []).filter(function (o) { return o.merged_into === idea.id; }).length;
}

// "Merge this idea into …": the panel under an idea card whose Merge… button is open.
// view.merging holds the id of the idea whose panel is open.
export function mergePanel(ctx, view, idea, targets) {
  var mid = 'merge-sel-' + idea.id;
  var errKey = 'idea-' + idea.id;
  var lang = ctx.sessionLang();
  var msel = el('select', { id: mid, 'data-key': mid },
    targets.map(function (o) { return el('option', { value: String(o.id), lang: lang }, ctx.snippet(o.text, 80)); }));
  return el('div', { class: 'merge-panel' },
    el('label', { for: mid }, t('Merge this idea into')),
    el('div', { class: 'inline-row' }, msel,
      el('button', {
        type: 'button', class: 'btn btn-primary btn-small', 'data-key': 'merge-go-' + idea.id, 'data-busy': 'merge-' + idea.id,
        onclick: function () {
          var into = Number(msel.value);
          ctx.busyGuard('merge-' + idea.id, function () {
            return ctx.call('POST', '/ideas/' + idea.id + '/merge', { into: into }, errKey, t('Ideas merged.')).then(function (res) {
              if (res) {
                view.merging = null;
                ctx.pendingFocus('hide-' + into);
                ctx.render();
              }
            });
          });
        }
      }, t('Merge')),
      el('button', {
        type: 'button', class: 'btn btn-small', 'data-key': 'merge-cancel-' + idea.id,
        onclick: function () { view.merging = null; ctx.pendingFocus('merge-' + idea.id); ctx.render(); }
      }, t('Cancel'))),
    el('p', { class: 'hint' }, t('The merged idea disappears from the wall; its votes move to the idea you choose.')));
}

// Toggles the Merge… panel of an idea.
export function toggleMerge(ctx, view, idea) {
  view.merging = view.merging === idea.id ? null : idea.id;
  ctx.pendingFocus(view.merging ? 'merge-sel-' + idea.id : 'merge-' + idea.id);
}

// The merged-away ideas, folded under the wall or the themes.
export function mergedList(ctx, ideas) {
  var merged = ideas.filter(function (i) { return i.merged_into; });
  if (!merged.length) return [];
  var lang = ctx.sessionLang();
  return [el('details', { class: 'merged' },
    el('summary', null, t('Merged ideas ({n})', { n: merged.length })),
    el('ul', null, merged.map(function (i) {
      var target = ctx.byId(ideas, i.merged_into);
      return el('li', null, el('span', { lang: lang }, i.text), ' → ',
        el('span', { class: 'merged-target', lang: lang }, target ? ctx.snippet(target.text, 80) : '#' + i.merged_into));
    })))];
}

export function setHidden(ctx, idea, hidden) {
  var key = 'hide-' + idea.id;
  ctx.busyGuard(key, function () {
    return ctx.call('PATCH', '/ideas/' + idea.id, { hidden: hidden }, 'idea-' + idea.id,
      hidden ? t('Idea hidden.') : t('Idea shown again.')).then(function (res) {
      if (res) {
        idea.hidden = hidden;
        ctx.pendingFocus(key);
        ctx.render();
      }
    });
  });
}

function voteTitle(v, r) {
  if (r.title) return r.title;
  var it = (v.items || []).filter(function (i) { return i.key === r.key; })[0];
  return it ? it.title : r.key;
}

// Vote results as a bar chart, most votes first (limit: only the first so many).
export function renderTally(ctx, container, v, limit) {
  var results = (v.results || []).slice();
  if (!results.length && v.items) results = v.items.map(function (i) { return { key: i.key, title: i.title, count: 0 }; });
  results.sort(function (a, b) { return b.count - a.count; });
  if (limit) results = results.slice(0, limit);
  if (!results.length) {
    ctx.patch(container, el('p', { class: 'empty' }, t('Nothing to vote on yet.')));
    return;
  }
  FA.chart(container, results.map(function (r) { return { label: voteTitle(v, r), count: r.count }; }), { unit: t('votes') });
  container.setAttribute('lang', ctx.sessionLang() || '');
}

/* ----- agreed actions (actions and summary phases) ----- */
// Kept across phases, like the page: an edit in progress and the new action's client_id.
var actionUi = { editing: null, drafts: {}, clientId: FA.uuid() };

export function actionForm(ctx, action) {
  var prefix = action ? 'act-' + action.id + '-' : 'new-action-';
  var draft = action ? (actionUi.drafts[action.id] || Object.assign({}, action)) : null;
  var errKey = action ? 'action-' + action.id : 'new-action';
  function field(name, label, control, hint) {
    var id = prefix + name;
    control.id = id;
    control.name = name;
    control.setAttribute('data-key', id);
    var described = [];
    if (hint) described.push(id + '-hint');
    if (name === 'what') described.push(prefix + 'error');
    if (described.length) control.setAttribute('aria-describedby', described.join(' '));
    if (draft) {
      control.value = draft[name] || '';
      control.addEventListener('input', function () {
        draft[name] = control.value;
        actionUi.drafts[action.id] = draft;
      });
    }
    return el('div', { class: 'field' },
      el('label', { for: id }, label),
      hint ? el('p', { class: 'hint', id: id + '-hint' }, hint) : null,
      control);
  }
  var fields = {
    what: el('textarea', { rows: '2', maxlength: '1000', required: true }),
    who: el('input', { type: 'text', maxlength: '200', autocomplete: 'off' }),
    due: el('input', { type: 'date' }),
    first_step: el('textarea', { rows: '2', maxlength: '1000' }),
    follow_up: el('input', { type: 'date' })
  };
  var err = ctx.errorSlot(errKey);
  err.id = prefix + 'error';
  var buttons = action
    ? el('p', { class: 'form-buttons' },
      el('button', { type: 'submit', class: 'btn btn-primary', 'data-busy': errKey }, t('Save changes')),
      el('button', { type: 'button', class: 'btn', onclick: function () { stopEditAction(ctx, action.id); } }, t('Cancel')))
    : el('p', { class: 'form-buttons' },
      el('button', { type: 'submit', class: 'btn btn-primary', 'data-busy': errKey, 'data-key': 'add-action' }, t('Add action')));
  var node = el('form', { class: ['action-form', action ? 'is-edit' : null], novalidate: true },
    field('what', t('What will we do?'), fields.what),
    field('who', t('Who is responsible?'), fields.who, t('A name or a role, for example "shift supervisor".')),
    el('div', { class: 'field-row' },
      field('due', t('By when?'), fields.due),
      field('follow_up', t('Follow-up date'), fields.follow_up, t('When do we check how it went?'))),
    field('first_step', t('First step'), fields.first_step, t('The very next concrete thing to do.')),
    err, buttons);
  node.addEventListener('keydown', function (e) {
    if (action && e.key === 'Escape') { e.preventDefault(); stopEditAction(ctx, action.id); }
  });
  node.addEventListener('submit', function (e) {
    e.preventDefault();
    var data = {
      what: fields.what.value.trim(),
      who: fields.who.value.trim(),
      due: fields.due.value || null,
      first_step: fields.first_step.value.trim(),
      follow_up: fields.follow_up.value || null
    };
    if (!data.what) {
      ctx.setError(errKey, t('Write what will be done first.'));
      fields.what.setAttribute('aria-invalid', 'true');
      fields.what.focus();
      return;
    }
    fields.what.removeAttribute('aria-invalid');
    ctx.busyGuard(errKey, function () {
      if (action) {
        data.status = action.status;
        return ctx.call('PATCH', '/actions/' + action.id, data, errKey, t('Action saved.')).then(function (res) {
          if (res) {
            Object.assign(action, data);
            stopEditAction(ctx, action.id);
          }
        });
      }
      data.client_id = actionUi.clientId; // reused on retry, so a retry never duplicates
      // The candidate it was started from ("use as action"): the export groups by it.
      if (node.dataset.sourceItem) data.source_item = node.dataset.sourceItem;
      return ctx.call('POST', '/actions', data, errKey, t('Action added.')).then(function (res) {
        if (res) {
          actionUi.clientId = FA.uuid();
          delete node.dataset.sourceItem;
          node.reset();
          fields.what.focus();
        }
      });
    });
  });
  return { node: node, fields: fields };
}

function stopEditAction(ctx, id) {
  actionUi.editing = null;
  delete actionUi.drafts[id];
  ctx.setError('action-' + id, null);
  ctx.pendingFocus('edit-action-' + id);
  ctx.render();
}

export function renderActionList(ctx, container) {
  var actions = ctx.state().actions || [];
  if (!ctx.changed('actions-' + container.className, [actions, actionUi.editing])) return;
  if (!actions.length) {
    ctx.patch(container, el('p', { class: 'empty' }, t('No actions yet.')));
    return;
  }
  ctx.patch(container, el('ol', { class: 'actions' }, actions.map(function (a) { return actionItem(ctx, a); })));
}

function actionItem(ctx, a) {
  var errKey = 'action-' + a.id;
  var lang = ctx.sessionLang();
  if (actionUi.editing === a.id) {
    var f = actionForm(ctx, a);
    return el('li', { class: 'action card is-editing' },
      el('h4', { class: 'visually-hidden' }, t('Edit action')), f.node);
  }
  var titleId = 'action-' + a.id + '-what';
  var statusId = 'action-' + a.id + '-status';
  var statusSel = el('select', {
    id: statusId, 'data-key': statusId,
    onchange: function () {
      var data = { what: a.what, who: a.who || '', due: a.due || null, first_step: a.first_step || '', follow_up: a.follow_up || null, status: statusSel.value };
      ctx.call('PATCH', '/actions/' + a.id, data, errKey, t('Status changed to {status}.', { status: FA.actionStatusLabel(statusSel.value) })).then(function (res) {
        if (res) a.status = data.status;
        else statusSel.value = a.status;
      });
    }
  }, Object.keys(FA.ACTION_STATUS).map(function (k) {
    return el('option', { value: k, selected: a.status === k }, FA.actionStatusLabel(k));
  }));
  statusSel.value = a.status;
  function row(label, value) {
    return value ? el('div', null, el('dt', null, label), el('dd', { lang: lang }, value)) : null;
  }
  function dateRow(label, iso) {
    return iso ? el('div', null, el('dt', null, label), el('dd', null, el('time', { datetime: iso }, FA.formatDate(iso)))) : null;
  }
  return el('li', { class: ['action card', 'status-' + a.status] },
    el('h4', { id: titleId, lang: lang }, a.what),
    el('dl', { class: 'action-meta' },
      row(t('Who'), a.who),
      dateRow(t('By when'), a.due),
      row(t('First step'), a.first_step),
      dateRow(t('Follow-up'), a.follow_up)),
    el('div', { class: 'action-tools' },
      el('div', { class: 'status-pick' }, el('label', { for: statusId }, t('Status')), statusSel),
      el('button', {
        type: 'button', class: 'btn btn-small', 'data-key': 'edit-action-' + a.id, 'aria-describedby': titleId,
        onclick: function () {
          actionUi.editing = a.id;
          ctx.pendingFocus('act-' + a.id + '-what');
          ctx.render();
        }
      }, t('Edit')),
      el('button', {
        type: 'button', class: 'btn btn-small btn-danger', 'data-key': 'del-action-' + a.id, 'aria-describedby': titleId,
        'data-busy': 'del-' + errKey,
        onclick: function () {
          if (!window.confirm(t('Delete the action "{what}"?', { what: ctx.snippet(a.what, 80) }))) return;
          ctx.busyGuard('del-' + errKey, function () {
            return ctx.call('DELETE', '/actions/' + a.id, null, errKey, t('Action deleted.')).then(function (res) {
              if (res) ctx.pendingFocus('add-action');
            });
          });
        }
      }, t('Delete'))),
    ctx.errorSlot(errKey));
}
