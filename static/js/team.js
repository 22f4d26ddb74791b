/* The team board (templates/teams/): the facilitator's page and the member page behind the
 * team link. Plain ES2019, user text only as text nodes. Reads the board over HTTP, keeps it
 * live through the team's socket room (`team.join`, `team.item`, `team.changed`,
 * `team.link_ended`; docs/protocol.md) and updates an item from the version it shows. */
(function () {
  'use strict';

  var root = document.getElementById('team-root');
  if (!root || !window.FA) return;
  var FA = window.FA;
  var mode = root.getAttribute('data-mode');
  var boardUrl = root.getAttribute('data-board-url');
  var itemUrl = root.getAttribute('data-item-url').replace(/\/0$/, '/');
  var list = document.getElementById('board-items');
  var progressEl = document.getElementById('board-progress');
  var endedEl = document.getElementById('board-ended');
  var filters = document.getElementById('board-filters');
  var sessionSelect = document.getElementById('filter-session');

  var STATUS = {
    open: 'Not started',
    in_progress: 'In progress',
    done: 'Done',
    dropped: 'Dropped',
    carried_forward: 'Carried forward'
  };
  var KIND = { action: 'Action', experiment: 'Experiment', ground_rule: 'Ground rule' };
  // The fields each kind shows besides `what` (models.Action, docs/api.md).
  var FIELDS = {
    action: [['who', 'Who'], ['due', 'By when', true], ['first_step', 'First step'], ['follow_up', 'Follow-up', true]],
    experiment: [['why', 'Why'], ['how_know', 'How we will know'], ['due', 'Until when', true], ['learned', 'What we learned']],
    ground_rule: [['how_check', 'How we check it']]
  };

  var items = [];
  var ended = false;
  var socket = null;

  function request(method, url, body) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var headers = { Accept: 'application/json' };
    if (meta) headers['X-CSRFToken'] = meta.getAttribute('content');
    var init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
    if (body) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.text().then(function (txt) {
        var data = null;
        try { data = txt ? JSON.parse(txt) : null; } catch (e) { data = null; }
        return { status: res.status, ok: res.ok, data: data || {} };
      });
    }, function () {
      return { status: 0, ok: false, data: { error: { code: 'network', message: FA.t('No connection. Check your network and try again.') } } };
    });
  }

  function end() {
    if (ended) return;
    ended = true;
    endedEl.textContent = FA.t('This link no longer works. Ask your team for the new one.');
    endedEl.hidden = false;
    Array.prototype.forEach.call(root.querySelectorAll('button, select, input, textarea'), function (el) {
      el.disabled = true;
    });
    // The calendar feed and the posters ended with the link: do not offer them.
    var files = document.querySelector('.team-files');
    if (files) files.hidden = true;
    if (socket) socket.disconnect();
  }

  /* ---------- rendering ---------- */

  function counted(item) {
    return item.status !== 'dropped' && item.status !== 'carried_forward';
  }

  function renderProgress() {
    var total = items.filter(counted);
    var done = total.filter(function (i) { return i.status === 'done'; });
    progressEl.textContent = FA.t('{done} / {total} done', { done: done.length, total: total.length });
  }

  function shown() {
    var status = filters.elements.status.value;
    var kind = filters.elements.kind.value;
    var session = filters.elements.session.value;
    return items.filter(function (i) {
      return (!status || i.status === status) && (!kind || i.item_kind === kind) &&
        (!session || String(i.session.id) === session);
    });
  }

  function view(item) {
    var kind = item.item_kind || 'action';
    var badges = FA.el('p', { class: 'item-badges' },
      FA.el('span', { class: 'badge kind-badge' }, FA.t(KIND[kind] || kind)),
      ' ',
      FA.el('span', { class: 'badge status-badge status-' + item.status }, FA.t(STATUS[item.status] || item.status)),
      item.overdue ? [' ', FA.el('span', { class: 'badge overdue-badge' }, FA.t('Overdue'))] : null);
    var dl = FA.el('dl', { class: 'item-fields' });
    (FIELDS[kind] || []).forEach(function (f) {
      var value = item[f[0]];
      if (!value) return;
      dl.appendChild(FA.el('div', null, FA.el('dt', null, FA.t(f[1])), FA.el('dd', null, f[2] ? FA.formatDate(value) : value)));
    });
    if (item.source && item.source.title) {
      dl.appendChild(FA.el('div', null, FA.el('dt', null, FA.t('From')), FA.el('dd', null, item.source.title)));
    }
    dl.appendChild(FA.el('div', null, FA.el('dt', null, FA.t('Session')),
      FA.el('dd', null, item.session.title + ' · ' + FA.formatDate(item.session.date))));
    var history = null;
    if (item.history && item.history.length) {
      history = FA.el('details', { class: 'item-history' },
        FA.el('summary', null, FA.t('History')),
        FA.el('ul', null, item.history.map(function (h) {
          var parts = [FA.formatDate(h.at), ' · ', h.who || FA.t('team member')];
          if (h.to) parts.push(': ' + FA.t(STATUS[h.from] || h.from || '') + ' → ' + FA.t(STATUS[h.to] || h.to));
          if (h.note) parts.push(' — ', FA.el('q', null, h.note));
          return FA.el('li', null, parts);
        })));
    }
    return FA.el('div', { class: 'item-view' }, badges, FA.el('h3', { class: 'item-what' }, item.what), dl, chain(item), history);
  }

  // An item carried forward by review phases: its earlier versions and the later one.
  function chain(item) {
    var links = item.chain || [];
    if (!links.length && !item.carried_to) return null;
    function line(link) {
      return [link.what, ' · ', link.session.title + ' · ' + FA.formatDate(link.session.date),
        ' · ', FA.t(STATUS[link.status] || link.status)];
    }
    return FA.el('details', { class: 'item-chain' },
      FA.el('summary', null, FA.t('Earlier and later versions')),
      links.length ? FA.el('p', null, FA.t('Carried forward from:')) : null,
      links.length ? FA.el('ol', null, links.map(function (l) { return FA.el('li', null, line(l)); })) : null,
      item.carried_to ? FA.el('p', null, FA.t('Carried forward to:'), ' ', line(item.carried_to)) : null);
  }

  function form(item) {
    var id = 'item-' + item.id;
    var select = FA.el('select', { id: id + '-status', name: 'status' },
      Object.keys(STATUS).map(function (key) {
        return FA.el('option', { value: key }, FA.t(STATUS[key]));
      }));
    var note = FA.el('input', { id: id + '-note', name: 'note', maxlength: '500', autocomplete: 'off' });
    var message = FA.el('p', { class: 'item-message', role: 'status' });
    var button = FA.el('button', { type: 'submit', class: 'btn btn-primary' }, FA.t('Save'));
    var el = FA.el('form', { class: 'item-form', 'aria-label': FA.t('Update of {what}', { what: item.what }) },
      FA.el('p', null, FA.el('label', { for: id + '-status' }, FA.t('Status')), select),
      FA.el('p', null, FA.el('label', { for: id + '-note' }, FA.t('Short note (optional)')), note),
      FA.el('p', null, button), message);
    el.addEventListener('submit', function (e) {
      e.preventDefault();
      if (ended) return;
      var current = byId(item.id);
      var body = { version: current.version, status: select.value };
      if (note.value.trim()) body.note = note.value.trim();
      button.disabled = true;
      message.textContent = '';
      var method = mode === 'member' ? 'POST' : 'PATCH';
      request(method, itemUrl + item.id, body).then(function (res) {
        button.disabled = ended;
        if (res.ok) {
          note.value = '';
          el._dirty = false;
          put(res.data.item);
          message.textContent = FA.t('Saved');
          return;
        }
        var error = res.data.error || {};
        if (error.code === 'link_revoked') { end(); return; }
        if (res.status === 409 && res.data.item) {
          el._dirty = false;
          put(res.data.item);
        }
        message.textContent = error.message || FA.t('Something went wrong. Please try again.');
      });
    });
    select.addEventListener('change', function () { el._dirty = true; });
    return el;
  }

  function create(item) {
    var li = FA.el('li', { class: 'card board-item', id: 'board-item-' + item.id });
    li.appendChild(FA.el('div', { class: 'item-view' }));
    li.appendChild(form(item));
    return li;
  }

  function update(li, item) {
    li.className = 'card board-item status-' + item.status + (item.overdue ? ' is-overdue' : '');
    li.setAttribute('data-version', String(item.version));
    li.setAttribute('data-status', item.status);
    li.replaceChild(view(item), li.firstChild);
    var f = li.querySelector('form.item-form');
    if (!f._dirty) f.elements.status.value = item.status;
    // A carried item lives on in its copy in a later session: that copy is the one to update.
    f.hidden = item.status === 'carried_forward';
    if (ended) Array.prototype.forEach.call(f.elements, function (c) { c.disabled = true; });
  }

  function render() {
    var visible = shown();
    FA.reconcile(list, visible, function (i) { return i.id; }, create, update);
    var empty = document.getElementById('board-empty');
    if (!visible.length) {
      if (!empty) {
        empty = FA.el('p', { id: 'board-empty', class: 'empty' });
        list.parentNode.insertBefore(empty, list);
      }
      empty.textContent = FA.t(items.length ? 'No items match the filters.' : 'No agreed items yet.');
    } else if (empty) {
      empty.parentNode.removeChild(empty);
    }
    renderProgress();
  }

  function byId(id) {
    for (var i = 0; i < items.length; i++) if (items[i].id === id) return items[i];
    return null;
  }

  function put(item) {
    var current = byId(item.id);
    if (current && current.version > item.version) return; // an older copy arriving late
    if (current) items[items.indexOf(current)] = item;
    else items.push(item);
    render();
  }

  function fillSessions(sessions) {
    var chosen = sessionSelect.value;
    while (sessionSelect.options.length > 1) sessionSelect.remove(1);
    sessions.forEach(function (s) {
      sessionSelect.appendChild(FA.el('option', { value: String(s.id) }, s.title + ' · ' + FA.formatDate(s.date)));
    });
    sessionSelect.value = chosen;
  }

  function load() {
    return request('GET', boardUrl).then(function (res) {
      if (!res.ok) {
        if ((res.data.error || {}).code === 'link_revoked') end();
        return;
      }
      items = res.data.items || [];
      fillSessions(res.data.sessions || []);
      render();
    });
  }

  filters.addEventListener('change', render);
  filters.addEventListener('submit', function (e) { e.preventDefault(); });

  /* ---------- live ---------- */

  function connect() {
    if (!window.io) return;
    socket = window.io({ transports: ['websocket', 'polling'], tryAllTransports: true });
    var join = mode === 'member'
      ? { link: decodeURIComponent(location.pathname.split('/')[2] || '') }
      : { team_id: Number(root.getAttribute('data-team-id')) };
    socket.on('connect', function () {
      socket.emit('team.join', join, function (ack) {
        if (ack && ack.ok) { root.setAttribute('data-live', 'true'); load(); return; }
        if (ack && ack.error && ack.error.code === 'link_revoked') end();
      });
    });
    socket.on('disconnect', function () { root.removeAttribute('data-live'); });
    socket.on('team.item', function (data) { if (data && data.item) put(data.item); });
    socket.on('team.changed', function () { load(); });
    socket.on('team.link_ended', function () { if (mode === 'member') end(); });
  }

  // Forms that ask first (deleting the team).
  Array.prototype.forEach.call(document.querySelectorAll('form[data-confirm]'), function (f) {
    f.addEventListener('submit', function (e) {
      if (!window.confirm(f.getAttribute('data-confirm'))) e.preventDefault();
    });
  });

  load();
  connect();
})();
