/* Participant phone page: follows the live session and sends ideas, votes and ratings. */
(function () {
  'use strict';

  var t = FA.t;
  var el = FA.el;
  var app = document.getElementById('app');
  if (!app) return;
  var code = app.dataset.code;
  var MAX_LEN = 500;

  var ui = {
    step: document.getElementById('phase-step'),
    title: document.getElementById('phase-title'),
    timer: document.getElementById('timer'),
    prompt: document.getElementById('prompt'),
    body: document.getElementById('phase-body'),
    announcer: document.getElementById('announcer')
  };

  var state = null;
  var mine = new Set();        // ids of this phone's own ideas (snapshot is_mine + acks)
  var deleting = new Set();    // ids removed optimistically, waiting for the ack
  var editing = null;          // id of the idea being edited
  var editForms = {};          // id -> form node, kept so live updates never wipe typed text
  var viewKey = null;          // which phase view is currently built
  var view = {};               // references into the current view
  var lastPhaseIndex = null;
  var online = false;

  /* ---------- helpers ---------- */
  function announce(msg) {
    ui.announcer.textContent = '';
    // A fresh text node after a tick makes screen readers repeat identical messages too.
    setTimeout(function () { ui.announcer.textContent = String(msg).replace(/\u00AD/g, ''); }, 50);
  }

  function setError(node, msg, control) {
    if (!node) return;
    node.textContent = msg || '';
    if (control) {
      if (msg) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    }
  }

  function errMsg(ack) {
    return (ack && ack.error && ack.error.message) || t('Something went wrong. Please try again.');
  }

  function phase() { return state && state.phase; }
  function settings() { return (phase() && phase().settings) || {}; }
  function columns() { return settings().columns || []; }
  function columnTitle(id) {
    var c = columns().filter(function (x) { return x.id === id; })[0];
    return c ? c.title : '';
  }

  function upsertIdea(idea) {
    if (state) FA.upsertIdea(state, idea);
  }

  function removeIdea(id) {
    if (state) FA.removeIdea(state, id);
  }

  /* Drafts: what is being typed survives a reload, a closed tab and a locked phone. They
     live in localStorage under fa.draft.<code>.<field> as {text, column, at}; a draft is
     removed once its text is handed to the outbox (which keeps it until the server
     acknowledges) or saved, when the session ends, and after DRAFT_DAYS. */
  var DRAFT_PREFIX = 'fa.draft.' + code + '.';
  var DRAFT_DAYS = 14;
  function draftStore() {
    try { return window.localStorage || null; } catch (e) { return null; } // off in some private modes
  }
  function ideaDraftField() { return 'idea.' + (phase() ? phase().id : ''); }
  function editDraftField(id) { return 'edit.' + id; }
  function saveDraft(field, text, column) {
    var store = draftStore();
    if (!store) return;
    try {
      if (text) store.setItem(DRAFT_PREFIX + field, JSON.stringify({ text: text, column: column || null, at: Date.now() }));
      else store.removeItem(DRAFT_PREFIX + field);
    } catch (e) { /* quota: the draft is only a convenience */ }
  }
  function loadDraft(field) {
    var store = draftStore();
    if (!store) return null;
    try {
      var d = JSON.parse(store.getItem(DRAFT_PREFIX + field) || 'null');
      return d && typeof d.text === 'string' && d.text ? d : null;
    } catch (e) { return null; }
  }
  // Forget drafts older than DRAFT_DAYS, and all of this session's once it has ended.
  function pruneDrafts(thisSession) {
    var store = draftStore();
    if (!store) return;
    try {
      var limit = Date.now() - DRAFT_DAYS * 864e5;
      var drop = [];
      for (var i = 0; i < store.length; i++) {
        var k = store.key(i);
        if (!k || k.indexOf('fa.draft.') !== 0) continue;
        var d = null;
        try { d = JSON.parse(store.getItem(k)); } catch (e) { /* not ours or damaged */ }
        if ((thisSession && k.indexOf(DRAFT_PREFIX) === 0) || !d || !(d.at > limit)) drop.push(k);
      }
      drop.forEach(function (k) { store.removeItem(k); });
    } catch (e) { /* ignore */ }
  }
  function pickedColumn(form, name) {
    var checked = form && form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : null;
  }
  function pickColumn(form, name, value) {
    if (!value) return;
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (r) { r.checked = r.value === value; });
  }

  /* Language of content, for hyphenation and screen readers: the page is in the interface
     language; session text (title, ideas, themes, actions) is in the session's language,
     template text (steps, prompts, statements, columns) in content_language. */
  function sessionLang() { return (state && state.session && state.session.language) || ''; }
  function contentLang() {
    return (state && state.session && (state.session.content_language || state.session.language)) || '';
  }
  function inLang(node, lang) {
    if (!node) return node;
    if (lang && lang !== document.documentElement.lang) node.setAttribute('lang', lang);
    else node.removeAttribute('lang');
    return node;
  }

  // Radio "pills" for choosing a column; used by the new-idea form and the edit form.
  function columnPicker(name, selected, legendText) {
    return el('fieldset', { class: 'field column-picker' },
      el('legend', null, legendText),
      el('div', { class: 'pills' }, columns().map(function (c) {
        return el('label', { class: 'pill' },
          el('input', { type: 'radio', name: name, value: c.id, checked: c.id === selected }),
          inLang(el('span', null, c.title), contentLang()));
      })));
  }

  function counterText(node, len) {
    node.textContent = t('{count}/{max} characters', { count: len, max: MAX_LEN });
    node.classList.toggle('is-near', len >= MAX_LEN - 50 && len < MAX_LEN);
    node.classList.toggle('is-full', len >= MAX_LEN);
  }

  /* ---------- header ---------- */
  function renderHeader() {
    var s = state.session;
    var p = phase();
    var live = s.status === 'live' && p;
    document.body.classList.toggle('is-upcoming', s.status === 'upcoming');
    document.body.classList.toggle('is-closed', s.status === 'closed');

    if (live) {
      ui.step.textContent = t('Phase {n} of {total}', { n: p.index + 1, total: (state.phases || []).length });
      ui.title.textContent = p.title;
      inLang(ui.title, contentLang());
    } else {
      inLang(ui.title, '');
      ui.step.textContent = '';
      ui.title.textContent = s.status === 'closed' ? t('Thank you for taking part!') : t('Waiting for the start');
    }
    ui.step.hidden = !live;

    FA.showPromptAndTimer(ui.prompt, ui.timer, state, live);
    inLang(ui.prompt, contentLang());

    var idx = live ? p.index : -1;
    if (lastPhaseIndex !== null && idx !== lastPhaseIndex) {
      announce(live ? t('New phase: {title}', { title: p.title }) : ui.title.textContent);
    }
    lastPhaseIndex = idx;
  }

  /* ---------- view building ---------- */
  function render() {
    if (!state) return;
    renderHeader();
    var key = FA.viewKey(state, true); // opening or closing input changes the phone's form
    if (key !== viewKey) {
      viewKey = key;
      view = {};
      editing = null;
      editForms = {};
      FA.clear(ui.body);
      build();
    }
    update();
  }

  function build() {
    var s = state.session;
    if (s.status === 'upcoming') return buildWaiting();
    if (s.status === 'closed') return buildClosed();
    var kind = phase() ? phase().kind : null;
    if (kind === 'info') return buildInfo();
    if (kind === 'ideas') return buildIdeas();
    if (kind === 'group') return buildGroup();
    if (kind === 'vote') return buildVote();
    if (kind === 'rate') return buildRate();
    if (kind === 'actions' || kind === 'summary') return buildActions();
    return null;
  }

  function update() {
    if (view.update) view.update();
  }

  function buildWaiting() {
    ui.body.appendChild(el('div', { class: 'waiting card' },
      el('span', { class: 'pulse', 'aria-hidden': 'true' }),
      el('p', { class: 'big' }, t('The session has not started yet.')),
      el('p', null, t('Keep this page open. It updates by itself when the facilitator starts.'))));
  }

  function buildClosed() {
    ui.body.appendChild(el('div', { class: 'thanks card' },
      el('p', { class: 'big' }, t('The session has ended.')),
      el('p', null, t('Below are the actions you agreed on together.'))));
    buildActionsList();
  }

  function buildInfo() {
    var st = settings();
    if (st.link) {
      ui.body.appendChild(el('p', null,
        el('a', { class: 'btn btn-primary', href: st.link, target: '_blank', rel: 'noopener noreferrer' },
          st.link_label || t('Open the material'),
          el('span', { class: 'visually-hidden' }, ' ' + t('(opens in a new tab)')))));
    }
    ui.body.appendChild(el('p', { class: 'muted' }, t('Listen and discuss. The next phase appears here automatically.')));
  }

  /* ----- ideas ----- */
  function buildIdeas() {
    var p = phase();
    var st = settings();
    if (p.input_open) {
      var ta = el('textarea', {
        id: 'idea-text', name: 'text', rows: '3', maxlength: String(MAX_LEN),
        'aria-describedby': 'idea-counter idea-error', autocomplete: 'off'
      });
      var draftField = ideaDraftField();
      var draft = loadDraft(draftField);
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
        if (ta.value.trim()) setError(error, '', ta);
        saveDraft(draftField, ta.value, pickedColumn(form, 'column'));
      });
      // The chosen column is part of the draft too.
      form.addEventListener('change', function () { saveDraft(draftField, ta.value, pickedColumn(form, 'column')); });
      if (draft && columns().length > 1) pickColumn(form, 'column', draft.column);
      counterText(counter, ta.value.length);
      view.form = form;
      view.ta = ta;
      view.error = error;
      view.limitHint = limitHint;
      view.note = note;
      ui.body.appendChild(form);
    } else {
      ui.body.appendChild(el('p', { class: 'card' }, t('Posting ideas is closed in this phase.')));
    }

    view.listHeading = el('h3', { class: 'section-title', tabindex: '-1' });
    view.listError = el('p', { class: 'error', role: 'alert' });
    view.listNote = st.wall === 'projector'
      ? el('p', { class: 'muted' }, t("Everyone's ideas are shown on the projector."))
      : null;
    view.list = el('div', { class: 'idea-wall' });
    ui.body.appendChild(el('section', { 'aria-labelledby': 'ideas-heading' },
      view.listHeading, view.listNote, view.listError, view.list));
    view.listHeading.id = 'ideas-heading';
    view.update = updateIdeas;
    if (p.input_open) {
      // An edit that was going on before a reload opens again with its draft.
      var unfinished = phaseIdeas().filter(function (i) {
        return mine.has(i.id) && loadDraft(editDraftField(i.id));
      })[0];
      if (unfinished) editing = unfinished.id;
    }
  }

  function pendingIdeas() {
    if (!conn) return [];
    return conn.outbox().filter(function (e) { return e.event === 'idea.add'; });
  }

  function phaseIdeas() {
    var p = phase();
    return (state.ideas || []).filter(function (i) {
      return i.phase_id === p.id && !deleting.has(i.id);
    });
  }

  function updateIdeas() {
    var p = phase();
    var st = settings();
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
        var h = g.title ? inLang(el('h4'), g.id === '__other' ? '' : contentLang()) : null;
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
    var p = phase();
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
    li.appendChild(inLang(el('p', { class: 'idea-text', id: textId }, it.text), sessionLang()));
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
    setError(view.error, '', ta);
    if (!text) {
      setError(view.error, t('Write your idea first.'), ta);
      ta.focus();
      return;
    }
    var column = null;
    if (columns().length) {
      var checked = view.form.querySelector('input[name="column"]:checked');
      if (!checked) {
        setError(view.error, t('Choose where your idea belongs.'));
        view.form.querySelector('input[name="column"]').focus();
        return;
      }
      column = checked.value;
    }
    var myView = viewKey;
    var draftField = ideaDraftField();
    ta.value = '';
    ta.dispatchEvent(new Event('input'));
    saveDraft(draftField, ''); // the outbox keeps the text until the server has it
    var sent = conn.emit('idea.add', { text: text, column: column });
    view.note.textContent = conn.isOnline() ? '' : t('Saved on this phone. It will be sent when the connection returns.');
    updateIdeas();
    sent.then(function (ack) {
      if (ack.ok && ack.idea) {
        mine.add(ack.idea.id);
        upsertIdea(ack.idea);
        if (viewKey === myView && view.note) view.note.textContent = '';
        announce(t('Your idea was posted.'));
      } else if (viewKey === myView && view.ta) {
        // Give the text back so nothing typed is lost.
        if (!view.ta.value) {
          view.ta.value = text;
          view.ta.dispatchEvent(new Event('input'));
        }
        setError(view.error, errMsg(ack), view.ta);
      } else {
        if (!loadDraft(draftField)) saveDraft(draftField, text, column); // not lost: back as a draft
        announce(errMsg(ack));
      }
      update();
    });
  }

  function editForm(idea) {
    if (editForms[idea.id]) return editForms[idea.id];
    var taId = 'edit-text-' + idea.id;
    var ta = el('textarea', { id: taId, rows: '3', maxlength: String(MAX_LEN), 'aria-describedby': taId + '-c ' + taId + '-e' });
    var draftField = editDraftField(idea.id);
    var draft = loadDraft(draftField);
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
          onclick: function () { saveDraft(draftField, ''); stopEdit(idea.id); }
        }, t('Cancel'))));
    var radios = 'column-' + idea.id;
    if (draft && draft.column) pickColumn(form, radios, draft.column);
    function keepDraft() {
      var column = pickedColumn(form, radios) || idea.column || null;
      var same = ta.value === idea.text && column === (idea.column || null);
      saveDraft(draftField, same ? '' : ta.value, column);
    }
    ta.addEventListener('input', function () { counterText(counter, ta.value.length); keepDraft(); });
    form.addEventListener('change', keepDraft);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var text = ta.value.trim();
      if (!text) {
        setError(error, t('Write your idea first.'), ta);
        ta.focus();
        return;
      }
      var picked = form.querySelector('input[type="radio"]:checked');
      var payload = { id: idea.id, text: text, column: picked ? picked.value : (idea.column || null) };
      setError(error, '', ta);
      conn.emit('idea.edit', payload).then(function (ack) {
        if (ack.ok) {
          if (ack.idea) upsertIdea(ack.idea);
          else upsertIdea({ id: idea.id, text: text, column: payload.column });
          saveDraft(draftField, '');
          stopEdit(idea.id);
          announce(t('Changes saved.'));
        } else {
          setError(error, errMsg(ack), ta);
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
    update();
    var btn = ui.body.querySelector('[data-fkey="edit-' + id + '"]');
    if (btn) btn.focus();
  }

  function deleteIdea(id) {
    if (!window.confirm(t('Delete this idea?'))) return;
    deleting.add(id);
    update();
    if (view.listHeading) view.listHeading.focus(); // the focused button is gone: land on the list
    conn.emit('idea.delete', { id: id }).then(function (ack) {
      deleting.delete(id);
      if (ack.ok) {
        removeIdea(id);
        mine.delete(id);
        announce(t('Idea deleted.'));
      } else {
        setError(view.listError, errMsg(ack));
      }
      update();
    });
  }

  /* ----- group ----- */
  function buildGroup() {
    view.list = el('div', { class: 'themes' });
    ui.body.appendChild(view.list);
    view.update = function () {
      FA.clear(view.list);
      FA.themeSections(state, t('Not grouped yet')).forEach(function (s) {
        view.list.appendChild(el('section', { class: 'theme-group' },
          el('h3', null, t('{title} ({count})', { title: s.title, count: s.ideas.length })),
          s.ideas.length ? el('ul', { class: 'ideas' }, s.ideas.map(ideaReadOnly)) : el('p', { class: 'muted' }, t('No ideas in this theme yet.'))));
      });
      if (!(state.ideas || []).length) view.list.appendChild(el('p', { class: 'muted' }, t('No ideas to group.')));
    };
  }

  function ideaReadOnly(i) {
    return el('li', { class: 'idea' + (mine.has(i.id) ? ' idea-own' : '') },
      inLang(el('p', { class: 'idea-text' }, i.text), sessionLang()),
      mine.has(i.id) ? el('div', { class: 'idea-meta' }, el('span', { class: 'badge' }, t('Mine'))) : null);
  }

  /* ----- vote ----- */
  function buildVote() {
    var v = state.vote;
    if (!v) {
      ui.body.appendChild(el('p', { class: 'muted' }, t('Nothing to vote on yet.')));
      return;
    }
    var open = phase().input_open;
    view.dots = el('span', { class: 'dots', 'aria-hidden': 'true' });
    view.left = el('span', { class: 'vote-budget-text' });
    if (open) {
      ui.body.appendChild(el('div', { class: 'vote-budget' }, view.dots, view.left,
        el('span', { class: 'muted' }, v.per_item_cap > 1
          ? t('At most {cap} per item', { cap: v.per_item_cap })
          : t('One vote per item'))));
    } else {
      ui.body.appendChild(el('p', { class: 'card' }, t('Voting is closed.')));
    }
    view.items = el('ul', { class: 'plain-list vote-items' });
    view.results = el('section', { class: 'vote-results', 'aria-labelledby': 'vote-results-h' });
    ui.body.appendChild(view.items);
    ui.body.appendChild(view.results);
    view.update = updateVote;
  }

  function updateVote() {
    var v = state.vote;
    if (!v) return;
    var open = phase().input_open;
    var left = Math.max(0, v.budget - v.used);
    FA.clear(view.dots);
    for (var i = 0; i < v.budget; i++) view.dots.appendChild(el('span', { class: 'dot' + (i < left ? ' is-free' : '') }));
    view.left.textContent = t('{left}/{budget} votes left', { left: left, budget: v.budget });

    FA.reconcile(view.items, v.items || [], function (it) { return it.key; }, function (it) {
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
        inLang(el('h3', { id: titleId }, it.title), sessionLang()),
        open ? el('div', { class: 'stepper' }, minus, out, plus) : out,
        it.ideas && it.ideas.length && !(it.ideas.length === 1 && it.ideas[0] === it.title)
          ? inLang(el('ul', { class: 'item-ideas' }, it.ideas.map(function (x) { return el('li', null, x); })), sessionLang()) : null,
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

    FA.clear(view.results);
    if (v.results) {
      var titles = {};
      (v.items || []).forEach(function (it) { titles[it.key] = it.title; });
      var rows = v.results.slice().sort(function (a, b) { return b.count - a.count; }).map(function (r) {
        return { label: titles[r.key] || r.key, count: r.count, highlight: (v.my_votes[r.key] || 0) > 0 };
      });
      view.results.appendChild(el('h3', { class: 'section-title', id: 'vote-results-h' }, t('Results')));
      view.results.appendChild(el('p', { class: 'muted' }, votedText(v)));
      view.results.appendChild(FA.chart(el('div'), rows, { unit: t('votes') }));
    } else if (typeof v.voters === 'number') {
      // The counts stay on the server until input closes: only how many have voted.
      view.results.appendChild(el('h3', { class: 'section-title', id: 'vote-results-h' }, t('Results')));
      view.results.appendChild(el('p', { class: 'vote-progress' }, votedText(v)));
      view.results.appendChild(el('p', { class: 'muted' }, t('The results are shown when voting closes.')));
    }
  }

  function votedText(v) {
    return t('{voters} / {participants} voted', { voters: v.voters || 0, participants: v.participants || 0 });
  }

  function setVote(key, delta) {
    var v = state.vote;
    var li = view.items && view.items._faNodes && view.items._faNodes.get(key);
    var errNode = li && li._parts.error;
    var cur = v.my_votes[key] || 0;
    var next = cur + delta;
    // Only the latest problem matters; older messages on other items would mislead.
    view.items.querySelectorAll('.vote-item .error').forEach(function (n) { n.textContent = ''; });
    if (next < 0) return;
    if (next > v.per_item_cap) {
      setError(errNode, t('At most {cap} per item', { cap: v.per_item_cap }));
      return;
    }
    if (delta > 0 && v.used >= v.budget) {
      setError(errNode, t('You have used all your votes. Remove one to vote for something else.'));
      return;
    }
    var before = { my: Object.assign({}, v.my_votes), used: v.used };
    if (next) v.my_votes[key] = next;
    else delete v.my_votes[key];
    v.used += delta;
    updateVote();
    var left = v.budget - v.used;
    announce(t('{count} on this item. {left}/{budget} votes left.', { count: next, left: left, budget: v.budget }));
    conn.emit('vote.set', { item: key, count: next }).then(function (ack) {
      var now = state.vote;
      if (!now || now.phase_id !== v.phase_id) return;
      var morePending = conn.outbox().some(function (e) { return e.event === 'vote.set'; });
      if (ack.ok) {
        // Later taps are still on their way; their acks will carry the final numbers.
        if (!morePending) {
          now.my_votes = ack.my_votes || now.my_votes;
          if (typeof ack.used === 'number') now.used = ack.used;
        }
      } else {
        now.my_votes = before.my;
        now.used = before.used;
        var node = view.items && view.items._faNodes && view.items._faNodes.get(key);
        setError(node && node._parts.error, errMsg(ack));
      }
      if (view.update === updateVote) updateVote();
    });
  }

  /* ----- rate ----- */
  function buildRate() {
    var r = state.rate;
    if (!r) {
      ui.body.appendChild(el('p', { class: 'muted' }, t('Nothing to answer yet.')));
      return;
    }
    var open = phase().input_open;
    if (!open) ui.body.appendChild(el('p', { class: 'card' }, t('Answering is closed.')));
    var sc = r.scale || { min: 1, max: 5 };
    view.statements = {};
    (r.statements || []).forEach(function (s, n) {
      var name = 'rate-' + s.id;
      var labelsId = name + '-labels';
      var values = [];
      for (var v = sc.min; v <= sc.max; v++) values.push(v);
      var error = el('p', { class: 'error', role: 'alert' });
      var result = el('div', { class: 'rate-result', 'aria-live': 'off' });
      var fs = el('fieldset', { class: 'card statement' },
        el('legend', null, el('span', { class: 'visually-hidden' }, t('Statement {n}:', { n: n + 1 }) + ' '),
          inLang(el('span', null, s.text), contentLang())),
        el('div', { class: 'scale' }, values.map(function (val) {
          var extra = val === sc.min ? sc.min_label : val === sc.max ? sc.max_label : '';
          return el('label', { class: 'pill' },
            el('input', {
              type: 'radio', name: name, value: String(val), disabled: !open,
              onchange: function () { setRating(s.id, val); }
            }),
            el('span', null, String(val), extra ? el('span', { class: 'visually-hidden' }, ' ' + extra) : null));
        })),
        (sc.min_label || sc.max_label)
          ? inLang(el('p', { class: 'scale-labels', id: labelsId, 'aria-hidden': 'true' },
              el('span', null, sc.min + ' = ' + (sc.min_label || '')),
              el('span', null, sc.max + ' = ' + (sc.max_label || ''))), contentLang())
          : null,
        error, result);
      view.statements[s.id] = { fs: fs, error: error, result: result, name: name };
      ui.body.appendChild(fs);
    });
    view.update = updateRate;
  }

  function updateRate() {
    var r = state.rate;
    if (!r) return;
    var sc = r.scale || { min: 1, max: 5 };
    (r.statements || []).forEach(function (s) {
      var parts = view.statements[s.id];
      if (!parts) return;
      var mineVal = r.my_ratings ? r.my_ratings[s.id] : undefined;
      parts.fs.querySelectorAll('input').forEach(function (inp) {
        inp.checked = mineVal !== undefined && Number(inp.value) === mineVal;
      });
      FA.clear(parts.result);
      var res = r.results && r.results[s.id];
      if (res && res.distribution) {
        var rows = [];
        for (var v = sc.min; v <= sc.max; v++) rows.push({ label: String(v), count: res.distribution[String(v)] || 0, highlight: v === mineVal });
        parts.result.appendChild(el('p', { class: 'muted' }, t('Answers: {count}', { count: res.responses })));
        parts.result.appendChild(FA.chart(el('div'), rows, { unit: t('answers'), compact: true }));
        if (res.mean !== null && res.mean !== undefined) {
          parts.result.appendChild(el('p', { class: 'rate-mean' }, t('Average: {mean}', { mean: FA.formatNumber(res.mean) })));
        }
      } else {
        parts.result.appendChild(el('p', { class: 'muted' },
          t('Results are shown when at least {count} people have answered.', { count: r.min_responses || 5 })));
      }
    });
  }

  function setRating(statementId, value) {
    var r = state.rate;
    var parts = view.statements[statementId];
    var before = r.my_ratings ? r.my_ratings[statementId] : undefined;
    r.my_ratings = Object.assign({}, r.my_ratings || {});
    r.my_ratings[statementId] = value;
    setError(parts.error, '');
    conn.emit('rate.set', { statement: statementId, value: value }).then(function (ack) {
      var now = state.rate;
      if (!now || now.phase_id !== r.phase_id) return;
      if (ack.ok) {
        if (ack.my_ratings) now.my_ratings = ack.my_ratings;
        announce(t('Answer saved.'));
      } else {
        now.my_ratings = Object.assign({}, now.my_ratings || {});
        if (before === undefined) delete now.my_ratings[statementId];
        else now.my_ratings[statementId] = before;
        var p = view.statements && view.statements[statementId];
        if (p) setError(p.error, errMsg(ack));
      }
      if (view.update === updateRate) updateRate();
    });
  }

  /* ----- actions & summary ----- */
  function buildActions() {
    buildActionsList();
  }

  function buildActionsList() {
    view.actionsHeading = el('h3', { class: 'section-title' }, t('Agreed actions'));
    view.actions = el('ul', { class: 'actions-list' });
    ui.body.appendChild(el('section', null, view.actionsHeading, view.actions));
    view.update = updateActions;
  }

  function updateActions() {
    FA.clear(view.actions);
    var list = state.actions || [];
    if (!list.length) {
      view.actions.appendChild(el('li', { class: 'muted' }, t('No actions have been agreed yet.')));
      return;
    }
    var lang = sessionLang();
    // A date is never split over two lines.
    function date(iso) { return iso ? el('span', { class: 'nowrap' }, FA.formatDate(iso)) : null; }
    list.forEach(function (a) {
      var rows = [
        [t('Who'), a.who ? inLang(el('span', null, a.who), lang) : null],
        [t('By when'), date(a.due)],
        [t('First step'), a.first_step ? inLang(el('span', null, a.first_step), lang) : null],
        [t('Follow-up'), date(a.follow_up)]
      ].filter(function (r) { return r[1]; });
      view.actions.appendChild(el('li', { class: 'card action-card' },
        el('div', { class: 'card-header' },
          inLang(el('h4', null, a.what), lang),
          a.status ? el('span', { class: 'badge badge-' + a.status }, FA.actionStatusLabel(a.status)) : null),
        rows.length ? el('dl', null, rows.map(function (r) { return [el('dt', null, r[0]), el('dd', null, r[1])]; })) : null));
    });
  }

  /* ---------- server events ---------- */
  function onEvent(name, payload) {
    if (!state || !payload || name === 'presence') return; // the phone shows no head count
    if (!FA.applyDelta(state, name, payload)) return;
    if (name === 'idea.removed') {
      mine.delete(payload.id);
      saveDraft(editDraftField(payload.id), '');
    }
    if (name === 'timer') renderHeader();
    else update();
  }

  var pruned = false;
  function onState(s) {
    state = s;
    (s.ideas || []).forEach(function (i) { if (i.is_mine) mine.add(i.id); });
    var ended = s.session && s.session.status === 'closed';
    if (ended || !pruned) pruneDrafts(ended);
    pruned = true;
    render();
  }

  // The session title is cut to one line on a phone; a tap shows all of it.
  var titleToggle = document.getElementById('title-toggle');
  if (titleToggle) {
    titleToggle.addEventListener('click', function () {
      var open = titleToggle.getAttribute('aria-expanded') !== 'true';
      titleToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      titleToggle.closest('.phone-bar').classList.toggle('is-expanded', open);
    });
  }

  var reloaded = false;
  function onStatus(status, detail) {
    online = status === 'online';
    document.body.classList.toggle('is-offline', status === 'offline');
    if (status === 'join_error' && detail && detail.code === 'not_joined' && !reloaded) {
      // The anonymous cookie is set by loading this page; a reload restores a lost one.
      try {
        if (!sessionStorage.getItem('fa.reloaded.' + code)) {
          sessionStorage.setItem('fa.reloaded.' + code, '1');
          reloaded = true;
          window.location.reload();
        }
      } catch (e) { /* ignore */ }
    }
    if (state && view.update === updateIdeas) update();
  }

  function onReplayed(event, payload, ack) {
    // A write from before a reload was delivered now: remember the idea as ours.
    if (event === 'idea.add' && ack && ack.ok && ack.idea) {
      mine.add(ack.idea.id);
      upsertIdea(ack.idea);
    }
    update();
  }

  var conn = FA.connect({
    join: { role: 'participant', code: code },
    onState: onState,
    onEvent: onEvent,
    onStatus: onStatus,
    onReplayed: onReplayed
  });
})();
