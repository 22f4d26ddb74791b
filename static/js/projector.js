/* Projector view: what the whole room sees. Read-only; joins with role "projector". */
(function () {
  'use strict';

  var t = FA.t;
  var el = FA.el;
  var root = document.getElementById('projector');
  if (!root) return;
  var sessionId = Number(root.dataset.sessionId);

  var ui = {
    session: document.getElementById('p-session'),
    title: document.getElementById('p-title'),
    timer: document.getElementById('p-timer'),
    prompt: document.getElementById('p-prompt'),
    body: document.getElementById('p-body'),
    fit: document.getElementById('p-fit'),
    count: document.getElementById('p-count'),
    live: document.getElementById('p-live'),
    fullscreen: document.getElementById('p-fullscreen')
  };

  var state = null;
  var viewKey = null;
  var view = {};
  var renderQueued = false;

  /* ---------- helpers ---------- */
  function phase() { return state && state.phase; }
  function settings() { return (phase() && phase().settings) || {}; }

  // Many ideas can arrive at once; the screen reader hears one calm summary, not a flood.
  var pendingNew = [];
  var announceTimer = null;
  function announceIdea(text) {
    pendingNew.push(text);
    if (announceTimer) return;
    announceTimer = setTimeout(function () {
      var msg = pendingNew.length === 1
        ? t('New idea: {text}', { text: pendingNew[0] })
        : t('{count} new ideas', { count: pendingNew.length });
      pendingNew = [];
      announceTimer = null;
      ui.live.textContent = msg;
    }, 2500);
  }

  // Shrink the content until it fits: the back row cannot scroll.
  function fit() {
    var box = ui.body;
    var lo = 0.4;
    var hi = 1;
    ui.fit.style.setProperty('--fit', '1');
    if (box.scrollHeight <= box.clientHeight + 1) return;
    for (var i = 0; i < 7; i++) {
      var mid = (lo + hi) / 2;
      ui.fit.style.setProperty('--fit', String(mid));
      if (box.scrollHeight <= box.clientHeight + 1) lo = mid;
      else hi = mid;
    }
    ui.fit.style.setProperty('--fit', String(lo));
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    // Bursts of deltas (a room of 40 typing) become one layout per frame.
    window.requestAnimationFrame(function () {
      renderQueued = false;
      update();
      fit();
    });
  }

  /* ---------- header ---------- */
  function renderHeader() {
    var s = state.session;
    var p = phase();
    var live = s.status === 'live' && p;
    document.body.classList.toggle('is-upcoming', s.status === 'upcoming');
    document.body.classList.toggle('is-live', s.status === 'live');
    document.body.classList.toggle('is-closed', s.status === 'closed');
    var sessionLine = s.title + (s.team ? ' · ' + s.team : '');
    if (live) {
      ui.session.textContent = sessionLine + ' · ' + t('Step {n} of {total}', { n: p.index + 1, total: (state.phases || []).length });
      ui.title.textContent = p.title;
    } else if (s.status === 'closed') {
      ui.session.textContent = sessionLine;
      ui.title.textContent = t('Thank you for taking part!');
    } else {
      ui.session.textContent = s.team || '';
      ui.title.textContent = s.title;
    }
    FA.showPromptAndTimer(ui.prompt, ui.timer, state, live);
    renderCount();
  }

  function renderCount() {
    var n = state.participants ? state.participants.joined : 0;
    ui.count.textContent = t('Participants: {count}', { count: n });
  }

  /* ---------- views ---------- */
  function render() {
    renderHeader();
    var key = FA.viewKey(state, false);
    if (key !== viewKey) {
      viewKey = key;
      view = { fresh: true };
      FA.clear(ui.fit);
      build();
    }
    update();
    view.fresh = false;
    fit();
  }

  function update() {
    if (view.update) view.update();
  }

  function build() {
    var s = state.session;
    if (s.status === 'upcoming') return;
    if (s.status === 'closed') {
      ui.fit.appendChild(el('h2', { class: 'p-section-title' }, t('Agreed actions')));
      return buildActions();
    }
    var kind = phase().kind;
    if (kind === 'info') return buildInfo();
    if (kind === 'ideas') return buildWall();
    if (kind === 'group') return buildThemes();
    if (kind === 'vote') return buildVote();
    if (kind === 'rate') return buildRate();
    if (kind === 'actions' || kind === 'summary') return buildActions();
    return null;
  }

  function buildInfo() {
    var st = settings();
    if (!st.link) return;
    ui.fit.appendChild(el('p', { class: 'p-link' },
      el('strong', null, st.link_label || t('Material')), el('br'), st.link));
  }

  function ideaNode(idea) {
    var li = el('li', null, idea.text);
    if (!view.fresh) li.className = 'is-new';
    return li;
  }
  function updateIdeaNode(li, idea) {
    if (li.textContent !== idea.text) li.textContent = idea.text;
  }

  /* ----- ideas wall ----- */
  function buildWall() {
    var cols = settings().columns || [];
    var p = phase();
    view.meta = el('p', { class: 'p-meta' });
    ui.fit.appendChild(view.meta);
    if (cols.length) {
      view.cols = cols.map(function (c) {
        var n = el('span', { class: 'n' });
        var ul = el('ul', { class: 'wall' });
        return { id: c.id, n: n, ul: ul, sec: el('section', null, el('h2', null, el('span', null, c.title), n), ul) };
      });
      var grid = el('div', { class: 'wall-columns' }, view.cols.map(function (c) { return c.sec; }));
      ui.fit.appendChild(grid);
    } else {
      view.ul = el('ul', { class: 'wall' });
      ui.fit.appendChild(view.ul);
    }
    view.empty = el('p', { class: 'wall-empty' }, t('Ideas appear here as soon as they are posted.'));
    ui.fit.appendChild(view.empty);
    view.update = function () {
      var ideas = (state.ideas || []).filter(function (i) { return i.phase_id === p.id; })
        .sort(function (a, b) { return a.id - b.id; });
      view.meta.textContent = t('Ideas: {count}', { count: ideas.length });
      view.empty.hidden = ideas.length > 0;
      if (view.cols) {
        var known = view.cols.map(function (c) { return c.id; });
        view.cols.forEach(function (c, i) {
          // Ideas with an unknown column land in the first one rather than vanishing.
          var mine = ideas.filter(function (x) { return x.column === c.id || (i === 0 && known.indexOf(x.column) < 0); });
          c.n.textContent = String(mine.length);
          FA.reconcile(c.ul, mine, function (x) { return x.id; }, ideaNode, updateIdeaNode);
        });
      } else {
        FA.reconcile(view.ul, ideas, function (x) { return x.id; }, ideaNode, updateIdeaNode);
      }
    };
  }

  /* ----- themes (group phase) ----- */
  function buildThemes() {
    view.meta = el('p', { class: 'p-meta' });
    view.grid = el('div', { class: 'themes-grid' });
    ui.fit.appendChild(view.meta);
    ui.fit.appendChild(view.grid);
    view.update = function () {
      var sections = FA.themeSections(state, t('Not grouped yet'));
      view.meta.textContent = t('Themes: {count}', { count: (state.themes || []).length });
      FA.reconcile(view.grid, sections, function (s) { return s.key; }, function () {
        var h = el('h2');
        var ul = el('ul', { class: 'wall' });
        var sec = el('section', null, h, ul);
        sec._parts = { h: h, ul: ul };
        return sec;
      }, function (sec, s) {
        sec._parts.h.textContent = t('{title} ({count})', { title: s.title, count: s.ideas.length });
        FA.reconcile(sec._parts.ul, s.ideas, function (x) { return x.id; }, ideaNode, updateIdeaNode);
      });
    };
  }

  /* ----- vote results ----- */
  function buildVote() {
    view.meta = el('p', { class: 'p-meta' });
    view.chart = el('div');
    ui.fit.appendChild(view.meta);
    ui.fit.appendChild(view.chart);
    view.update = function () {
      var v = state.vote;
      if (!v) return;
      var counts = {};
      (v.results || []).forEach(function (r) { counts[r.key] = r.count; });
      var rows = (v.items || []).map(function (it, i) {
        return { label: it.title, count: counts[it.key] || 0, order: i };
      }).sort(function (a, b) { return b.count - a.count || a.order - b.order; });
      var top = rows.length ? rows[0].count : 0;
      rows.forEach(function (r) { r.highlight = top > 0 && r.count === top; });
      view.meta.textContent = t('People who voted: {count}', { count: v.voters || 0 }) + ' · ' +
        t('{budget} votes each', { budget: v.budget });
      FA.chart(view.chart, rows, { unit: t('votes') });
    };
  }

  /* ----- rating distributions ----- */
  function buildRate() {
    view.table = el('table', { class: 'histo-table' });
    ui.fit.appendChild(view.table);
    view.update = function () {
      var r = state.rate;
      if (!r) return;
      var sc = r.scale || { min: 1, max: 5 };
      FA.clear(view.table);
      view.table.appendChild(el('caption', { class: 'visually-hidden' }, t('Answers per statement')));
      view.table.appendChild(el('thead', null, el('tr', null,
        el('th', { scope: 'col' }, t('Statement')),
        el('th', { scope: 'col' }, t('Answers') + ' (' + sc.min + ' = ' + (sc.min_label || sc.min) + ', ' + sc.max + ' = ' + (sc.max_label || sc.max) + ')'),
        el('th', { scope: 'col' }, t('Average')))));
      var tbody = el('tbody');
      (r.statements || []).forEach(function (s) {
        var res = (r.results || {})[s.id];
        var cell;
        var mean = '';
        if (res && res.distribution) {
          var max = 0;
          var values = [];
          for (var v = sc.min; v <= sc.max; v++) {
            values.push(v);
            max = Math.max(max, res.distribution[String(v)] || 0);
          }
          cell = el('div', { class: 'histo' }, values.map(function (val) {
            var n = res.distribution[String(val)] || 0;
            var bar = el('b');
            bar.style.height = (max ? Math.round((n / max) * 100) : 0) + '%';
            return el('span', null,
              el('em', null, String(n)), el('span', { class: 'bar-box' }, bar), el('i', null, String(val)));
          }));
          cell = el('div', null, cell, el('span', { class: 'visually-hidden' },
            values.map(function (val) { return val + ': ' + (res.distribution[String(val)] || 0); }).join(', ')));
          if (res.mean !== null && res.mean !== undefined) mean = FA.formatNumber(res.mean);
        } else {
          cell = el('span', { class: 'muted' }, t('Shown when at least {count} have answered ({responses} so far).',
            { count: r.min_responses || 5, responses: res ? res.responses : 0 }));
        }
        tbody.appendChild(el('tr', null, el('th', { scope: 'row' }, s.text), el('td', null, cell), el('td', null, mean)));
      });
      view.table.appendChild(tbody);
    };
  }

  /* ----- agreed actions ----- */
  function buildActions() {
    view.actionsBox = el('div');
    ui.fit.appendChild(view.actionsBox);
    view.update = function () {
      FA.clear(view.actionsBox);
      var list = state.actions || [];
      if (!list.length) {
        view.actionsBox.appendChild(el('p', { class: 'wall-empty' }, t('No actions have been agreed yet.')));
        return;
      }
      view.actionsBox.appendChild(el('table', { class: 'p-actions' },
        el('caption', { class: 'visually-hidden' }, t('Agreed actions')),
        el('thead', null, el('tr', null,
          el('th', { scope: 'col' }, t('What')),
          el('th', { scope: 'col' }, t('Who')),
          el('th', { scope: 'col' }, t('By when')),
          el('th', { scope: 'col' }, t('First step')),
          el('th', { scope: 'col' }, t('Status')))),
        el('tbody', null, list.map(function (a) {
          return el('tr', null,
            el('th', { scope: 'row' }, a.what),
            el('td', null, a.who || ''),
            el('td', null, a.due ? FA.formatDate(a.due) : ''),
            el('td', null, a.first_step || ''),
            el('td', null, el('span', { class: 'badge badge-' + a.status }, FA.actionStatusLabel(a.status))));
        }))));
    };
  }

  /* ---------- realtime ---------- */
  function onEvent(name, payload) {
    if (!state || !payload) return;
    var applied = FA.applyDelta(state, name, payload);
    if (!applied) return;
    if (name === 'timer') {
      renderHeader();
    } else if (name === 'presence') {
      renderCount();
    } else {
      if (applied === 'new' && phase() && payload.phase_id === phase().id) announceIdea(payload.text);
      scheduleRender();
    }
  }

  FA.connect({
    join: { role: 'projector', session_id: sessionId },
    onState: function (s) {
      state = s;
      render();
    },
    onEvent: onEvent
  });

  /* ---------- screen ---------- */
  window.addEventListener('resize', function () { if (state) fit(); });

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
  }
  if (ui.fullscreen) {
    if (!document.documentElement.requestFullscreen) ui.fullscreen.hidden = true;
    ui.fullscreen.addEventListener('click', toggleFullscreen);
  }
  document.addEventListener('keydown', function (e) {
    if ((e.key === 'f' || e.key === 'F') && !e.ctrlKey && !e.metaKey && !e.altKey) toggleFullscreen();
  });

  var idleTimer = null;
  function notIdle() {
    document.body.classList.remove('is-idle');
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { document.body.classList.add('is-idle'); }, 3000);
  }
  document.addEventListener('mousemove', notIdle);
  notIdle();

  // Keep the laptop from dimming the screen in the middle of a workshop.
  function keepAwake() {
    if (!navigator.wakeLock || document.visibilityState !== 'visible') return;
    navigator.wakeLock.request('screen').catch(function () {});
  }
  document.addEventListener('visibilitychange', keepAwake);
  keepAwake();
})();
