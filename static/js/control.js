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

  var KIND_LABELS = {
    info: 'Introduction',
    ideas: 'Ideas',
    group: 'Grouping',
    vote: 'Voting',
    rate: 'Rating',
    actions: 'Agreed actions',
    summary: 'Summary'
  };
  var INPUT_KINDS = { ideas: 1, vote: 1, rate: 1 };

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
    mergingIdea: null,   // idea id whose merge picker is open
    editingTheme: null,  // theme id being renamed
    themeDrafts: {},
    editingAction: null, // action id being edited
    actionDrafts: {},
    actionClientId: FA.uuid(),
    pendingFocus: null,  // data-key to focus after the next render
    busy: {},
    bodyKey: null,
    sigs: {},
    newIdeas: 0,
    newIdeasTimer: null,
    lastStatus: null,
    selected: {},        // idea id -> true: ideas ticked for "move to theme"
    openMenu: null,      // idea id whose hide/merge tools are unfolded
    dragging: false      // a card is being dragged: renders wait until it is dropped
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
    return t(KIND_LABELS[kind] || kind);
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
    var labels = { upcoming: t('Not started'), live: t('Live'), closed: t('Closed') };
    refs.statusBadge.textContent = labels[status] || status;
    refs.statusBadge.className = 'badge badge-' + status;
    refs.startBtn.hidden = status !== 'upcoming';
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
    if (refs.skip) refs.skip.textContent = ph.kind === 'ideas' || ph.kind === 'group' ? t('Go to the wall') : t('Go to the phase tools');
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
    var takesInput = !!INPUT_KINDS[ph.kind];
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
    refs.inputNote.hidden = !(ph.kind === 'vote' && ph.settings && ph.settings.show_results === 'after_close' && ph.input_open);
  }

  /* ------------------------------------------------------------------ */
  /* Rendering: the current phase's working area                        */
  /* ------------------------------------------------------------------ */

  function renderBody() {
    var ph = state.phase;
    var key = ph.index + ':' + ph.id + ':' + ph.kind;
    if (ui.bodyKey !== key) {
      ui.bodyKey = key;
      ui.mergingIdea = null;
      ui.editingTheme = null;
      ui.selected = {};
      ui.dragging = false;
      ui.sigs = { outline: ui.sigs.outline, prompt: ui.sigs.prompt };
      var builder = BUILDERS[ph.kind] || BUILDERS.info;
      body = builder();
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

  function linkList() {
    return el('ul', { class: 'export-links' },
      exportUrls.view ? el('li', null, el('a', { href: exportUrls.view }, t('Summary for reading and printing'))) : null,
      exportUrls.md ? el('li', null, el('a', { href: exportUrls.md, download: '' }, t('Download as Markdown'))) : null,
      exportUrls.html && exportUrls.html !== exportUrls.view ? el('li', null, el('a', { href: exportUrls.html, download: '' }, t('Download as HTML'))) : null,
      exportUrls.json ? el('li', null, el('a', { href: exportUrls.json, download: '' }, t('Download as JSON'))) : null);
  }

  var BUILDERS = {
    info: function () {
      var s = state.phase.settings || {};
      var nodes = [];
      if (s.link) {
        nodes.push(section(t('Material'), 'sec-material',
          el('p', null, el('a', { href: s.link, target: '_blank', rel: 'noopener noreferrer', lang: sessionLang() },
            s.link_label || s.link,
            el('span', { class: 'visually-hidden' }, ' (' + t('opens in a new window') + ')')))));
      }
      nodes.push(el('p', { class: 'phase-hint' }, t('Participants see the question on their phones and on the projector.')));
      return { nodes: nodes };
    },

    ideas: function () {
      var wallBox = el('div', { class: 'ctl-wall' });
      var counts = el('p', { class: 'wall-counts' });
      var merged = el('div', { class: 'merged-box' });
      var s = state.phase.settings || {};
      var hint = s.wall === 'projector'
        ? t('Phones show each participant only their own ideas; the whole wall is on the projector.')
        : t('Participants see the whole wall on their phones.');
      var sec = section(t('Ideas wall'), 'sec-wall', [
        el('p', { class: 'phase-hint' }, hint, ' ', t('Hidden ideas are not shown to participants or on the projector.')),
        counts, wallBox, merged]);
      return {
        nodes: [sec],
        update: function () {
          var ideas = currentIdeas();
          if (!changed('wall', [ideas, ui.mergingIdea, s.columns])) return;
          var live = ideas.filter(function (i) { return !i.merged_into; });
          var hidden = live.filter(function (i) { return i.hidden; }).length;
          counts.textContent = countText(live.length, '1 idea', '{n} ideas') + (hidden ? ' · ' + t('{n} hidden', { n: hidden }) : '');
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
                el('h4', { id: hid, lang: c.id ? sessionLang() : null }, c.title, ' ', el('span', { class: 'count' }, '(' + inCol.length + ')')),
                inCol.length
                  ? el('ul', { class: 'idea-list' }, inCol.map(function (i) { return ideaItem(i, live, {}); }))
                  : el('p', { class: 'empty' }, t('No ideas yet.')));
            })));
          } else if (newestFirst.length) {
            nodes.push(el('ul', { class: 'idea-list' }, newestFirst.map(function (i) { return ideaItem(i, live, {}); })));
          } else {
            nodes.push(el('p', { class: 'empty' }, state.phase.input_open
              ? t('No ideas yet. They appear here as participants send them.')
              : t('No ideas yet. Open input so participants can send ideas.')));
          }
          patch(wallBox, nodes);
          patch(merged, mergedList(ideas));
        }
      };
    },

    group: function () {
      return groupBoard();
    },

    vote: function () {
      var s = state.phase.settings || {};
      var chart = el('div', { class: 'tally', id: 'tally-chart' });
      var voters = el('p', { class: 'voters' });
      var detail = el('div', { class: 'vote-items' });
      var rules = t('Each participant has {budget} votes, at most {cap} per item.', { budget: s.budget || (state.vote && state.vote.budget) || '', cap: s.per_item_cap || (state.vote && state.vote.per_item_cap) || '' });
      var when = s.show_results === 'live'
        ? t('Participants see the results live.')
        : t('The projector and phones show only how many have voted; the results appear on them when you close input. You see them live here.');
      var sec = section(t('Live results'), 'sec-tally', [
        el('p', { class: 'phase-hint' }, rules, ' ', when), voters, chart]);
      var secItems = section(t('What is being voted on'), 'sec-items', [detail]);
      return {
        nodes: [sec, secItems],
        update: function () {
          var v = state.vote;
          if (!changed('tally', v)) return;
          if (!v) {
            patch(chart, el('p', { class: 'empty' }, t('Nothing to vote on yet.')));
            return;
          }
          voters.textContent = countText(v.voters || 0, '1 participant has voted.', '{n} participants have voted.');
          renderTally(chart, v, null);
          patch(detail, (v.items || []).length
            ? el('ul', { class: 'vote-item-list', lang: sessionLang() }, v.items.map(function (it) {
              return el('li', null, el('span', { class: 'item-title' }, it.title),
                it.ideas && it.ideas.length ? el('ul', null, it.ideas.map(function (x) { return el('li', null, x); })) : null);
            }))
            : el('p', { class: 'empty' }, t('Nothing to vote on yet.')));
        }
      };
    },

    rate: function () {
      var list = el('div', { class: 'rate-results' });
      var scaleText = el('p', { class: 'phase-hint' });
      var sec = section(t('Answers'), 'sec-rate', [scaleText, list]);
      return {
        nodes: [sec],
        update: function () {
          var r = state.rate;
          if (!changed('rate', r)) return;
          if (!r) { patch(list, el('p', { class: 'empty' }, t('No statements.'))); return; }
          var sc = r.scale || { min: 1, max: 5 };
          scaleText.textContent = t('Scale {min}–{max}', { min: sc.min, max: sc.max }) +
            (sc.min_label ? ' · ' + sc.min + ' = ' + sc.min_label : '') +
            (sc.max_label ? ' · ' + sc.max + ' = ' + sc.max_label : '') + '. ' +
            t('To protect anonymity, a distribution is shown only from {n} answers.', { n: r.min_responses || 5 });
          var results = r.results || {};
          patch(list, el('ol', { class: 'statements' }, (r.statements || []).map(function (st, idx) {
            var res = results[st.id] || { responses: 0, distribution: null, mean: null };
            var hid = 'st-' + idx;
            var box = el('div', { class: 'rate-chart', lang: sessionLang() });
            var inner;
            if (res.distribution) {
              var rows = [];
              for (var v = sc.min; v <= sc.max; v++) {
                var label = String(v);
                if (v === sc.min && sc.min_label) label += ' – ' + sc.min_label;
                if (v === sc.max && sc.max_label) label += ' – ' + sc.max_label;
                rows.push({ label: label, count: res.distribution[String(v)] || 0 });
              }
              FA.chart(box, rows, { unit: t('answers') });
              inner = [el('p', null, countText(res.responses, '1 answer', '{n} answers'),
                res.mean !== null && res.mean !== undefined ? ' · ' + t('Average {mean}', { mean: FA.formatNumber(res.mean) }) : ''), box];
            } else {
              inner = [el('p', { class: 'withheld' }, t('{n} answers so far. Shown from {min} answers.', { n: res.responses || 0, min: r.min_responses || 5 }))];
            }
            return el('li', { class: 'statement', 'aria-labelledby': hid },
              el('h4', { id: hid, lang: sessionLang() }, st.text), inner);
          })));
        }
      };
    },

    actions: function () {
      var cands = el('div', { class: 'candidates' });
      var list = el('div', { class: 'action-list' });
      var form = actionForm(null);
      var secForm = section(t('Add an agreed action'), 'sec-action-form', [
        el('p', { class: 'phase-hint' }, t('Write down what the work community agrees to do. Participants and the projector see the list.')),
        form.node]);
      var secCands = section(t('Where actions come from'), 'sec-candidates', [
        el('p', { class: 'phase-hint' }, t('Pick one to start an action, then add who does it and by when.')),
        cands], 'candidates-section');
      var secList = section(t('Agreed actions'), 'sec-actions', [list]);

      function useButton(text, key) {
        return el('button', {
          type: 'button', class: 'btn btn-tiny', 'data-key': key,
          onclick: function () {
            form.fields.what.value = text;
            form.fields.what.removeAttribute('aria-invalid');
            form.fields.what.focus();
            announce(t('Copied to the action form.'));
          }
        }, t('Use as an action'), el('span', { class: 'visually-hidden' }, ': ' + snippet(text, 80)));
      }

      return {
        nodes: [el('div', { class: 'actions-grid' }, secForm, secCands), secList],
        update: function () {
          var c = state.candidates || { votes: [], ideas: [] };
          var votes = c.votes || [];
          var ideas = c.ideas || [];
          secCands.hidden = !votes.length && !ideas.length;
          if (changed('candidates', c)) {
            var nodes = [];
            if (votes.length) {
              nodes.push(el('h4', { id: 'cand-votes' }, t('Vote winners')));
              nodes.push(el('ol', { class: 'cand-list', 'aria-labelledby': 'cand-votes' }, votes.map(function (r, idx) {
                return el('li', null,
                  el('span', { class: 'cand-text', lang: sessionLang() }, r.title), ' ',
                  el('span', { class: 'badge' }, countText(r.count, '1 vote', '{n} votes')), ' ',
                  useButton(r.title, 'use-vote-' + idx));
              })));
            }
            if (ideas.length) {
              nodes.push(el('h4', { id: 'cand-ideas' }, t('Ideas from the last ideas phase')));
              nodes.push(el('ul', { class: 'cand-list', 'aria-labelledby': 'cand-ideas' }, ideas.map(function (i) {
                return el('li', null,
                  el('span', { class: 'cand-text', lang: sessionLang() }, i.text), ' ',
                  useButton(i.text, 'use-idea-' + i.id));
              })));
            }
            patch(cands, nodes);
          }
          renderActionList(list);
        }
      };
    },

    summary: function () {
      var top = el('div', { class: 'top-items' });
      var list = el('div', { class: 'action-list' });
      var secExport = section(t('Summary and exports'), 'sec-export', [
        el('p', { class: 'phase-hint' }, t('The summary collects the ideas, themes, results and agreed actions. Share it with the work community after the session.')),
        linkList()]);
      var secTop = section(t('Voting results'), 'sec-top', [top]);
      var secList = section(t('Agreed actions'), 'sec-actions', [list]);
      return {
        nodes: [secExport, secTop, secList],
        update: function () {
          var v = state.vote;
          secTop.hidden = !(v && v.results && v.results.length);
          if (v && v.results && changed('top', v.results)) renderTally(top, v, 5);
          renderActionList(list);
        }
      };
    }
  };

  function countText(n, one, many) {
    return n === 1 ? t(one) : t(many, { n: n });
  }

  function voteTitle(v, r) {
    if (r.title) return r.title;
    var it = (v.items || []).filter(function (i) { return i.key === r.key; })[0];
    return it ? it.title : r.key;
  }

  function renderTally(container, v, limit) {
    var results = (v.results || []).slice();
    if (!results.length && v.items) results = v.items.map(function (i) { return { key: i.key, title: i.title, count: 0 }; });
    results.sort(function (a, b) { return b.count - a.count; });
    if (limit) results = results.slice(0, limit);
    if (!results.length) {
      patch(container, el('p', { class: 'empty' }, t('Nothing to vote on yet.')));
      return;
    }
    FA.chart(container, results.map(function (r) { return { label: voteTitle(v, r), count: r.count }; }), { unit: t('votes') });
    container.setAttribute('lang', sessionLang() || '');
  }

  /* ---------- ideas ---------- */

  function currentIdeas() {
    return (state.ideas || []).filter(function (i) { return !i.deleted; });
  }

  function currentThemes() {
    var ph = state.phase;
    return (state.themes || []).filter(function (th) { return ph.kind !== 'group' || th.phase_id === ph.id; })
      .sort(function (a, b) { return (a.position - b.position) || (a.id - b.id); });
  }

  function ideaItem(idea, live, opts) {
    var textId = 'idea-' + idea.id + '-text';
    var errKey = 'idea-' + idea.id;
    var tools = [];
    tools.push(el('button', {
      type: 'button', class: 'btn btn-small', 'data-key': 'hide-' + idea.id, 'aria-describedby': textId,
      'data-busy': 'hide-' + idea.id,
      onclick: function () { setHidden(idea, !idea.hidden); }
    }, idea.hidden ? t('Show again') : t('Hide')));
    var targets = live.filter(function (o) { return o.id !== idea.id && !o.merged_into; });
    if (targets.length) {
      tools.push(el('button', {
        type: 'button', class: 'btn btn-small', 'data-key': 'merge-' + idea.id, 'aria-describedby': textId,
        'aria-expanded': ui.mergingIdea === idea.id ? 'true' : 'false',
        onclick: function () {
          ui.mergingIdea = ui.mergingIdea === idea.id ? null : idea.id;
          ui.pendingFocus = ui.mergingIdea ? 'merge-sel-' + idea.id : 'merge-' + idea.id;
          renderBody();
        }
      }, t('Merge…')));
    }
    var themeSel = null;
    if (opts.themes) {
      var selId = 'theme-sel-' + idea.id;
      var sel = el('select', {
        id: selId, 'data-key': selId, 'aria-describedby': textId,
        onchange: function () {
          var v = sel.value === '' ? null : Number(sel.value);
          var th = v === null ? null : byId(opts.themes, v);
          idea.theme_id = v; // optimistic; the next sync confirms
          call('PATCH', '/ideas/' + idea.id, { theme_id: v }, errKey,
            th ? t('Moved to theme "{title}".', { title: th.title }) : t('Removed from its theme.'));
        }
      }, el('option', { value: '' }, t('No theme')),
      opts.themes.map(function (th) {
        return el('option', { value: String(th.id), selected: idea.theme_id === th.id, lang: sessionLang() }, th.title);
      }));
      sel.value = idea.theme_id === null || idea.theme_id === undefined ? '' : String(idea.theme_id);
      themeSel = el('div', { class: 'theme-pick' }, el('label', { for: selId }, t('Theme')), sel);
    }
    var mergePanel = null;
    if (ui.mergingIdea === idea.id && targets.length) {
      var mid = 'merge-sel-' + idea.id;
      var msel = el('select', { id: mid, 'data-key': mid },
        targets.map(function (o) { return el('option', { value: String(o.id), lang: sessionLang() }, snippet(o.text, 80)); }));
      mergePanel = el('div', { class: 'merge-panel' },
        el('label', { for: mid }, t('Merge this idea into')),
        el('div', { class: 'inline-row' }, msel,
          el('button', {
            type: 'button', class: 'btn btn-primary btn-small', 'data-key': 'merge-go-' + idea.id, 'data-busy': 'merge-' + idea.id,
            onclick: function () {
              var into = Number(msel.value);
              busyGuard('merge-' + idea.id, function () {
                return call('POST', '/ideas/' + idea.id + '/merge', { into: into }, errKey, t('Ideas merged.')).then(function (res) {
                  if (res) {
                    ui.mergingIdea = null;
                    ui.pendingFocus = 'hide-' + into;
                    renderBody();
                  }
                });
              });
            }
          }, t('Merge')),
          el('button', {
            type: 'button', class: 'btn btn-small', 'data-key': 'merge-cancel-' + idea.id,
            onclick: function () { ui.mergingIdea = null; ui.pendingFocus = 'merge-' + idea.id; renderBody(); }
          }, t('Cancel'))),
        el('p', { class: 'hint' }, t('The merged idea disappears from the wall; its votes move to the idea you choose.')));
    }
    var mergedCount = (state.ideas || []).filter(function (o) { return o.merged_into === idea.id; }).length;
    return el('li', { class: ['idea', idea.hidden ? 'is-hidden' : null], 'data-id': String(idea.id) },
      el('p', { class: 'idea-text', id: textId, lang: sessionLang() }, idea.text),
      el('p', { class: 'idea-meta' },
        idea.hidden ? el('span', { class: 'badge badge-hidden' }, t('Hidden')) : null,
        mergedCount ? el('span', { class: 'badge' }, t('{n} merged', { n: mergedCount })) : null,
        typeof idea.votes === 'number' ? el('span', { class: 'badge' }, countText(idea.votes, '1 vote', '{n} votes')) : null),
      themeSel,
      el('div', { class: 'idea-tools' }, tools),
      mergePanel,
      errorSlot(errKey));
  }

  function mergedList(ideas) {
    var merged = ideas.filter(function (i) { return i.merged_into; });
    if (!merged.length) return [];
    return [el('details', { class: 'merged' },
      el('summary', null, t('Merged ideas ({n})', { n: merged.length })),
      el('ul', null, merged.map(function (i) {
        var target = byId(ideas, i.merged_into);
        return el('li', null, el('span', { lang: sessionLang() }, i.text), ' → ',
          el('span', { class: 'merged-target', lang: sessionLang() }, target ? snippet(target.text, 80) : '#' + i.merged_into));
      })))];
  }

  function setHidden(idea, hidden) {
    var key = 'hide-' + idea.id;
    busyGuard(key, function () {
      return call('PATCH', '/ideas/' + idea.id, { hidden: hidden }, 'idea-' + idea.id,
        hidden ? t('Idea hidden.') : t('Idea shown again.')).then(function (res) {
        if (res) {
          idea.hidden = hidden;
          ui.pendingFocus = key;
          renderBody();
        }
      });
    });
  }

  /* ---------- grouping: drag and drop, or select and move ---------- */

  // Ideas on the board: not merged away, so every card is something the wall shows (or hid).
  function boardIdeas() {
    return currentIdeas().filter(function (i) { return !i.merged_into; })
      .sort(function (a, b) { return a.id - b.id; });
  }

  function selectedIds(live) {
    return live.filter(function (i) { return ui.selected[i.id]; }).map(function (i) { return i.id; });
  }

  function columnTitle(colId) {
    var cols = (state.phase.settings && state.phase.settings.columns) || [];
    for (var i = 0; i < cols.length; i++) if (cols[i].id === colId) return cols[i].title;
    return null;
  }

  function groupBoard() {
    var pool = el('div', { class: 'pool' });
    var themeList = el('div', { class: 'theme-list' });
    var counts = el('p', { class: 'wall-counts', id: 'group-counts' });
    var merged = el('div', { class: 'merged-box' });
    var selCount = el('p', { class: 'bulk-count', id: 'bulk-count' });
    var moveSel = el('select', { id: 'bulk-theme', 'data-key': 'bulk-theme', 'aria-describedby': 'bulk-count' });
    var moveBtn = el('button', { type: 'button', class: 'btn btn-small', id: 'bulk-move', 'data-key': 'bulk-move', 'data-busy': 'group', 'aria-describedby': 'bulk-count' }, t('Move'));
    var clearBtn = el('button', { type: 'button', class: 'btn btn-small', id: 'bulk-clear', 'data-key': 'bulk-clear' }, t('Clear selection'));
    var input = el('input', { type: 'text', id: 'new-theme', name: 'title', maxlength: '200', autocomplete: 'off', required: true, 'data-key': 'new-theme', 'aria-describedby': 'new-theme-error' });
    var addBtn = el('button', { type: 'submit', class: 'btn btn-small', id: 'add-theme', 'data-key': 'add-theme', 'data-busy': 'group' }, t('Add theme'));
    var fromSelBtn = el('button', { type: 'button', class: 'btn btn-small btn-primary', id: 'theme-from-selection', 'data-key': 'theme-from-selection', 'data-busy': 'group', 'aria-describedby': 'bulk-count' }, t('New theme from selection'));
    var errNew = errorSlot('group');
    errNew.id = 'new-theme-error';
    var form = el('form', { class: 'bulk-new', novalidate: true },
      el('label', { for: 'new-theme' }, t('New theme')),
      el('div', { class: 'inline-row' }, input, addBtn, fromSelBtn));
    var moveRow = el('div', { class: 'bulk-move' },
      selCount,
      el('div', { class: 'inline-row' },
        el('label', { for: 'bulk-theme' }, t('Move the selected ideas to')),
        moveSel, moveBtn, clearBtn));

    var bar = el('div', { class: 'bulk-bar', role: 'group', 'aria-label': t('Grouping tools') }, form, moveRow, errNew);
    var secPool = section(t('Ideas without a theme'), 'sec-pool', [
      el('p', { class: 'phase-hint' }, t('Drag ideas onto a theme, or tick ideas and move them with the buttons above. The projector shows the themes as you sort.')),
      pool], 'pool-section');
    var secThemes = section(t('Themes'), 'sec-themes', [counts, themeList, merged], 'themes-section');
    var sortables = [];
    var pendingRender = false;

    function live() { return boardIdeas(); }

    function title() {
      return input.value.trim();
    }

    function moveIdeas(ids, themeId, focusKey) {
      if (!ids.length) {
        setError('group', t('Choose at least one idea first.'));
        return Promise.resolve(null);
      }
      var themes = currentThemes();
      var th = themeId === null ? null : byId(themes, themeId);
      var before = {};
      ids.forEach(function (id) {
        var idea = byId(state.ideas || [], id);
        if (idea) { before[id] = idea.theme_id; idea.theme_id = themeId; } // optimistic
      });
      var msg = th
        ? (ids.length === 1 ? t('Moved to theme "{title}".', { title: th.title }) : t('{n} ideas moved to theme "{title}".', { n: ids.length, title: th.title }))
        : (ids.length === 1 ? t('Removed from its theme.') : t('{n} ideas taken out of their themes.', { n: ids.length }));
      update(true);
      return busyGuard('group', function () {
        return call('POST', '/ideas/theme', { idea_ids: ids, theme_id: themeId }, 'group', msg).then(function (res) {
          if (res) {
            ids.forEach(function (id) { delete ui.selected[id]; });
            if (focusKey) ui.pendingFocus = focusKey;
          } else {
            Object.keys(before).forEach(function (id) {
              var idea = byId(state.ideas || [], Number(id));
              if (idea) idea.theme_id = before[id];
            });
            resync();
          }
          update(true);
          return res;
        });
      });
    }

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      createTheme(false);
    });
    fromSelBtn.addEventListener('click', function () {
      if (fromSelBtn.getAttribute('aria-disabled') === 'true' && !ui.busy.group) {
        setError('group', t('Choose at least one idea first.'));
        return;
      }
      createTheme(true);
    });

    function createTheme(withSelection) {
      var name = title();
      if (!name) { setError('group', t('Write a name for the theme first.')); input.focus(); return; }
      var ids = withSelection ? selectedIds(live()) : null;
      if (withSelection && !ids.length) { setError('group', t('Choose at least one idea first.')); return; }
      var payload = { title: name, phase_id: state.phase.id };
      if (ids) payload.idea_ids = ids;
      var msg = ids
        ? t('Theme "{title}" created with {n} ideas.', { title: name, n: ids.length })
        : t('Theme "{title}" added.', { title: name });
      busyGuard('group', function () {
        return call('POST', '/themes', payload, 'group', msg).then(function (res) {
          if (!res || !res.theme) return;
          state.themes = (state.themes || []).filter(function (x) { return x.id !== res.theme.id; }).concat([res.theme]);
          (res.ideas || []).forEach(function (x) {
            var idea = byId(state.ideas || [], x.id);
            if (idea) idea.theme_id = x.theme_id;
            delete ui.selected[x.id];
          });
          input.value = '';
          ui.pendingFocus = 'new-theme';
          update(true);
        });
      });
    }

    moveBtn.addEventListener('click', function () {
      var ids = selectedIds(live());
      var v = moveSel.value;
      if (!ids.length) { setError('group', t('Choose at least one idea first.')); return; }
      moveIdeas(ids, v === '' ? null : Number(v), 'bulk-move');
    });
    clearBtn.addEventListener('click', function () {
      ui.selected = {};
      update(true);
    });

    function onSelect(id, on) {
      if (on) ui.selected[id] = true;
      else delete ui.selected[id];
      renderBar();
    }

    function renderBar() {
      var ideas = live();
      var n = selectedIds(ideas).length;
      selCount.textContent = n === 0 ? t('No ideas selected.') : n === 1 ? t('1 idea selected.') : t('{n} ideas selected.', { n: n });
      [moveBtn, clearBtn, fromSelBtn].forEach(function (b) { setDisabled(b, n === 0); });
      var themes = currentThemes();
      var keep = moveSel.value;
      var opts = themes.map(function (th) { return el('option', { value: String(th.id), lang: sessionLang() }, th.title); });
      opts.push(el('option', { value: '' }, t('No theme')));
      var sig = JSON.stringify(themes.map(function (th) { return [th.id, th.title]; }));
      if (moveSel.getAttribute('data-sig') !== sig) {
        FA.clear(moveSel);
        opts.forEach(function (o) { moveSel.appendChild(o); });
        moveSel.setAttribute('data-sig', sig);
        if (keep !== '' && byId(themes, Number(keep))) moveSel.value = keep;
      }
    }

    function card(idea, themes, inTheme) {
      var cbId = 'sel-' + idea.id;
      var textId = 'idea-' + idea.id + '-text';
      var col = columnTitle(idea.column);
      var mergedCount = (state.ideas || []).filter(function (o) { return o.merged_into === idea.id; }).length;
      var cb = el('input', {
        type: 'checkbox', id: cbId, 'data-key': cbId, checked: !!ui.selected[idea.id],
        onchange: function () { onSelect(idea.id, cb.checked); }
      });
      // Hide and merge are occasional: they sit behind a small "more" toggle per card.
      var tools = [el('button', {
        type: 'button', class: 'btn btn-tiny', 'data-key': 'hide-' + idea.id, 'aria-describedby': textId,
        'data-busy': 'hide-' + idea.id,
        onclick: function () { ui.openMenu = idea.id; setHidden(idea, !idea.hidden); }
      }, idea.hidden ? t('Show again') : t('Hide'))];
      var targets = live().filter(function (o) { return o.id !== idea.id; });
      if (targets.length) {
        tools.push(el('button', {
          type: 'button', class: 'btn btn-tiny', 'data-key': 'merge-' + idea.id, 'aria-describedby': textId,
          'aria-expanded': ui.mergingIdea === idea.id ? 'true' : 'false',
          onclick: function () {
            ui.openMenu = idea.id;
            ui.mergingIdea = ui.mergingIdea === idea.id ? null : idea.id;
            ui.pendingFocus = ui.mergingIdea ? 'merge-sel-' + idea.id : 'merge-' + idea.id;
            update(true);
          }
        }, t('Merge…')));
      }
      var menu = el('details', {
        class: 'card-menu', open: ui.openMenu === idea.id,
        ontoggle: function () {
          if (menu.open) ui.openMenu = idea.id;
          else if (ui.openMenu === idea.id) ui.openMenu = null;
        }
      },
      el('summary', { class: 'btn btn-tiny', 'data-key': 'menu-' + idea.id, 'aria-describedby': textId },
        el('span', { 'aria-hidden': 'true' }, '⋯'), el('span', { class: 'visually-hidden' }, t('More'))),
      el('div', { class: 'idea-tools' }, tools));
      var meta = [
        inTheme && col ? el('span', { class: 'col-tag', lang: sessionLang() }, col) : null,
        idea.hidden ? el('span', { class: 'badge badge-hidden' }, t('Hidden')) : null,
        mergedCount ? el('span', { class: 'badge' }, t('{n} merged', { n: mergedCount })) : null
      ].filter(Boolean);
      return el('li', { class: ['idea-card', idea.hidden ? 'is-hidden' : null, ui.selected[idea.id] ? 'is-selected' : null], 'data-id': String(idea.id) },
        el('div', { class: 'idea-card-main' },
          cb,
          el('label', { for: cbId, class: 'idea-text', id: textId, lang: sessionLang() }, idea.text),
          menu),
        meta.length ? el('p', { class: 'idea-meta' }, meta) : null,
        ui.mergingIdea === idea.id && targets.length ? mergePanel(idea, targets) : null,
        errorSlot('idea-' + idea.id));
    }

    function list(ideas, themeId, themes, labelId) {
      return el('ul', {
        class: 'card-list', 'data-theme': themeId === null ? '' : String(themeId),
        'aria-labelledby': labelId
      }, ideas.map(function (i) { return card(i, themes, themeId !== null); }));
    }

    function themeCard(th, members, themes) {
      var errKey = 'theme-' + th.id;
      var titleId = 'theme-title-' + th.id;
      var head;
      if (ui.editingTheme === th.id) {
        head = renameForm(th, errKey);
      } else {
        head = el('div', { class: 'theme-head' },
          el('h4', { id: titleId, lang: sessionLang() }, th.title, ' ',
            el('span', { class: 'count' }, '(' + countText(members.length, '1 idea', '{n} ideas') + ')')),
          el('div', { class: 'theme-tools' },
            el('button', {
              type: 'button', class: 'btn btn-tiny', 'data-key': 'rename-' + th.id, 'aria-describedby': titleId,
              onclick: function () {
                ui.editingTheme = th.id;
                ui.themeDrafts[th.id] = th.title;
                ui.pendingFocus = 'rename-input-' + th.id;
                update(true);
              }
            }, t('Rename')),
            el('button', {
              type: 'button', class: 'btn btn-tiny btn-danger', 'data-key': 'del-theme-' + th.id, 'aria-describedby': titleId,
              'data-busy': 'del-' + errKey,
              onclick: function () {
                var q = members.length
                  ? t('Delete the theme "{title}"? Its {n} ideas stay but are no longer in a theme.', { title: th.title, n: members.length })
                  : t('Delete the theme "{title}"?', { title: th.title });
                if (!window.confirm(q)) return;
                busyGuard('del-' + errKey, function () {
                  return call('DELETE', '/themes/' + th.id, null, errKey, t('Theme deleted.')).then(function (res) {
                    if (res) ui.pendingFocus = 'new-theme';
                  });
                });
              }
            }, t('Delete'))));
      }
      return el('li', { class: 'theme card', 'data-theme-id': String(th.id) }, head,
        list(members, th.id, themes, titleId),
        members.length ? null : el('p', { class: 'drop-hint' }, t('Drag ideas here.')),
        errorSlot(errKey));
    }

    function renameForm(th, errKey) {
      var inputId = 'rename-input-' + th.id;
      var rin = el('input', {
        type: 'text', id: inputId, 'data-key': inputId, maxlength: '200', required: true, autocomplete: 'off',
        value: ui.themeDrafts[th.id] !== undefined ? ui.themeDrafts[th.id] : th.title,
        oninput: function () { ui.themeDrafts[th.id] = rin.value; },
        onkeydown: function (e) { if (e.key === 'Escape') { e.preventDefault(); stopRename(th.id); } }
      });
      return el('form', {
        class: 'inline-form rename-form', novalidate: true,
        onsubmit: function (e) {
          e.preventDefault();
          var name = rin.value.trim();
          if (!name) { setError(errKey, t('Write a name for the theme first.')); return; }
          busyGuard(errKey, function () {
            return call('PATCH', '/themes/' + th.id, { title: name }, errKey, t('Theme renamed.')).then(function (res) {
              if (res) {
                th.title = name;
                stopRename(th.id);
              }
            });
          });
        }
      },
      el('label', { for: inputId }, t('New name for the theme')),
      el('div', { class: 'inline-row' }, rin,
        el('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-busy': errKey }, t('Save')),
        el('button', { type: 'button', class: 'btn btn-small', onclick: function () { stopRename(th.id); } }, t('Cancel'))));
    }

    function bindSortables() {
      sortables.forEach(function (x) { x.destroy(); });
      sortables = [];
      if (typeof window.Sortable !== 'function') return; // the select-and-move tools still work
      Array.prototype.forEach.call(app.querySelectorAll('.group-board .card-list'), function (ul) {
        sortables.push(window.Sortable.create(ul, {
          group: 'ideas',
          sort: false,
          animation: 120,
          forceFallback: true,       // pointer events for mouse and touch alike
          fallbackOnBody: true,
          fallbackTolerance: 4,
          delay: 180,
          delayOnTouchOnly: true,    // a finger scrolls; a long press picks a card up
          emptyInsertThreshold: 24,
          filter: 'input, button, select, textarea, a, summary, details',
          preventOnFilter: false,
          ghostClass: 'is-ghost',
          chosenClass: 'is-chosen',
          dragClass: 'is-dragging',
          onStart: function () { ui.dragging = true; },
          onEnd: function (evt) {
            ui.dragging = false;
            if (evt.from === evt.to) { if (pendingRender) update(true); return; }
            var id = Number(evt.item.getAttribute('data-id'));
            var raw = evt.to.getAttribute('data-theme');
            var themeId = raw === '' ? null : Number(raw);
            // Dragging one of several ticked ideas moves them all.
            var ids = ui.selected[id] ? selectedIds(live()) : [id];
            if (ids.indexOf(id) < 0) ids.push(id);
            moveIdeas(ids, themeId, null);
          }
        }));
      });
    }

    function update(force) {
      if (ui.dragging) { pendingRender = true; return; }
      pendingRender = false;
      var ideas = live();
      var themes = currentThemes();
      var all = currentIdeas();
      var sig = [all, themes, ui.editingTheme, ui.mergingIdea, ui.selected, state.phase.settings];
      if (!force && !changed('board', sig)) { renderBar(); return; }
      ui.sigs.board = JSON.stringify(sig);
      Object.keys(ui.selected).forEach(function (id) { if (!byId(ideas, Number(id))) delete ui.selected[id]; });
      var themeIds = {};
      themes.forEach(function (th) { themeIds[th.id] = true; });
      var loose = ideas.filter(function (i) { return i.theme_id === null || i.theme_id === undefined || !themeIds[i.theme_id]; });
      var grouped = ideas.length - loose.length;
      counts.textContent = t('{grouped} of {n} ideas are in a theme.', { grouped: grouped, n: ideas.length });

      var cols = ((state.phase.settings && state.phase.settings.columns) || []).slice();
      var known = {};
      cols.forEach(function (c) { known[c.id] = true; });
      if (!cols.length || loose.some(function (i) { return !i.column || !known[i.column]; })) {
        cols.push({ id: null, title: cols.length ? t('No column') : t('Ideas') });
      }
      var poolNodes;
      if (!ideas.length) {
        poolNodes = [el('p', { class: 'empty' }, t('There are no ideas to sort.'))];
      } else {
        poolNodes = cols.map(function (c, ci) {
          var inCol = loose.filter(function (i) { return c.id ? i.column === c.id : !known[i.column]; });
          var hid = 'pool-col-' + ci;
          return el('section', { class: 'pool-column', 'aria-labelledby': hid },
            el('h4', { id: hid, lang: c.id ? sessionLang() : null }, c.title, ' ', el('span', { class: 'count' }, '(' + inCol.length + ')')),
            list(inCol, null, themes, hid));
        });
      }
      patch(pool, poolNodes);
      patch(themeList, themes.length
        ? el('ul', { class: 'themes' }, themes.map(function (th) {
          return themeCard(th, ideas.filter(function (i) { return i.theme_id === th.id; }), themes);
        }))
        : el('p', { class: 'empty' }, t('No themes yet. Write a name above, or tick ideas and make a theme of them.')));
      patch(merged, mergedList(all));
      renderBar();
      bindSortables();
    }

    return {
      nodes: [bar, el('div', { class: 'group-board' }, secPool, secThemes)],
      update: function () { update(false); }
    };
  }

  function mergePanel(idea, targets) {
    var mid = 'merge-sel-' + idea.id;
    var errKey = 'idea-' + idea.id;
    var msel = el('select', { id: mid, 'data-key': mid },
      targets.map(function (o) { return el('option', { value: String(o.id), lang: sessionLang() }, snippet(o.text, 80)); }));
    return el('div', { class: 'merge-panel' },
      el('label', { for: mid }, t('Merge this idea into')),
      el('div', { class: 'inline-row' }, msel,
        el('button', {
          type: 'button', class: 'btn btn-primary btn-small', 'data-key': 'merge-go-' + idea.id, 'data-busy': 'merge-' + idea.id,
          onclick: function () {
            var into = Number(msel.value);
            busyGuard('merge-' + idea.id, function () {
              return call('POST', '/ideas/' + idea.id + '/merge', { into: into }, errKey, t('Ideas merged.')).then(function (res) {
                if (res) {
                  ui.mergingIdea = null;
                  ui.pendingFocus = 'hide-' + into;
                  renderBody();
                }
              });
            });
          }
        }, t('Merge')),
        el('button', {
          type: 'button', class: 'btn btn-small', 'data-key': 'merge-cancel-' + idea.id,
          onclick: function () { ui.mergingIdea = null; ui.pendingFocus = 'merge-' + idea.id; renderBody(); }
        }, t('Cancel'))),
      el('p', { class: 'hint' }, t('The merged idea disappears from the wall; its votes move to the idea you choose.')));
  }

  function stopRename(id) {
    ui.editingTheme = null;
    delete ui.themeDrafts[id];
    setError('theme-' + id, null);
    ui.pendingFocus = 'rename-' + id;
    renderBody();
  }

  /* ---------- actions ---------- */

  function actionForm(action) {
    var prefix = action ? 'act-' + action.id + '-' : 'new-action-';
    var draft = action ? (ui.actionDrafts[action.id] || Object.assign({}, action)) : null;
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
          ui.actionDrafts[action.id] = draft;
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
    var err = errorSlot(errKey);
    err.id = prefix + 'error';
    var buttons = action
      ? el('p', { class: 'form-buttons' },
        el('button', { type: 'submit', class: 'btn btn-primary', 'data-busy': errKey }, t('Save changes')),
        el('button', { type: 'button', class: 'btn', onclick: function () { stopEditAction(action.id); } }, t('Cancel')))
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
      if (action && e.key === 'Escape') { e.preventDefault(); stopEditAction(action.id); }
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
        setError(errKey, t('Write what will be done first.'));
        fields.what.setAttribute('aria-invalid', 'true');
        fields.what.focus();
        return;
      }
      fields.what.removeAttribute('aria-invalid');
      busyGuard(errKey, function () {
        if (action) {
          data.status = action.status;
          return call('PATCH', '/actions/' + action.id, data, errKey, t('Action saved.')).then(function (res) {
            if (res) {
              Object.assign(action, data);
              stopEditAction(action.id);
            }
          });
        }
        data.client_id = ui.actionClientId; // reused on retry, so a retry never duplicates
        return call('POST', '/actions', data, errKey, t('Action added.')).then(function (res) {
          if (res) {
            ui.actionClientId = FA.uuid();
            node.reset();
            fields.what.focus();
          }
        });
      });
    });
    return { node: node, fields: fields };
  }

  function stopEditAction(id) {
    ui.editingAction = null;
    delete ui.actionDrafts[id];
    setError('action-' + id, null);
    ui.pendingFocus = 'edit-action-' + id;
    renderBody();
  }

  function renderActionList(container) {
    var actions = state.actions || [];
    if (!changed('actions-' + container.className, [actions, ui.editingAction])) return;
    if (!actions.length) {
      patch(container, el('p', { class: 'empty' }, t('No actions yet.')));
      return;
    }
    patch(container, el('ol', { class: 'actions' }, actions.map(function (a) { return actionItem(a); })));
  }

  function actionItem(a) {
    var errKey = 'action-' + a.id;
    if (ui.editingAction === a.id) {
      var f = actionForm(a);
      return el('li', { class: 'action card is-editing' },
        el('h4', { class: 'visually-hidden' }, t('Edit action')), f.node);
    }
    var titleId = 'action-' + a.id + '-what';
    var statusId = 'action-' + a.id + '-status';
    var statusSel = el('select', {
      id: statusId, 'data-key': statusId,
      onchange: function () {
        var data = { what: a.what, who: a.who || '', due: a.due || null, first_step: a.first_step || '', follow_up: a.follow_up || null, status: statusSel.value };
        call('PATCH', '/actions/' + a.id, data, errKey, t('Status changed to {status}.', { status: FA.actionStatusLabel(statusSel.value) })).then(function (res) {
          if (res) a.status = data.status;
          else statusSel.value = a.status;
        });
      }
    }, Object.keys(FA.ACTION_STATUS).map(function (k) {
      return el('option', { value: k, selected: a.status === k }, FA.actionStatusLabel(k));
    }));
    statusSel.value = a.status;
    function row(label, value) {
      return value ? el('div', null, el('dt', null, label), el('dd', { lang: sessionLang() }, value)) : null;
    }
    return el('li', { class: ['action card', 'status-' + a.status] },
      el('h4', { id: titleId, lang: sessionLang() }, a.what),
      el('dl', { class: 'action-meta' },
        row(t('Who'), a.who),
        a.due ? el('div', null, el('dt', null, t('By when')), el('dd', null, el('time', { datetime: a.due }, FA.formatDate(a.due)))) : null,
        row(t('First step'), a.first_step),
        a.follow_up ? el('div', null, el('dt', null, t('Follow-up')), el('dd', null, el('time', { datetime: a.follow_up }, FA.formatDate(a.follow_up)))) : null),
      el('div', { class: 'action-tools' },
        el('div', { class: 'status-pick' }, el('label', { for: statusId }, t('Status')), statusSel),
        el('button', {
          type: 'button', class: 'btn btn-small', 'data-key': 'edit-action-' + a.id, 'aria-describedby': titleId,
          onclick: function () {
            ui.editingAction = a.id;
            ui.pendingFocus = 'act-' + a.id + '-what';
            renderBody();
          }
        }, t('Edit')),
        el('button', {
          type: 'button', class: 'btn btn-small btn-danger', 'data-key': 'del-action-' + a.id, 'aria-describedby': titleId,
          'data-busy': 'del-' + errKey,
          onclick: function () {
            if (!window.confirm(t('Delete the action "{what}"?', { what: snippet(a.what, 80) }))) return;
            busyGuard('del-' + errKey, function () {
              return call('DELETE', '/actions/' + a.id, null, errKey, t('Action deleted.')).then(function (res) {
                if (res) ui.pendingFocus = 'add-action';
              });
            });
          }
        }, t('Delete'))),
      errorSlot(errKey));
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
        INPUT_KINDS[s.phase.kind]) {
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

  function ideaBelongs(idea) {
    var ph = state.phase;
    if (ph.kind === 'ideas') return idea.phase_id === ph.id;
    if (ph.kind === 'group') return idea.phase_id === (ph.settings && ph.settings.source);
    return (state.ideas || []).some(function (i) { return i.phase_id === idea.phase_id; });
  }

  // Ideas and themes decide the vote phase's items, which the server computes: fetch them again.
  var CHANGES_VOTE_ITEMS = { 'idea.added': 1, 'idea.updated': 1, 'idea.removed': 1, themes: 1 };

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
    if (CHANGES_VOTE_ITEMS[name] && state.phase.kind === 'vote') resync();
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
