/* Projector view: what the whole room sees. Read-only; joins with role "projector".
 *
 * Text never shrinks to fit: what does not fit on the screen is split into pages that
 * rotate every ROTATE_MS ("Page 2 / 3"; PageDown / PageUp or the arrow keys turn them by
 * hand, as a presentation clicker does). Nothing is cut off silently.
 *
 * A module shell: header, paging, QR and keys here; each phase kind's view comes from its
 * module in phases/ (kinds[kind].projector(ctx)), which gets flow/pageRows/metaRow in ctx.
 */
import { kindOf } from './phases/index.js';
import { showBanner } from './phases/banner.js';
import { baseContext, projectorActions } from './phases/shared.js';

var FA = window.FA;
var root = document.getElementById('projector');
if (root) start(root);

function start(root) {
  var t = FA.t;
  var el = FA.el;
  var sessionId = Number(root.dataset.sessionId);
  var ROTATE_MS = 12000;
  var COLUMN_EM = 15; // the narrowest idea column, in the wall's font size

  var ui = {
    session: document.getElementById('p-session'),
    title: document.getElementById('p-title'),
    timer: document.getElementById('p-timer'),
    prompt: document.getElementById('p-prompt'),
    body: document.getElementById('p-body'),
    fit: document.getElementById('p-fit'),
    count: document.getElementById('p-count'),
    live: document.getElementById('p-live'),
    fullscreen: document.getElementById('p-fullscreen'),
    qrOpen: document.getElementById('p-qr-open'),
    qrOverlay: document.getElementById('p-qr-overlay'),
    qrClose: document.getElementById('p-qr-close')
  };

  var state = null;
  var viewKey = null;
  var view = {};               // the current view: {update?, layout?(page)}
  var fresh = false;           // the view is being built: what it shows now is not "new"
  var renderQueued = false;

  /* ---------- helpers ---------- */
  function phase() { return state && state.phase; }
  function pageText(n, total) { return t('Page {n} / {total}', { n: n, total: total }); }
  // The indicator keeps its place when empty, so showing it never moves the layout.
  function showPager(pagerEl, k, total) {
    if (!pagerEl) return;
    pagerEl.textContent = total > 1 ? pageText(mod(k, total) + 1, total) : '';
    pagerEl.classList.toggle('is-empty', total < 2);
  }

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

  /* ---------- pages ---------- */
  // One clock for every paged area: area i shows page (turn mod its page count).
  var turn = 0;
  var rotateTimer = null;

  function layout() {
    if (!state || !view.layout || !ui.body.clientHeight) {
      setRotation(false);
      return;
    }
    var pages = view.layout(turn) || 1;
    setRotation(pages > 1);
  }

  function setRotation(on) {
    if (on && !rotateTimer) {
      rotateTimer = setInterval(function () { turn++; layout(); }, ROTATE_MS);
    } else if (!on && rotateTimer) {
      clearInterval(rotateTimer);
      rotateTimer = null;
    }
  }

  function turnPage(delta) {
    turn += delta;
    // A page turned by hand stays up for a whole period.
    setRotation(false);
    layout();
  }

  function mod(k, n) { return ((k % n) + n) % n; }

  /*
   * Flows blocks (group headings and idea cards) into as many columns as fit the host's
   * width and splits them into pages of the host's height. A heading never ends a column
   * alone; a group that continues in the next column repeats its heading.
   * blocks: [{node, head: bool, group: key, title: text}]. Returns the number of pages.
   */
  function flow(host, blocks, k, pagerEl, retry, maxH) {
    FA.clear(host);
    var W = host.getBoundingClientRect().width;
    var H = Math.min(host.clientHeight, maxH || Infinity);
    var fontPx = parseFloat(getComputedStyle(host).fontSize) || 16;
    var gap = Math.round(fontPx * 0.5);
    var colGap = Math.round(fontPx * 0.8);
    var C = Math.max(1, Math.floor((W + colGap) / (COLUMN_EM * fontPx + colGap)));
    var colW = (W - colGap * (C - 1)) / C;

    // Measure every block at the column width in one pass.
    var measurer = el('ul', { class: 'wall p-measure', 'aria-hidden': 'true' });
    // A hair narrower than the column: a line that only just fits is counted as wrapped.
    measurer.style.width = Math.max(0, colW - 1) + 'px';
    host.appendChild(measurer);
    var contProto = {};
    blocks.forEach(function (b) {
      measurer.appendChild(b.node);
      if (b.head && !contProto[b.group]) {
        contProto[b.group] = contHead(b);
        measurer.appendChild(contProto[b.group]);
      }
    });
    var heights = blocks.map(function (b) { return b.node.offsetHeight; });
    var contHeights = {};
    Object.keys(contProto).forEach(function (g) { contHeights[g] = contProto[g].offsetHeight; });
    host.removeChild(measurer);
    FA.clear(measurer);

    // Splits the blocks into pages of C columns at most `limit` px high.
    function paginate(limit) {
      var pages = [];
      var cols;
      var c;
      var h;
      function newPage() {
        cols = [];
        for (var i = 0; i < C; i++) cols.push([]);
        pages.push(cols);
        c = 0;
        h = 0;
      }
      function room(need) { return cols[c].length === 0 || h + gap + need <= limit; }
      function advance() {
        c++;
        h = 0;
        if (c >= C) newPage();
      }
      function place(b, bh) {
        h += (cols[c].length ? gap : 0) + bh;
        cols[c].push(b);
      }
      newPage();
      var heads = {};
      blocks.forEach(function (b, i) {
        var bh = heights[i];
        if (b.head) {
          heads[b.group] = b;
          var next = blocks[i + 1];
          var need = bh + (next && !next.head ? gap + heights[i + 1] : 0);
          if (!room(need)) advance();
          place(b, bh);
          return;
        }
        if (!room(bh)) {
          advance();
          var head = heads[b.group];
          if (head) place({ cont: head }, contHeights[b.group] || 0);
        }
        place(b, bh);
      });
      // A last page holding nothing (a heading pushed over) is not a page.
      while (pages.length > 1 && !pages[pages.length - 1][0].length) pages.pop();
      return pages;
    }
    var pages = paginate(H);
    // Cards without group headings that fit on one page share the columns evenly
    // instead of filling the first ones and leaving the rest of the screen empty.
    if (pages.length === 1 && C > 1 && !blocks.some(function (b) { return b.head; })) {
      var lo = Math.max.apply(null, heights.concat([0]));
      var hi = H;
      while (hi - lo > 4) {
        var mid = Math.floor((lo + hi) / 2);
        if (paginate(mid).length === 1) hi = mid; else lo = mid;
      }
      pages = paginate(hi);
    }

    var shown = pages[mod(k, pages.length)];
    var pageNode = el('div', { class: 'p-flow-page' });
    pageNode.style.gridTemplateColumns = 'repeat(' + C + ', minmax(0, 1fr))';
    pageNode.style.columnGap = colGap + 'px';
    shown.forEach(function (list) {
      var col = el('div', { class: 'p-flow-col' });
      col.style.gap = gap + 'px';
      var ul = null;
      list.forEach(function (b) {
        if (b.cont) {
          col.appendChild(contHead(b.cont));
          ul = null;
        } else if (b.head) {
          col.appendChild(b.node);
          ul = null;
        } else {
          if (!ul) {
            ul = el('ul', { class: 'wall' });
            ul.style.gap = gap + 'px';
            col.appendChild(ul);
          }
          ul.appendChild(b.node);
        }
      });
      pageNode.appendChild(col);
    });
    host.appendChild(pageNode);
    showPager(pagerEl, k, pages.length);
    // Sizes can shift by a pixel or two once the page is in place (rounding, fonts):
    // lay out again a little shorter rather than cut the last card.
    var over = host.scrollHeight - host.clientHeight;
    if (over > 0 && (retry || 0) < 3) return flow(host, blocks, k, pagerEl, (retry || 0) + 1, H - over);
    return pages.length;
  }

  function contHead(head) {
    var node = head.node.cloneNode(true);
    node.classList.add('is-cont');
    var title = node.querySelector('.p-group-title');
    if (title) title.textContent = t('{title} (continued)', { title: head.title });
    return node;
  }

  /*
   * Shows the rows (table rows, chart rows) of page k that fit the host's height; the
   * rest wait for their page. Returns the number of pages.
   */
  function pageRows(host, rows, k, pagerEl) {
    rows.forEach(function (r) { r.hidden = false; });
    var pages = [rows];
    if (rows.length && host.scrollHeight > host.clientHeight + 1) {
      var top = rows[0].getBoundingClientRect().top;
      var avail = host.getBoundingClientRect().bottom - top;
      var tail = host.scrollHeight - (rows[rows.length - 1].getBoundingClientRect().bottom - host.getBoundingClientRect().top);
      avail -= Math.max(0, tail);
      // A row's share is up to the next row's top, so gaps between rows count too.
      var heights = rows.map(function (r, i) {
        var box = r.getBoundingClientRect();
        return i + 1 < rows.length ? rows[i + 1].getBoundingClientRect().top - box.top : box.height;
      });
      pages = [];
      var cur = [];
      var used = 0;
      rows.forEach(function (r, i) {
        if (cur.length && used + heights[i] > avail) {
          pages.push(cur);
          cur = [];
          used = 0;
        }
        cur.push(r);
        used += heights[i];
      });
      if (cur.length) pages.push(cur);
    }
    var shown = pages[mod(k, pages.length)];
    rows.forEach(function (r) { r.hidden = shown.indexOf(r) < 0; });
    showPager(pagerEl, k, pages.length);
    return pages.length;
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    // Bursts of deltas (a room of 40 typing) become one layout per frame.
    window.requestAnimationFrame(function () {
      renderQueued = false;
      update();
      layout();
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
      // "Vaihe 2/6" is read as one: it never breaks over two lines.
      var step = t('Phase {n} of {total}', { n: p.index + 1, total: (state.phases || []).length });
      ui.session.textContent = sessionLine + ' · ' + step.replace(/ /g, '\u00a0');
      ui.title.textContent = p.title;
    } else if (s.status === 'closed') {
      ui.session.textContent = sessionLine;
      ui.title.textContent = t('Thank you for taking part!');
    } else {
      ui.session.textContent = s.team || '';
      ui.title.textContent = s.title;
    }
    FA.showPromptAndTimer(ui.prompt, ui.timer, state, live);
    showBanner(state, ui.prompt); // what an earlier phase chose (the phase's `banner`)
    renderCount();
  }

  function renderCount() {
    var n = state.participants ? state.participants.joined : 0;
    ui.count.textContent = t('Participants: {count}', { count: n });
  }

  /* ---------- views ---------- */
  // What a phase kind's view may use (phases/index.js).
  function context() {
    return Object.assign(baseContext(function () { return state; }), {
      fit: ui.fit,
      fresh: function () { return fresh; },
      metaRow: metaRow,
      flow: flow,
      pageRows: pageRows
    });
  }

  function render() {
    renderHeader();
    var key = FA.viewKey(state, false);
    if (key !== viewKey) {
      viewKey = key;
      fresh = true;
      turn = 0;
      FA.clear(ui.fit);
      view = build() || {};
    }
    update();
    fresh = false;
    layout();
  }

  function update() {
    if (view.update) view.update();
  }

  function build() {
    var s = state.session;
    if (s.status === 'upcoming') return null;
    if (s.status === 'closed') {
      ui.fit.appendChild(el('h2', { class: 'p-section-title' }, t('Agreed actions')));
      return projectorActions(context());
    }
    return kindOf(phase().kind).projector(context());
  }

  // Meta line: counts on the left, the page indicator on the right.
  function metaRow() {
    var row = { meta: el('p', { class: 'p-meta' }), pager: el('p', { class: 'p-pager is-empty' }) };
    ui.fit.appendChild(el('div', { class: 'p-meta-row' }, row.meta, row.pager));
    return row;
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
  // The body changes size with the window and with the header (prompt, timer, warning).
  var lastSize = '';
  function relayoutIfResized() {
    var size = ui.body.clientWidth + 'x' + ui.body.clientHeight;
    if (size === lastSize) return;
    lastSize = size;
    if (state) layout();
  }
  if (window.ResizeObserver) {
    new ResizeObserver(function () { window.requestAnimationFrame(relayoutIfResized); }).observe(ui.body);
  } else {
    window.addEventListener('resize', relayoutIfResized);
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
  }
  if (ui.fullscreen) {
    if (!document.documentElement.requestFullscreen) ui.fullscreen.hidden = true;
    ui.fullscreen.addEventListener('click', toggleFullscreen);
  }

  /* ----- the big QR: Q (or a click on the small one) opens it, Esc or Q closes it ----- */
  var qrReturnFocus = null;
  function qrShown() { return ui.qrOverlay && !ui.qrOverlay.hidden; }
  function showQr(on) {
    if (!ui.qrOverlay || on === qrShown()) return;
    ui.qrOverlay.hidden = !on;
    document.body.classList.toggle('is-qr', on);
    if (on) {
      qrReturnFocus = document.activeElement;
      ui.qrClose.focus();
    } else if (qrReturnFocus && qrReturnFocus.focus && qrReturnFocus !== document.body) {
      qrReturnFocus.focus();
    }
  }
  if (ui.qrOpen) ui.qrOpen.addEventListener('click', function () { showQr(true); });
  if (ui.qrClose) ui.qrClose.addEventListener('click', function () { showQr(false); });
  if (ui.qrOverlay) {
    ui.qrOverlay.addEventListener('click', function (e) { if (e.target === ui.qrOverlay) showQr(false); });
    // Focus stays in the dialog while it is open: it has one control.
    ui.qrOverlay.addEventListener('keydown', function (e) {
      if (e.key === 'Tab') {
        e.preventDefault();
        ui.qrClose.focus();
      }
    });
  }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var key = e.key;
    if (key === 'Escape' && qrShown()) {
      showQr(false);
    } else if (key === 'q' || key === 'Q') {
      showQr(!qrShown());
    } else if (key === 'f' || key === 'F') {
      toggleFullscreen();
    } else if (qrShown()) {
      return;
    } else if (key === 'PageDown' || key === 'ArrowRight' || key === 'ArrowDown') {
      e.preventDefault();
      turnPage(1);
    } else if (key === 'PageUp' || key === 'ArrowLeft' || key === 'ArrowUp') {
      e.preventDefault();
      turnPage(-1);
    }
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
}
