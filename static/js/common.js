/* Shared helpers for every page: the global FA object. Plain ES2019, no build step. */
(function () {
  'use strict';

  var FA = (window.FA = window.FA || {});
  var ACK_TIMEOUT = 8000;
  var MINE_TIMEOUT = 3000; // a phase event's state waits this long for the phone's own part
  var OUTBOX_TTL = 3 * 60 * 60 * 1000; // a write older than this is stale: the room has moved on
  // Participant writes are idempotent (client_id or set-semantics), so they may be queued and
  // replayed. Which ones is data the phase kinds declare: static/js/phases/index.js sets
  // FA.queuedEvents = {event: {clientId: bool}} before a page connects.
  function queuedEvent(event) {
    var q = FA.queuedEvents;
    return q && Object.prototype.hasOwnProperty.call(q, event) ? q[event] : null;
  }

  /* ---------- i18n ---------- */
  var strings = null;
  function loadStrings() {
    strings = {};
    var tags = document.querySelectorAll('script[type="application/json"][id^="i18n"]');
    for (var i = 0; i < tags.length; i++) {
      try {
        Object.assign(strings, JSON.parse(tags[i].textContent));
      } catch (e) {
        /* a broken tag must not break the page */
      }
    }
  }
  FA.t = function (key, params) {
    if (!strings) loadStrings();
    var s = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    if (params) {
      s = String(s).replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m;
      });
    }
    return String(s);
  };

  /* ---------- DOM ---------- */
  function append(parent, child) {
    if (child === null || child === undefined || child === false || child === true) return;
    if (Array.isArray(child)) {
      child.forEach(function (c) { append(parent, c); });
    } else if (child instanceof Node) {
      parent.appendChild(child);
    } else {
      parent.appendChild(document.createTextNode(String(child))); // user text is always a text node
    }
  }

  FA.el = function (tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var v = attrs[key];
        if (v === null || v === undefined || v === false) return;
        if (key === 'class' || key === 'className') {
          el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
        } else if (key === 'dataset') {
          Object.keys(v).forEach(function (k) { if (v[k] !== null && v[k] !== undefined) el.dataset[k] = v[k]; });
        } else if (key.slice(0, 2) === 'on' && typeof v === 'function') {
          el.addEventListener(key.slice(2).toLowerCase(), v);
        } else if (key === 'style' && typeof v === 'object') {
          Object.assign(el.style, v);
        } else if (key === 'value') {
          el.value = v; // property, so textareas and selects get it too
        } else if (key === 'checked' || key === 'selected') {
          el[key] = !!v;
          el.setAttribute(key, '');
        } else if (v === true) {
          el.setAttribute(key, '');
        } else {
          el.setAttribute(key, String(v));
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  };

  /*
   * Keyed list update: reuses existing child nodes so focus, caret and typed text survive
   * live updates. create(item) -> Node; update(node, item) optional.
   */
  FA.reconcile = function (parent, items, keyOf, create, update) {
    var old = parent._faNodes || new Map();
    var next = new Map();
    items.forEach(function (item) { next.set(String(keyOf(item)), item); });
    old.forEach(function (node, k) { if (!next.has(k) && node.parentNode === parent) parent.removeChild(node); });
    var nodes = new Map();
    var i = 0;
    next.forEach(function (item, k) {
      var node = old.get(k) || create(item);
      if (update) update(node, item);
      nodes.set(k, node);
      var at = parent.children[i];
      if (at !== node) parent.insertBefore(node, at || null);
      i++;
    });
    parent._faNodes = nodes;
    return parent;
  };

  // Only for server-sanitised fields whose name ends in _html.
  FA.html = function (el, sanitisedHtml) {
    el.innerHTML = sanitisedHtml || '';
    return el;
  };

  FA.clear = function (el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  };

  FA.uuid = function () {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') return c.randomUUID(); // secure contexts only
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  };

  // "ABC234" -> "ABC 234": easier to read aloud and to copy from a screen.
  FA.formatCode = function (code) {
    return String(code || '').replace(/\s+/g, '').replace(/(.{3})(?=.)/g, '$1 ');
  };

  // Finland's conventions: Swedish as written in Finland (31.12.2026, 3,4), English in
  // the British way (31/12/2026); the page's language alone would give 2026-12-31 for sv.
  FA.regionalLocale = function () {
    var lang = (document.documentElement.lang || 'fi').slice(0, 2);
    return { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' }[lang] || lang;
  };

  FA.formatDate = function (iso) {
    if (!iso) return '';
    var d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(iso + 'T12:00:00') : new Date(iso);
    if (isNaN(d)) return iso;
    try {
      return new Intl.DateTimeFormat(FA.regionalLocale(),
        { day: 'numeric', month: 'numeric', year: 'numeric' }).format(d);
    } catch (e) {
      return iso;
    }
  };

  // One decimal at most: averages of a 1-5 scale read better as 3.7 than 3.6666.
  FA.formatNumber = function (x) {
    try {
      return new Intl.NumberFormat(FA.regionalLocale(), { maximumFractionDigits: 1 }).format(x);
    } catch (e) {
      return String(Math.round(x * 10) / 10);
    }
  };

  // English msgids of an action's status; each page's i18n tags hold the translations.
  FA.ACTION_STATUS = { open: 'To do', in_progress: 'In progress', done: 'Done' };
  FA.actionStatusLabel = function (status) {
    return FA.t(FA.ACTION_STATUS[status] || status || '');
  };

  /* ---------- status banner ---------- */
  var banner = null;
  var bannerTimer = null;
  function getBanner() {
    if (banner) return banner;
    banner = document.getElementById('status-banner');
    if (!banner) {
      // The live region must exist before its text changes, or screen readers miss it.
      banner = FA.el('div', { id: 'status-banner', class: 'status-banner', role: 'status', 'aria-live': 'polite' });
      var main = document.getElementById('main');
      document.body.insertBefore(banner, main || document.body.firstChild);
    }
    return banner;
  }
  FA.status = function (text, kind, hideAfterMs) {
    var b = getBanner();
    clearTimeout(bannerTimer);
    b.textContent = text || '';
    b.className = 'status-banner' + (text ? ' is-visible status-' + (kind || 'info') : '');
    if (text && hideAfterMs) bannerTimer = setTimeout(function () { FA.status(''); }, hideAfterMs);
  };

  /* ---------- HTTP ---------- */
  FA.api = function (method, url, body) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var headers = { Accept: 'application/json' };
    if (meta) headers['X-CSRFToken'] = meta.getAttribute('content');
    var init = { method: method || 'GET', headers: headers, credentials: 'same-origin' };
    if (body !== undefined && body !== null) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(
      function (res) {
        return res.text().then(function (txt) {
          var data = null;
          try { data = txt ? JSON.parse(txt) : null; } catch (e) { data = null; }
          if (res.ok) return data;
          var err = (data && data.error) || {};
          return Promise.reject({
            status: res.status,
            code: err.code || 'http_' + res.status,
            message: err.message || FA.t('Something went wrong. Please try again.')
          });
        });
      },
      function () {
        return Promise.reject({ status: 0, code: 'network', message: FA.t('No connection. Check your network and try again.') });
      }
    );
  };

  /* ---------- realtime ---------- */
  function errorAck(code, message) {
    return { ok: false, error: { code: code, message: message } };
  }

  FA.serverSkew = 0; // server clock minus client clock, ms
  FA.noteServerTime = function (iso) {
    var t = iso ? Date.parse(iso) : NaN;
    if (!isNaN(t)) FA.serverSkew = t - Date.now();
  };

  /*
   * FA.connect({join, onState, onEvent, onStatus, onReplayed}) -> {emit, socket, outbox, sync}
   * onStatus(status, detail): 'connecting' | 'online' | 'offline' | 'join_error' (detail = error object)
   * onReplayed(event, payload, ack): ack for a queued write restored from an earlier page load.
   */
  FA.connect = function (opts) {
    // Protocol 2: the state comes with the `phase` event, idea deltas in `ideas.batch`,
    // ballot items name ideas by id (docs/protocol.md, "Phase changes").
    var join = Object.assign({ protocol: 2 }, opts.join || {});
    var noop = function () {};
    var onState = opts.onState || noop;
    var onEvent = opts.onEvent || noop;
    var onStatus = opts.onStatus || noop;
    var onReplayed = opts.onReplayed || noop;
    var boxKey = 'fa.outbox.' + join.role + '.' + (join.session_id || join.code || 'x');
    var waiters = {}; // outbox id -> {resolve}; only for writes made during this page load
    var joined = false;
    var inflight = null;
    var retryTimer = null;
    var offlineTimer = null;
    var shownOffline = false;
    var ended = false; // the session was deleted: stay disconnected

    var socket = window.io({
      transports: ['websocket', 'polling'],
      tryAllTransports: true, // fall back to long-polling where a proxy blocks websockets
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
      timeout: 10000
    });

    function readBox() {
      try {
        var box = JSON.parse(localStorage.getItem(boxKey) || '[]');
        var now = Date.now();
        return Array.isArray(box) ? box.filter(function (e) { return now - e.at < OUTBOX_TTL; }) : [];
      } catch (e) {
        return memBox;
      }
    }
    var memBox = []; // used when localStorage is unavailable (private mode, quota)
    function writeBox(box) {
      memBox = box;
      try {
        if (box.length) localStorage.setItem(boxKey, JSON.stringify(box));
        else localStorage.removeItem(boxKey);
      } catch (e) { /* keep the in-memory copy */ }
    }
    function removeFromBox(id) {
      writeBox(readBox().filter(function (e) { return e.id !== id; }));
    }

    function setOffline() {
      if (ended) return;
      joined = false;
      inflight = null;
      onStatus('offline');
      clearTimeout(offlineTimer);
      // A short grace period: a blink in the Wi-Fi should not flash a banner.
      offlineTimer = setTimeout(function () {
        if (socket.connected && joined) return;
        shownOffline = true;
        FA.status(FA.t('Connection lost, trying again…'), 'warning');
      }, 1500);
    }

    function sendJoin() {
      socket.timeout(ACK_TIMEOUT).emit('join', join, function (err, ack) {
        if (err) {
          if (socket.connected) setTimeout(sendJoin, 2000);
          return;
        }
        if (ack && !ack.ok && ack.error && ack.error.code === 'rate_limited') {
          // Too many phones joined from this address at once: try again shortly.
          if (socket.connected) setTimeout(sendJoin, 5000);
          return;
        }
        if (!ack || !ack.ok) {
          onStatus('join_error', (ack && ack.error) || { code: 'server_error', message: FA.t('Something went wrong. Please try again.') });
          FA.status((ack && ack.error && ack.error.message) || FA.t('Something went wrong. Please try again.'), 'error');
          return;
        }
        joined = true;
        clearTimeout(offlineTimer);
        if (shownOffline) {
          shownOffline = false;
          FA.status(FA.t('Connection restored'), 'ok', 4000);
        }
        applyState(ack.state);
        onStatus('online');
        flush();
      });
    }

    function applyState(state) {
      if (!state) return;
      FA.referItems(state);
      FA.noteServerTime(state.server_time);
      onState(state);
    }

    // A `phase` event carrying the new state: phones wait for their own part (`phase.mine`,
    // sent right after it) and sync only when it does not come.
    var pendingPhase = null;
    function onPhase(payload) {
      if (!payload || !payload.state || !joined) {
        sync();
        return;
      }
      if (!payload.mine) {
        pendingPhase = null;
        applyState(payload.state);
        return;
      }
      var entry = { version: payload.version, state: payload.state, queue: [] };
      entry.timer = setTimeout(function () {
        if (pendingPhase === entry) {
          pendingPhase = null;
          sync().then(function () { replay(entry); });
        }
      }, MINE_TIMEOUT);
      if (pendingPhase) clearTimeout(pendingPhase.timer);
      pendingPhase = entry;
    }
    function onMine(payload) {
      var entry = pendingPhase;
      if (!entry || !payload || payload.version !== entry.version) return;
      pendingPhase = null;
      clearTimeout(entry.timer);
      applyState(FA.applyPatch(entry.state, payload.patch || {}));
      replay(entry);
    }
    // Deltas that arrived between `phase` and `phase.mine` apply to the new state.
    function replay(entry) {
      entry.queue.forEach(function (e) { onEvent(e[0], e[1]); });
      entry.queue = [];
    }
    function deliver(name, payload) {
      if (pendingPhase) pendingPhase.queue.push([name, payload]);
      else onEvent(name, payload);
    }

    function sync() {
      if (!socket.connected || !joined) return Promise.resolve(null);
      return emitNow('sync', {}).then(function (ack) {
        if (ack && ack.ok) applyState(ack.state);
        return ack;
      }, function () { return null; });
    }

    function emitNow(event, payload) {
      return new Promise(function (resolve, reject) {
        if (!socket.connected) {
          reject(errorAck('offline', FA.t('No connection. Check your network and try again.')));
          return;
        }
        socket.timeout(ACK_TIMEOUT).emit(event, payload, function (err, ack) {
          if (err) reject(errorAck('timeout', FA.t('No answer from the server. Please try again.')));
          else resolve(ack || errorAck('server_error', FA.t('Something went wrong. Please try again.')));
        });
      });
    }

    // Sends queued writes one at a time, in order; a timed-out write is re-sent with the same client_id.
    function flush() {
      if (inflight || !joined || !socket.connected) return;
      var box = readBox();
      if (!box.length) return;
      var item = box[0];
      var token = {};
      inflight = token;
      socket.timeout(ACK_TIMEOUT).emit(item.event, item.payload, function (err, ack) {
        var current = inflight === token;
        if (err) {
          if (!current) return;
          inflight = null;
          item.tries = (item.tries || 0) + 1;
          clearTimeout(retryTimer);
          retryTimer = setTimeout(flush, Math.min(1000 * Math.pow(2, item.tries), 8000));
          return;
        }
        if (current) inflight = null;
        if (ack && !ack.ok && ack.error && ack.error.code === 'rate_limited') {
          // The server asked this phone to slow down: keep the write and send it again later.
          item.tries = (item.tries || 0) + 1;
          clearTimeout(retryTimer);
          retryTimer = setTimeout(flush, Math.min(2000 * item.tries, 10000));
          return;
        }
        removeFromBox(item.id);
        settle(item, ack || errorAck('server_error', FA.t('Something went wrong. Please try again.')));
        flush();
      });
    }

    function settle(item, ack) {
      var w = waiters[item.id];
      delete waiters[item.id];
      if (w) w.resolve(ack);
      else onReplayed(item.event, item.payload, ack);
    }

    function emit(event, payload, options) {
      payload = payload || {};
      var spec = queuedEvent(event);
      var queue = options && options.queue !== undefined ? options.queue : !!spec;
      if (!queue) return emitNow(event, payload);
      if (spec && spec.clientId && !payload.client_id) payload = Object.assign({ client_id: FA.uuid() }, payload);
      var item = { id: payload.client_id || FA.uuid(), event: event, payload: payload, at: Date.now() };
      var box = readBox();
      box.push(item);
      writeBox(box);
      var p = new Promise(function (resolve) { waiters[item.id] = { resolve: resolve }; });
      flush();
      return p;
    }

    socket.on('connect', function () {
      onStatus('connecting');
      sendJoin();
    });
    socket.on('disconnect', function (reason) {
      setOffline();
      // After a server-side disconnect the client does not retry by itself.
      if (reason === 'io server disconnect' && !ended) setTimeout(function () { socket.connect(); }, 1000);
    });
    socket.on('connect_error', function () {
      if (!shownOffline) setOffline();
    });
    socket.onAny(function (name, payload) {
      if (name === 'session.deleted') {
        endDeleted(payload);
        return;
      }
      if (name === 'phase') {
        onPhase(payload);
        return;
      }
      if (name === 'phase.mine') {
        onMine(payload);
        return;
      }
      if (name === 'ideas.batch') {
        // Idea deltas to phones, gathered per short interval, in order.
        ((payload && payload.events) || []).forEach(function (e) { deliver(e[0], e[1]); });
        return;
      }
      if ((FA.resyncEvents || []).indexOf(name) >= 0) {
        sync(); // a kind's resyncEvents (phases/index.js): re-read the snapshot
        return;
      }
      if (name === 'timer' && payload) FA.noteServerTime(payload.server_time);
      deliver(name, payload);
    });

    // The session no longer exists: stop, drop queued writes and say so in place of the page.
    function endDeleted(payload) {
      var error = (payload && payload.error) || { code: 'session_deleted', message: '' };
      ended = true;
      joined = false;
      clearTimeout(offlineTimer);
      clearTimeout(retryTimer);
      writeBox([]);
      socket.disconnect();
      onStatus('join_error', error);
      FA.status('');
      var main = document.getElementById('main');
      if (!main) {
        FA.status(error.message, 'error');
        return;
      }
      FA.clear(main);
      main.appendChild(FA.el('div', { class: 'card session-ended', role: 'alert' }, FA.el('p', { class: 'big' }, error.message)));
    }

    function wake() {
      if (ended) return;
      if (socket.connected) sync();
      else socket.connect(); // phones throttle timers while locked: retry now instead of waiting
    }
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') wake();
    });
    window.addEventListener('online', wake);

    onStatus('connecting');
    // If the very first connection takes long, say so instead of showing a frozen page.
    offlineTimer = setTimeout(function () {
      if (!joined) {
        shownOffline = true;
        FA.status(FA.t('Connection lost, trying again…'), 'warning');
      }
    }, 4000);

    return {
      socket: socket,
      emit: emit,
      sync: sync,
      outbox: function () { return readBox().map(function (e) { return { id: e.id, event: e.event, payload: e.payload }; }); },
      isOnline: function () { return socket.connected && joined; }
    };
  };

  /* ---------- live state ---------- */
  // A phone's snapshot names ideas by id where it holds them (docs/protocol.md, "Each text
  // once"): put the texts back into ballot items and result rows, so views read titles.
  FA.referItems = function (state) {
    if (!state || typeof state !== 'object') return state;
    var text = {};
    var wallPhase = state.ideas_phase_id;
    (state.ideas || []).forEach(function (i) {
      if (wallPhase !== undefined && i.phase_id === undefined) i.phase_id = wallPhase;
      if (i.theme_id === undefined) i.theme_id = null;
      text[i.id] = i.text;
    });
    Object.keys(state).forEach(function (k) {
      var block = state[k];
      if (k === 'ideas' || !block || typeof block !== 'object' || !Array.isArray(block.items)) return;
      block.items.forEach(function (it) {
        if (!it || typeof it.key !== 'string') return;
        if (it.title === undefined && it.key.indexOf('idea:') === 0) {
          var n = Number(it.key.slice(5));
          it.title = Object.prototype.hasOwnProperty.call(text, n) ? text[n] : '';
          if (!it.ideas) it.ideas = [];
        }
        if (Array.isArray(it.idea_ids) && !it.ideas) {
          it.ideas = it.idea_ids.map(function (id) { return text[id]; }).filter(function (x) { return x !== undefined; });
        }
      });
      FA.titleRows(block.results, block.items);
    });
    return state;
  };

  // Result rows that came without titles get them from the items of the same block.
  FA.titleRows = function (rows, items) {
    if (!Array.isArray(rows)) return rows;
    var titles = {};
    (items || []).forEach(function (it) { if (it && it.key) titles[it.key] = it.title; });
    rows.forEach(function (r) {
      if (r && r.title === undefined && Object.prototype.hasOwnProperty.call(titles, r.key)) r.title = titles[r.key];
    });
    return rows;
  };

  // Applies a phone's own part of a phase change (`phase.mine`) to the shared state.
  FA.applyPatch = function (state, patch) {
    var out = Object.assign({}, state);
    var set = patch.set || {};
    Object.keys(set).forEach(function (k) { out[k] = set[k]; });
    var merge = patch.merge || {};
    Object.keys(merge).forEach(function (k) { out[k] = Object.assign({}, out[k] || {}, merge[k]); });
    var mark = patch.mark || {};
    Object.keys(mark).forEach(function (k) {
      var fields = mark[k];
      out[k] = (out[k] || []).map(function (item) {
        var copy = Object.assign({}, item);
        Object.keys(fields).forEach(function (f) { copy[f] = fields[f].indexOf(item.id) >= 0; });
        return copy;
      });
    });
    return out;
  };

  // Returns true when the idea was new to this state, so a page can announce arrivals.
  FA.upsertIdea = function (state, idea) {
    var list = state.ideas || (state.ideas = []);
    for (var i = 0; i < list.length; i++) {
      if (list[i].id === idea.id) {
        list[i] = Object.assign({}, list[i], idea);
        return false;
      }
    }
    list.push(idea);
    return true;
  };

  FA.removeIdea = function (state, id) {
    state.ideas = (state.ideas || []).filter(function (i) { return i.id !== id; });
  };

  /*
   * Applies a server delta event to a page's state snapshot, the same way on every page.
   * Returns false when the state did not change (an unknown event, or results of another
   * phase), 'new' when an idea arrived that the state did not hold yet, else true.
   */
  FA.applyDelta = function (state, name, payload) {
    switch (name) {
      case 'timer':
        state.timer = Object.assign({}, payload);
        delete state.timer.server_time; // differs on every event; pages compare timers as JSON
        return true;
      case 'presence':
        state.participants = payload;
        return true;
      case 'idea.added':
      case 'idea.updated':
        return FA.upsertIdea(state, payload) ? 'new' : true;
      case 'idea.removed':
        FA.removeIdea(state, payload.id);
        return true;
      case 'themes': {
        state.themes = payload.themes || [];
        var themeOf = {};
        (payload.ideas || []).forEach(function (x) { themeOf[x.id] = x.theme_id; });
        (state.ideas || []).forEach(function (i) {
          if (Object.prototype.hasOwnProperty.call(themeOf, i.id)) i.theme_id = themeOf[i.id];
        });
        return true;
      }
      case 'actions':
        state.actions = payload.actions || [];
        return true;
      default:
        // A kind's own deltas (phases/<kind>.js `applyDelta`).
        return (FA.kindDeltas || []).reduce(function (done, f) {
          return done || f(state, name, payload);
        }, false);
    }
  };

  // Names the view a live page shows: when the name changes, the page builds its view anew.
  FA.viewKey = function (state, withInput) {
    var s = state.session;
    var p = state.phase;
    if (s.status === 'collecting') return 'collecting:' + ((s.collecting && s.collecting.state) || '');
    if (s.status !== 'live' || !p) return s.status;
    return [p.index, p.id, p.kind].concat(withInput ? [p.input_open ? 1 : 0] : []).join(':');
  };

  // Ideas under their themes in theme order, then the ungrouped ones, if any, under looseTitle.
  FA.themeSections = function (state, looseTitle) {
    var themes = (state.themes || []).slice().sort(function (a, b) { return a.position - b.position; });
    var ideas = (state.ideas || []).slice().sort(function (a, b) { return a.id - b.id; });
    var ids = themes.map(function (th) { return th.id; });
    var sections = themes.map(function (th) {
      return { key: 't' + th.id, title: th.title, ideas: ideas.filter(function (i) { return i.theme_id === th.id; }) };
    });
    var loose = ideas.filter(function (i) { return ids.indexOf(i.theme_id) < 0; });
    if (loose.length) sections.push({ key: 'loose', title: looseTitle, ideas: loose });
    return sections;
  };

  /* ---------- timer ---------- */
  function fmt(sec) {
    sec = Math.max(0, sec);
    var h = Math.floor(sec / 3600);
    var m = Math.floor((sec % 3600) / 60);
    var s = sec % 60;
    var mm = (h && m < 10 ? '0' : '') + m;
    return (h ? h + ':' : '') + (mm.length < 2 ? '0' + mm : mm) + ':' + (s < 10 ? '0' : '') + s;
  }

  function remainingOf(timer) {
    if (!timer) return 0;
    if (timer.state === 'running' && timer.ends_at) {
      return (Date.parse(timer.ends_at) - (Date.now() + FA.serverSkew)) / 1000;
    }
    return timer.remaining !== null && timer.remaining !== undefined ? timer.remaining : timer.duration || 0;
  }

  /*
   * Counts down, then on past zero as overtime ("+01:20") while the timer runs. Crossing
   * zero turns the timer to its "over" look with one gentle pulse (none with
   * prefers-reduced-motion) and one spoken "Time's up".
   * The clock skew is noted by FA.connect when a snapshot or timer event arrives;
   * a server time passed here may be old (a re-render long after), so it is not used.
   */
  FA.timer = function (el, timer) {
    var st = el._faTimer;
    if (!st) {
      st = el._faTimer = {
        digits: FA.el('span', { class: 'timer-digits', 'aria-hidden': 'true' }),
        sr: FA.el('span', { class: 'visually-hidden' }),
        label: FA.el('span', { class: 'timer-label' }),
        live: FA.el('span', { class: 'visually-hidden', 'aria-live': 'polite' }),
        last: null,
        interval: null
      };
      FA.clear(el);
      el.classList.add('timer');
      el.appendChild(st.digits);
      el.appendChild(st.sr);
      el.appendChild(st.label);
      el.appendChild(st.live);
    }
    clearTimeout(st.interval);
    clearInterval(st.interval);
    st.interval = null;
    if (!timer) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    st.timer = timer;
    st.last = null; // new timer data: announce again only on a fresh crossing

    function tick() {
      var t = st.timer;
      var rem = remainingOf(t);
      var running = t.state === 'running';
      var over = running && rem <= 0;
      // Whole seconds change together on both sides of zero: 00:01, 00:00/+00:00, +00:01.
      var text = over ? '+' + fmt(Math.floor(-rem)) : fmt(Math.ceil(rem));
      st.digits.textContent = text;
      st.sr.textContent = over ? FA.t('Over time: {time}', { time: text.slice(1) }) : FA.t('Time left: {time}', { time: text });
      var label = '';
      if (over) label = FA.t("Time's up");
      else if (t.state === 'paused') label = FA.t('Paused');
      else if (t.state === 'stopped') label = FA.t('Not started');
      st.label.textContent = label;
      el.classList.toggle('is-running', running && rem > 0);
      el.classList.toggle('is-paused', t.state === 'paused');
      el.classList.toggle('is-stopped', t.state === 'stopped');
      el.classList.toggle('is-ending', running && rem > 0 && rem <= 60);
      el.classList.toggle('is-over', over);
      if (!over) el.classList.remove('is-pulse');
      if (running && st.last !== null) {
        if (st.last > 60 && rem <= 60 && rem > 0) st.live.textContent = FA.t('One minute left');
        else if (st.last > 0 && rem <= 0) {
          st.live.textContent = FA.t("Time's up");
          el.classList.add('is-pulse'); // once, on the crossing seen live
        }
      }
      st.last = rem;
      if (!running) {
        clearTimeout(st.interval);
        clearInterval(st.interval);
        st.interval = null;
      }
    }
    tick();
    if (timer.state === 'running') {
      // Align ticks with whole seconds of the countdown so the digits change evenly.
      var rem = remainingOf(timer);
      var frac = (((rem % 1) + 1) % 1) * 1000;
      st.interval = setTimeout(function () {
        tick();
        if (st.timer === timer && timer.state === 'running') st.interval = setInterval(tick, 1000);
      }, frac + 20);
    }
  };

  // Redraws prompt and timer only on change: a redraw restarts timer announcements and loses the reader's place.
  FA.showPromptAndTimer = function (promptEl, timerEl, state, live) {
    var prompt = live ? state.phase.prompt_html || '' : '';
    if (prompt !== promptEl._faPrompt) {
      FA.html(promptEl, prompt);
      promptEl._faPrompt = prompt;
    }
    promptEl.hidden = !prompt;
    var timerJson = live ? JSON.stringify(state.timer) : 'null';
    if (timerJson !== timerEl._faTimerJson) {
      FA.timer(timerEl, live ? state.timer : null, state.server_time);
      timerEl._faTimerJson = timerJson;
    }
  };

  /* ---------- chart ---------- */
  // Horizontal bars built from plain elements; the number is always written out, never colour only.
  FA.chart = function (container, results, options) {
    options = options || {};
    FA.clear(container);
    container.classList.add('chart');
    container.classList.toggle('chart-compact', !!options.compact);
    var max = 0;
    (results || []).forEach(function (r) { max = Math.max(max, r.count || 0); });
    var list = FA.el('ol', { class: 'chart-list', role: 'list' });
    (results || []).forEach(function (r) {
      var pct = max ? Math.round(((r.count || 0) / max) * 100) : 0;
      var bar = FA.el('span', { class: 'chart-bar' });
      bar.style.width = pct + '%';
      list.appendChild(FA.el('li', { class: 'chart-row' + (r.highlight ? ' is-highlight' : '') },
        FA.el('span', { class: 'chart-label' }, r.label),
        FA.el('span', { class: 'chart-track', 'aria-hidden': 'true' }, bar),
        FA.el('span', { class: 'chart-count' },
          String(r.count || 0),
          options.unit ? FA.el('span', { class: 'visually-hidden' }, ' ' + options.unit) : null)
      ));
    });
    container.appendChild(list);
    return container;
  };
})();
