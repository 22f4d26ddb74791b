/*
 * Facilitator pages: the live control page, plus small helpers used on the
 * other dashboard pages (copy buttons, print buttons, confirmations, error
 * summaries). Plain ES2019, no build step. User text is only ever put into
 * the page as text nodes (FA.el); only server-sanitised *_html goes through FA.html.
 */
(function () {
  'use strict';

  /* ------------------------------------------------------------------ */
  /* Helpers for every dashboard page                                    */
  /* ------------------------------------------------------------------ */

  function tr(key, params) {
    return window.FA && window.FA.t ? window.FA.t(key, params) : key;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error('copy failed'));
    });
  }

  function initPageHelpers() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-copy]'), function (btn) {
      btn.addEventListener('click', function () {
        var source = btn.getAttribute('data-copy-from');
        var text = source ? (document.getElementById(source) || {}).value || (document.getElementById(source) || {}).textContent : btn.getAttribute('data-copy');
        var out = btn.getAttribute('data-copy-status') ? document.getElementById(btn.getAttribute('data-copy-status')) : null;
        copyText(text || '').then(function () {
          if (out) out.textContent = btn.getAttribute('data-copied') || tr('Copied');
        }, function () {
          if (out) out.textContent = btn.getAttribute('data-copy-failed') || tr('Copying did not work. Select the text and copy it yourself.');
          if (source && document.getElementById(source) && document.getElementById(source).select) document.getElementById(source).select();
        });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (btn) {
      btn.addEventListener('click', function () { window.print(); });
    });
    Array.prototype.forEach.call(document.querySelectorAll('form[data-confirm]'), function (form) {
      form.addEventListener('submit', function (e) {
        if (!window.confirm(form.getAttribute('data-confirm'))) e.preventDefault();
      });
    });
    var summary = document.getElementById('error-summary');
    if (summary) summary.focus();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', initPageHelpers);
  else initPageHelpers();

  /* ------------------------------------------------------------------ */
  /* Control page                                                        */
  /* ------------------------------------------------------------------ */

  var app = document.getElementById('control-app');
  if (!app || !window.FA) return;

  var FA = window.FA;
  var el = FA.el;
  var t = FA.t;
  var sessionId = Number(app.getAttribute('data-session-id'));
  var apiBase = app.getAttribute('data-api');
  var exportUrls = {
    view: app.getAttribute('data-export-view'),
    md: app.getAttribute('data-export-md'),
    json: app.getAttribute('data-export-json'),
    html: app.getAttribute('data-export-html')
  };

  // The phase kinds (static/js/phases/index.js, a module loaded before this script on the
  // control page). This file does not import it: the other dashboard pages load this file
  // as a classic script for the helpers above.
  var phaseKinds = FA.phaseKinds;
  function kindOf(kind) { return phaseKinds.kindOf(kind); }

  var $ = function (id) { return document.getElementById(id); };
  var refs = {
    statusBadge: $('session-status'),
    statusText: $('session-status-text'),
    startBtn: $('btn-start'),
    closeBtn: $('btn-close'),
    closedNote: $('closed-note'),
    joinBox: $('join-box'),
    conn: $('conn-status'),
    presence: $('presence-text'),
    joinNow: $('join-now'),
    nowBar: $('now-bar'),
    skip: document.querySelector('.now-skip'),
    phaseList: $('phase-list'),
    phaseStep: $('phase-step'),
    phaseTitle: $('phase-title'),
    prevBtn: $('btn-prev'),
    nextBtn: $('btn-next'),
    nextTitle: $('next-title'),
    prompt: $('phase-prompt'),
    notesBox: $('phase-notes-box'),
    notes: $('phase-notes'),
    timer: $('timer-display'),
    timerToggle: $('btn-timer-toggle'),
    timerReset: $('btn-timer-reset'),
    inputBox: $('input-box'),
    inputState: $('input-state'),
    inputBtn: $('btn-input'),
    inputNote: $('input-note'),
    body: $('phase-body'),
    live: $('live-status'),
    closeDialog: $('close-dialog'),
    closeConfirm: $('btn-close-confirm'),
    closeCancel: $('btn-close-cancel'),
    shortcuts: $('shortcuts-toggle')
  };

  var state = null;
  var conn = null;
  var ui = {
    errors: {},          // error key -> message, shown in [data-error=key]
    pendingFocus: null,  // data-key to focus after the next render
    busy: {},
    bodyKey: null,
    sigs: {},
    newIdeas: 0,
    newIdeasTimer: null,
    lastStatus: null
  };
  var body = null; // the current phase's rendered parts

  /* ---------- small utilities ---------- */

  function announce(msg) {
    if (!refs.live || !msg) return;
    refs.live.textContent = '';
    setTimeout(function () { refs.live.textContent = msg; }, 60);
  }

  function sessionLang() {
    return state && state.session && state.session.language ? state.session.language : null;
  }

  function kindLabel(kind) {
    var k = phaseKinds.kinds[kind];
    return t(k ? k.label : kind);
  }

  function isClosed() {
    return state && state.session.status === 'closed';
  }

  function errorSlot(key, extraClass) {
    var p = el('p', { class: ['error', extraClass], role: 'alert', 'data-error': key });
    p.textContent = ui.errors[key] || '';
    p.hidden = !ui.errors[key];
    return p;
  }

  function setError(key, message) {
    if (message) ui.errors[key] = message;
    else delete ui.errors[key];
    Array.prototype.forEach.call(app.querySelectorAll('[data-error="' + key + '"]'), function (p) {
      p.textContent = message || '';
      p.hidden = !message;
    });
  }

  function clearErrors() {
    Object.keys(ui.errors).forEach(function (k) { setError(k, null); });
  }

  // Replace a container's children, keeping keyboard focus on the "same" control.
  function patch(container, nodes) {
    var active = document.activeElement;
    var key = null;
    var sel = null;
    if (active && active !== document.body && container.contains(active)) {
      key = active.getAttribute('data-key');
      try {
        if (typeof active.selectionStart === 'number') sel = [active.selectionStart, active.selectionEnd];
      } catch (e) { sel = null; }
      if (!key) key = '__fallback__';
    }
    FA.clear(container);
    (Array.isArray(nodes) ? nodes : [nodes]).forEach(function (n) { if (n) container.appendChild(n); });
    var target = null;
    if (ui.pendingFocus) {
      target = container.querySelector('[data-key="' + cssEscape(ui.pendingFocus) + '"]');
      if (target) ui.pendingFocus = null;
    }
    if (!target && key) {
      if (key !== '__fallback__') target = container.querySelector('[data-key="' + cssEscape(key) + '"]');
      if (!target) target = container.querySelector('[data-focus-fallback]') || closestFallback(container);
    }
    if (target && target !== document.activeElement) {
      target.focus();
      if (sel && target.setSelectionRange) {
        try { target.setSelectionRange(sel[0], sel[1]); } catch (e) { /* not a text input */ }
      }
    }
  }

  function closestFallback(container) {
    var n = container;
    while (n && n !== document.body) {
      var f = n.querySelector && n.querySelector(':scope > [data-focus-fallback]');
      if (f) return f;
      n = n.parentNode;
    }
    return refs.phaseTitle;
  }

  function focusPending(root) {
    if (!ui.pendingFocus) return;
    var target = (root || app).querySelector('[data-key="' + cssEscape(ui.pendingFocus) + '"]');
    if (target) {
      ui.pendingFocus = null;
      target.focus();
    }
  }

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&');
  }

  function changed(part, data) {
    var sig = JSON.stringify(data);
    if (ui.sigs[part] === sig) return false;
    ui.sigs[part] = sig;
    return true;
  }

  function busyGuard(key, fn) {
    if (ui.busy[key]) return Promise.resolve(null);
    ui.busy[key] = true;
    var btns = app.querySelectorAll('[data-busy="' + key + '"]');
    Array.prototype.forEach.call(btns, function (b) { b.setAttribute('aria-disabled', 'true'); });
    var done = function (v) {
      delete ui.busy[key];
      Array.prototype.forEach.call(app.querySelectorAll('[data-busy="' + key + '"]'), function (b) {
        if (!b.hasAttribute('data-keep-disabled')) b.removeAttribute('aria-disabled');
      });
      return v;
    };
    return fn().then(done, function (e) { done(); throw e; });
  }

  // One call to the JSON API. Resolves with the response body, or null after showing the error.
  function call(method, path, payload, errKey, okMessage) {
    if (errKey) setError(errKey, null);
    return FA.api(method, apiBase + path, payload).then(function (res) {
      if (okMessage) announce(okMessage);
      if (res && res.phase && res.phases) applyState(res); // start, close, phase and input answer with the snapshot
      else if (res && res.timer && state) { state.timer = res.timer; renderTimer(); }
      resync(); // events may have crossed the answer: re-read to be sure
      return res === null || res === undefined ? {} : res;
    }, function (err) {
      var msg = (err && err.message) || t('Something went wrong. Please try again.');
      if (errKey) setError(errKey, msg);
      else announce(msg);
      if (err && (err.code === 'not_found' || err.status === 409)) resync();
      return null;
    });
  }

  var syncTimer = null;
  function resync() {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(function () {
      if (conn && conn.sync) conn.sync();
    }, 120);
  }

  function byId(list, id) {
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
    return null;
  }

  function snippet(text, n) {
    text = String(text || '');
    n = n || 60;
    return text.length > n ? text.slice(0, n - 1) + '…' : text;
  }

  /* ------------------------------------------------------------------ */
  /* Rendering: session, outline, phase header, timer, input             */
  /* ------------------------------------------------------------------ */

  function renderSession() {
    var status = state.session.status;
    var labels = { upcoming: t('Not started'), collecting: t('Input before the session'), live: t('Live'), closed: t('Closed') };
    refs.statusBadge.textContent = labels[status] || status;
    refs.statusBadge.className = 'badge badge-' + status;
    refs.startBtn.hidden = status !== 'upcoming' && status !== 'collecting'; // starting keeps what was collected
    refs.closeBtn.hidden = status !== 'live';
    refs.closedNote.hidden = status !== 'closed';
    if (refs.joinBox) refs.joinBox.hidden = status === 'closed';
    if (refs.joinNow) refs.joinNow.hidden = status === 'closed';
    app.classList.toggle('is-closed', status === 'closed');
    app.classList.toggle('is-upcoming', status === 'upcoming');
    app.setAttribute('data-status', status);
    if (ui.lastStatus && ui.lastStatus !== status) {
      clearErrors();
      if (status === 'live') announce(t('The session has started. Participants can now take part.'));
      if (status === 'closed') announce(t('The session is closed.'));
      // The button that had focus disappeared: move focus somewhere sensible.
      if (document.activeElement === document.body || (document.activeElement && document.activeElement.hidden)) {
        refs.phaseTitle.focus();
      }
    }
    ui.lastStatus = status;
  }

  function renderPresence() {
    var p = state.participants || { joined: 0, online: 0 };
    refs.presence.textContent = t('{online} / {joined} online', { online: p.online || 0, joined: p.joined || 0 });
  }

  function renderOutline() {
    var phases = state.phases || [];
    var cur = state.phase.index;
    if (!changed('outline', [phases, cur, isClosed()])) return;
    var items = phases.map(function (ph) {
      var current = ph.index === cur;
      var btn = el('button', {
        type: 'button',
        class: ['phase-link', current ? 'is-current' : null, ph.index < cur ? 'is-done' : null],
        'data-key': 'phase-' + ph.index,
        'aria-current': current ? 'step' : null,
        'aria-disabled': isClosed() ? 'true' : null,
        onclick: function () { if (!current) goToPhase(ph.index, 'outline'); else refs.phaseTitle.focus(); }
      },
      el('span', { class: 'phase-num' }, String(ph.index + 1)),
      el('span', { class: 'phase-text' },
        el('span', { class: 'phase-name', lang: sessionLang() }, ph.title),
        el('span', { class: 'phase-kind' }, kindLabel(ph.kind))),
      current ? el('span', { class: 'visually-hidden' }, ' (' + t('current phase') + ')') : null);
      return el('li', null, btn);
    });
    patch(refs.phaseList, items);
  }

  function renderPhaseHeader() {
    var ph = state.phase;
    var total = (state.phases || []).length;
    app.setAttribute('data-kind', ph.kind);
    if (refs.skip) refs.skip.textContent = t(kindOf(ph.kind).skipLabel || 'Go to the phase tools');
    refs.phaseStep.textContent = t('Phase {n} of {total}', { n: ph.index + 1, total: total }) + ' · ' + kindLabel(ph.kind);
    refs.phaseTitle.textContent = ph.title;
    refs.phaseTitle.setAttribute('lang', sessionLang() || '');
    var atStart = ph.index <= 0;
    var atEnd = ph.index >= total - 1;
    setDisabled(refs.prevBtn, atStart || isClosed());
    setDisabled(refs.nextBtn, atEnd || isClosed());
    var next = (state.phases || [])[ph.index + 1];
    refs.nextTitle.textContent = next ? ': ' + next.title : '';
    if (changed('prompt', [ph.index, ph.prompt_html, ph.notes_html])) {
      FA.html(refs.prompt, ph.prompt_html || '');
      refs.prompt.setAttribute('lang', sessionLang() || '');
      var hasNotes = !!(ph.notes_html && ph.notes_html.replace(/<[^>]*>/g, '').trim());
      refs.notesBox.hidden = !hasNotes;
      FA.html(refs.notes, hasNotes ? ph.notes_html : '');
      refs.notes.setAttribute('lang', sessionLang() || '');
    }
  }

  function setDisabled(btn, disabled) {
    if (disabled) btn.setAttribute('aria-disabled', 'true');
    else btn.removeAttribute('aria-disabled');
  }

  function renderTimer() {
    var tm = state.timer;
    FA.timer(refs.timer, tm, tm && tm.server_time ? tm.server_time : state.server_time);
    var s = tm ? tm.state : 'stopped';
    refs.timerToggle.textContent = s === 'running' ? t('Pause') : s === 'paused' ? t('Continue') : t('Start timer');
    refs.timerToggle.setAttribute('data-action', s === 'running' ? 'pause' : 'start');
    Array.prototype.forEach.call(app.querySelectorAll('.timer-controls button'), function (b) {
      setDisabled(b, isClosed());
    });
  }

  function renderInput() {
    var ph = state.phase;
    var kind = kindOf(ph.kind);
    var takesInput = !!kind.takesInput;
    refs.inputBox.classList.toggle('is-open', !!ph.input_open && takesInput);
    refs.inputState.className = 'input-state';
    if (!takesInput) {
      refs.inputState.textContent = t('None in this phase');
      refs.inputBtn.hidden = true;
      refs.inputNote.hidden = true;
      return;
    }
    refs.inputBtn.hidden = false;
    if (state.session.status !== 'live') {
      refs.inputState.textContent = state.session.status === 'closed'
        ? t('Input closed')
        : t('Opens when you start');
      refs.inputBtn.hidden = true;
      refs.inputNote.hidden = true;
      return;
    }
    refs.inputState.textContent = ph.input_open ? t('Open') : t('Input closed');
    refs.inputState.className = 'input-state ' + (ph.input_open ? 'is-open' : 'is-closed');
    refs.inputBtn.textContent = ph.input_open ? t('Close input') : t('Open input');
    refs.inputBtn.setAttribute('data-open', ph.input_open ? 'false' : 'true');
    refs.inputNote.hidden = !(kind.inputNote && kind.inputNote(ph));
  }

  /* ------------------------------------------------------------------ */
  /* Rendering: the current phase's working area                        */
  /* ------------------------------------------------------------------ */

  // What a phase kind's control view may use (phases/index.js).
  function context() {
    return Object.assign(phaseKinds.baseContext(function () { return state; }), {
      app: app,
      exportUrls: exportUrls,
      announce: announce,
      sessionLang: sessionLang,
      section: section,
      countText: countText,
      snippet: snippet,
      byId: byId,
      errorSlot: errorSlot,
      setError: setError,
      setDisabled: setDisabled,
      patch: patch,
      changed: changed,
      busyGuard: busyGuard,
      isBusy: function (key) { return !!ui.busy[key]; },
      call: call,
      resync: resync,
      pendingFocus: function (key) { ui.pendingFocus = key; },
      render: renderBody
    });
  }

  function renderBody() {
    var ph = state.phase;
    var key = ph.index + ':' + ph.id + ':' + ph.kind;
    if (ui.bodyKey !== key) {
      ui.bodyKey = key;
      ui.sigs = { outline: ui.sigs.outline, prompt: ui.sigs.prompt };
      body = kindOf(ph.kind).control(context());
      FA.clear(refs.body);
      body.nodes.forEach(function (n) { refs.body.appendChild(n); });
    }
    if (body && body.update) body.update();
    focusPending(refs.body);
  }

  function section(title, id, children, cls) {
    return el('section', { class: ['phase-section', cls], 'aria-labelledby': id },
      el('h3', { id: id, tabindex: '-1', 'data-focus-fallback': '' }, title),
      children);
  }

  function countText(n, one, many) {
    return n === 1 ? t(one) : t(many, { n: n });
  }

  /* ------------------------------------------------------------------ */
  /* Commands                                                            */
  /* ------------------------------------------------------------------ */

  function goToPhase(to, errKey) {
    if (isClosed()) return;
    busyGuard('phase', function () {
      return call('POST', '/phase', { to: to }, errKey || 'phase');
    });
  }

  refs.prevBtn.addEventListener('click', function () {
    if (refs.prevBtn.getAttribute('aria-disabled') === 'true') return;
    goToPhase('prev');
  });
  refs.nextBtn.addEventListener('click', function () {
    if (refs.nextBtn.getAttribute('aria-disabled') === 'true') return;
    goToPhase('next');
  });

  refs.startBtn.addEventListener('click', function () {
    busyGuard('session', function () {
      return call('POST', '/start', {}, 'session').then(function (res) {
        if (res) ui.pendingFocus = null;
      });
    });
  });

  refs.closeBtn.addEventListener('click', function () {
    if (refs.closeDialog && typeof refs.closeDialog.showModal === 'function') {
      refs.closeDialog.showModal();
      refs.closeCancel.focus();
    } else if (window.confirm(t('Close the session? Participants can no longer send anything.'))) {
      closeSession();
    }
  });
  if (refs.closeDialog) {
    refs.closeCancel.addEventListener('click', function () { refs.closeDialog.close(); });
    refs.closeConfirm.addEventListener('click', function () {
      refs.closeDialog.close();
      closeSession();
    });
    refs.closeDialog.addEventListener('close', function () {
      if (!refs.closeBtn.hidden) refs.closeBtn.focus();
    });
  }

  function closeSession() {
    busyGuard('session', function () {
      return call('POST', '/close', {}, 'session').then(function (res) {
        if (res) refs.phaseTitle.focus();
      });
    });
  }

  refs.timerToggle.addEventListener('click', function () {
    if (isClosed()) return;
    var action = refs.timerToggle.getAttribute('data-action') || 'start';
    busyGuard('timer', function () {
      return call('POST', '/timer', { action: action }, 'timer',
        action === 'pause' ? t('Timer paused.') : t('Timer started.'));
    });
  });
  Array.prototype.forEach.call(app.querySelectorAll('[data-extend]'), function (btn) {
    btn.addEventListener('click', function () {
      if (isClosed()) return;
      var secs = Number(btn.getAttribute('data-extend'));
      busyGuard('timer', function () {
        return call('POST', '/timer', { action: 'extend', seconds: secs }, 'timer',
          t('{n} min added.', { n: Math.round(secs / 60) }));
      });
    });
  });
  refs.timerReset.addEventListener('click', function () {
    if (isClosed()) return;
    busyGuard('timer', function () {
      return call('POST', '/timer', { action: 'reset' }, 'timer', t('Timer reset.'));
    });
  });

  refs.inputBtn.addEventListener('click', function () {
    var open = refs.inputBtn.getAttribute('data-open') === 'true';
    busyGuard('input', function () {
      return call('POST', '/input', { open: open }, 'input'); // announced when the new state arrives
    });
  });

  /* ---------- facilitator notes fold away, and stay as left ---------- */

  var NOTES_KEY = 'fa.control.notes';
  if (refs.notesBox) {
    try { refs.notesBox.open = localStorage.getItem(NOTES_KEY) !== 'closed'; } catch (e) { /* keep open */ }
    refs.notesBox.addEventListener('toggle', function () {
      try { localStorage.setItem(NOTES_KEY, refs.notesBox.open ? 'open' : 'closed'); } catch (e) { /* ignore */ }
    });
  }

  // The grouping tools stick below the (sticky) control bar: they need its height.
  function measureBar() {
    if (refs.nowBar) app.style.setProperty('--now-h', refs.nowBar.offsetHeight + 'px');
  }
  window.addEventListener('resize', measureBar);

  /* ---------- keyboard shortcuts ---------- */

  var SHORTCUT_KEY = 'fa.control.shortcuts';
  function shortcutsOn() {
    return refs.shortcuts ? refs.shortcuts.checked : false;
  }
  if (refs.shortcuts) {
    try {
      refs.shortcuts.checked = localStorage.getItem(SHORTCUT_KEY) !== 'off';
    } catch (e) { refs.shortcuts.checked = true; }
    refs.shortcuts.addEventListener('change', function () {
      try { localStorage.setItem(SHORTCUT_KEY, refs.shortcuts.checked ? 'on' : 'off'); } catch (e) { /* ignore */ }
      announce(refs.shortcuts.checked ? t('Keyboard shortcuts on.') : t('Keyboard shortcuts off.'));
    });
  }
  document.addEventListener('keydown', function (e) {
    if (!shortcutsOn() || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var target = e.target;
    var tag = target && target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (target && target.isContentEditable)) return;
    if (refs.closeDialog && refs.closeDialog.open) return;
    var k = e.key;
    if (k === 'n' || k === 'N') {
      e.preventDefault();
      refs.nextBtn.click();
    } else if (k === 'p' || k === 'P') {
      e.preventDefault();
      refs.prevBtn.click();
    }
  });

  /* ------------------------------------------------------------------ */
  /* State and events                                                    */
  /* ------------------------------------------------------------------ */

  function applyState(s) {
    var prev = state;
    state = s;
    if (prev && prev.phase && prev.phase.index !== s.phase.index) {
      announce(t('Now in phase {n}: {title}', { n: s.phase.index + 1, title: s.phase.title }));
      clearErrors();
    }
    if (prev && prev.phase && prev.phase.index === s.phase.index && prev.phase.input_open !== s.phase.input_open &&
        kindOf(s.phase.kind).takesInput) {
      announce(s.phase.input_open ? t('Input opened.') : t('Input closed.'));
    }
    renderAll();
  }

  function renderAll() {
    if (!state) return;
    app.setAttribute('aria-busy', 'false');
    renderSession();
    renderPresence();
    renderOutline();
    renderPhaseHeader();
    renderTimer();
    renderInput();
    renderBody();
    measureBar();
    focusPending(app);
  }

  // Whether an idea event is about ideas this view holds; if not, it re-reads the snapshot.
  function ideaBelongs(idea) {
    var ph = state.phase;
    var owns = kindOf(ph.kind).ownsIdea;
    if (owns) return owns(ph, idea);
    return (state.ideas || []).some(function (i) { return i.phase_id === idea.phase_id; });
  }

  function onEvent(name, p) {
    if (!state || !p) return;
    if (name === 'timer') {
      state.timer = p; // keeps server_time, which renderTimer hands to FA.timer
      renderTimer();
      return;
    }
    if ((name === 'idea.added' || name === 'idea.updated') && !ideaBelongs(p)) {
      resync();
      return;
    }
    var applied = FA.applyDelta(state, name, p);
    if (!applied) return;
    if (name === 'presence') {
      renderPresence();
      return;
    }
    if (applied === 'new' && name === 'idea.added') noteNewIdea();
    // Some kinds show what the server computes from the deltas (a vote's items): re-read.
    if ((kindOf(state.phase.kind).resyncOn || []).indexOf(name) >= 0) resync();
    renderBody();
  }

  function noteNewIdea() {
    ui.newIdeas += 1;
    clearTimeout(ui.newIdeasTimer);
    ui.newIdeasTimer = setTimeout(function () {
      var n = ui.newIdeas;
      ui.newIdeas = 0;
      announce(n === 1 ? t('1 new idea.') : t('{n} new ideas.', { n: n }));
    }, 4000);
  }

  var CONN_TEXT = {
    connecting: 'Connecting…',
    online: 'Connected',
    offline: 'Connection lost, trying again…',
    join_error: 'Could not open the session.'
  };

  function onStatus(status, detail) {
    if (!refs.conn) return;
    refs.conn.textContent = status === 'join_error' && detail && detail.message ? detail.message : t(CONN_TEXT[status] || status);
    refs.conn.className = 'conn conn-' + status;
    app.classList.toggle('is-offline', status === 'offline');
  }

  conn = FA.connect({
    join: { role: 'facilitator', session_id: sessionId },
    onState: applyState,
    onEvent: onEvent,
    onStatus: onStatus
  });
})();
