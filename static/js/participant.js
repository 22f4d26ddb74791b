/* Participant phone page: follows the live session and sends ideas, votes and ratings.
   A module shell: header, connection and drafts here; each phase kind's view comes from
   its module in phases/ (kinds[kind].phone(ctx)). */
import { kindOf, hooks } from './phases/index.js';
import { showBanner } from './phases/banner.js';
import { baseContext, drafts as draftStore, phoneActions } from './phases/shared.js';

var FA = window.FA;
var t = FA.t;
var el = FA.el;
var app = document.getElementById('app');
if (app) start(app);

function start(app) {
  var code = app.dataset.code;

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
  var drafts = draftStore(code);
  var viewKey = null;          // which phase view is currently built
  var view = {};               // the current view: {update?, onStatus?}
  var builds = 0;              // counts views built, so a view knows whether it is still shown
  var lastPhaseIndex = null;
  var online = false;
  var conn = null;

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

  var base = baseContext(function () { return state; });
  var phase = base.phase;

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

  // What a phase kind's view may use (phases/index.js).
  function context() {
    var id = ++builds;
    return Object.assign({}, base, {
      body: ui.body,
      conn: conn,
      mine: mine,
      drafts: drafts,
      announce: announce,
      setError: setError,
      errMsg: errMsg,
      inLang: inLang,
      sessionLang: sessionLang,
      contentLang: contentLang,
      isOnline: function () { return online; },
      isCurrent: function () { return id === builds; },
      update: update
    });
  }
  var hookCtx = context();

  /* ---------- header ---------- */
  function renderHeader() {
    var s = state.session;
    var p = phase();
    // Input before the session: the first phase shows as if live inside the window.
    var live = (s.status === 'live' || collectingOpen(s)) && p;
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
    showBanner(state, ui.prompt); // what an earlier phase chose (the phase's `banner`)

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
      FA.clear(ui.body);
      view = build() || {};
    }
    update();
  }

  function build() {
    var s = state.session;
    if (s.status === 'collecting') return buildCollecting(s);
    if (s.status === 'upcoming') return buildWaiting();
    if (s.status === 'closed') return buildClosed();
    return phase() ? kindOf(phase().kind).phone(context()) : null;
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

  function collectingOpen(s) {
    return s.status === 'collecting' && !!s.collecting && s.collecting.state === 'open';
  }

  // Input before the session (facilitator/collecting.py): only days are ever shown.
  var collectTimer = null;
  function buildCollecting(s) {
    var c = s.collecting || {};
    if (collectTimer) clearTimeout(collectTimer);
    if (c.changes_in) {
      // Re-read the session when the window opens or closes (timers cap at ~24 days).
      collectTimer = setTimeout(function () { conn.sync(); }, Math.min(c.changes_in, 2000000) * 1000);
    }
    if (c.state === 'open') return phase() ? kindOf(phase().kind).phone(context()) : null;
    var day = function (iso) { return iso ? FA.formatDate(iso) : ''; };
    ui.body.appendChild(el('div', { class: 'waiting card collecting-note', role: 'status' },
      el('p', { class: 'big' }, c.state === 'before'
        ? t('Input opens on {date}.', { date: day(c.opens_on) })
        : t('Input before the session closed on {date}.', { date: day(c.closes_on) })),
      el('p', null, c.state === 'before'
        ? t('Come back then: this page opens by itself.')
        : t('You can take part in the session itself. Keep this page: it updates when the facilitator starts.'))));
    return null;
  }

  function buildClosed() {
    ui.body.appendChild(el('div', { class: 'thanks card' },
      el('p', { class: 'big' }, t('The session has ended.')),
      el('p', null, t('Below are the actions you agreed on together.'))));
    return phoneActions(context());
  }

  /* ---------- server events ---------- */
  function onEvent(name, payload) {
    if (!state || !payload || name === 'presence') return; // the phone shows no head count
    if (!FA.applyDelta(state, name, payload)) return;
    hooks('phoneDelta').forEach(function (f) { f(hookCtx, name, payload); });
    if (name === 'timer') renderHeader();
    else update();
  }

  var pruned = false;
  function onState(s) {
    state = s;
    hooks('phoneState').forEach(function (f) { f(hookCtx, s); });
    var ended = s.session && s.session.status === 'closed';
    if (ended || !pruned) drafts.prune(ended);
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
    var lostCookie = detail && (detail.code === 'not_joined' || detail.code === 'session_not_found');
    if (status === 'join_error' && lostCookie && !reloaded) {
      // The anonymous cookie is set by loading this page; a reload restores a lost one
      // (the server answers session_not_found without it, so guesses learn nothing).
      // A session that is really gone then shows its "not found" page instead.
      try {
        if (!sessionStorage.getItem('fa.reloaded.' + code)) {
          sessionStorage.setItem('fa.reloaded.' + code, '1');
          reloaded = true;
          window.location.reload();
        }
      } catch (e) { /* ignore */ }
    }
    if (state && view.onStatus) view.onStatus(status);
  }

  function onReplayed(event, payload, ack) {
    hooks('phoneReplayed').forEach(function (f) { f(hookCtx, event, payload, ack); });
    update();
  }

  conn = FA.connect({
    join: { role: 'participant', code: code },
    onState: onState,
    onEvent: onEvent,
    onStatus: onStatus,
    onReplayed: onReplayed
  });
  hookCtx.conn = conn;
}
