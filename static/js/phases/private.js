/* Private reflection: the answers stay on the phone (localStorage per session and phase,
   until the person clears them) and can be printed or saved as a personal card; the
   server only counts who is done. Where the template allows, a phone may share its
   answers anonymously: they show as an aggregate from min_responses people. */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Private reflection';
export var takesInput = true;
// "Done" is counted once and sharing replaces: both may be queued and replayed.
export var queued = ['private.done', 'private.share'];
export var clientId = ['private.done', 'private.share'];

export function applyDelta(state, name, payload) {
  var p = state.private;
  if (name !== 'private.results' || !p || !payload || p.phase_id !== payload.phase_id) return false;
  ['done', 'participants', 'shared', 'results'].forEach(function (k) {
    if (k in payload) p[k] = payload[k];
  });
  return true;
}

function doneText(p) {
  return t('{n} / {participants} done', { n: p.done || 0, participants: p.participants || 0 });
}

// The print stylesheet of the personal card, loaded once by the phone page.
function printStyles() {
  if (document.getElementById('private-card-css')) return;
  var src = document.querySelector('script[src*="/static/js/"]');
  var base = src ? src.getAttribute('src').replace(/js\/.*$/, '') : '/static/';
  document.head.appendChild(el('link', {
    id: 'private-card-css', rel: 'stylesheet', href: base + 'css/private-card.css'
  }));
}

function store() {
  try { return window.localStorage || null; } catch (e) { return null; }
}

// The shared answers, question by question (as far as the threshold allows).
function aggregate(p, lang, big) {
  if (!p.results) return null;
  var parts = (p.items || []).map(function (item) {
    var r = p.results[item.id] || {};
    var body;
    if (item.type === 'scale' && r.distribution) {
      var sc = item.scale || { min: 1, max: 5 };
      var rows = [];
      for (var v = sc.min; v <= sc.max; v++) {
        var text = String(v) + (sc.labels ? ' ' + sc.labels[v - sc.min] : '');
        rows.push({ label: text, count: r.distribution[String(v)] || 0 });
      }
      body = [FA.chart(el('div'), rows, { unit: t('answers'), compact: !big }),
        el('p', null, t('Average {mean}', { mean: FA.formatNumber(r.mean) }))];
    } else if (item.type !== 'scale' && r.answers) {
      body = el('ul', { class: 'private-answers', lang: lang }, r.answers.map(function (a) { return el('li', null, a); }));
    } else {
      body = el('p', { class: 'muted' }, t('Shared answers are shown from {min} people ({n} so far).',
        { min: p.min_responses || 5, n: r.responses || 0 }));
    }
    return el('div', { class: 'private-aggregate' }, el(big ? 'h2' : 'h4', null, item.text), body);
  });
  return el('div', { class: 'private-shared' }, parts);
}

export function phone(ctx) {
  var p = ctx.state().private;
  if (!p) {
    ctx.body.appendChild(el('p', { class: 'muted' }, t('Nothing to answer yet.')));
    return {};
  }
  printStyles();
  var key = 'fa.private.' + ctx.state().session.id + '.' + p.phase_id;
  function load() {
    var s = store();
    try { return (s && JSON.parse(s.getItem(key) || '{}')) || {}; } catch (e) { return {}; }
  }
  function save(answers) {
    var s = store();
    if (!s) return;
    try { s.setItem(key, JSON.stringify(answers)); } catch (e) { /* full or off: the page still works */ }
  }
  var answers = load();
  var open = ctx.phase().input_open;
  var error = el('p', { class: 'error', role: 'alert' });
  var status = el('p', { class: 'muted', 'aria-live': 'polite' });
  var lang = ctx.contentLang();

  ctx.body.appendChild(el('p', { class: 'card private-note' },
    p.share === 'optional'
      ? t('Your answers stay on this phone. You may share them anonymously if you wish.')
      : t('Your answers stay on this phone. Only the number of people who are done is shared.')));

  var form = el('div', { class: 'private-form' });
  (p.items || []).forEach(function (item, n) {
    var id = 'private-' + item.id;
    if (item.type === 'scale') {
      var sc = item.scale || { min: 1, max: 5 };
      var values = [];
      for (var v = sc.min; v <= sc.max; v++) values.push(v);
      form.appendChild(el('fieldset', { class: 'card statement' },
        ctx.inLang(el('legend', null, item.text), lang),
        el('div', { class: 'scale' + (sc.labels ? ' scale-labelled scale-stack' : '') }, values.map(function (val) {
          var text = sc.labels ? sc.labels[val - sc.min] : '';
          return el('label', { class: 'pill' },
            el('input', {
              type: 'radio', name: id, value: String(val), checked: answers[item.id] === val,
              onchange: function () { answers[item.id] = val; save(answers); }
            }),
            ctx.inLang(el('span', null, text ? val + ' ' + text : String(val)), text ? lang : ''));
        }))));
    } else {
      var area = el('textarea', {
        id: id, rows: 4, maxlength: p.answer_max_chars || 1000,
        oninput: function () { answers[item.id] = area.value; save(answers); }
      });
      area.value = answers[item.id] || '';
      form.appendChild(el('div', { class: 'card field' },
        ctx.inLang(el('label', { for: id }, item.text), lang), area));
    }
  });
  ctx.body.appendChild(form);

  var doneBtn = el('button', { type: 'button', class: 'btn primary', disabled: !open, onclick: markDone }, t('I am done'));
  var shareBtn = p.share === 'optional'
    ? el('button', { type: 'button', class: 'btn', disabled: !open, onclick: function () { share(true); } }, t('Share anonymously'))
    : null;
  var unshareBtn = p.share === 'optional'
    ? el('button', { type: 'button', class: 'btn', disabled: !open, onclick: function () { share(false); } }, t('Take my shared answers back'))
    : null;
  var printBtn = el('button', { type: 'button', class: 'btn', onclick: printCard }, t('Print or save as a card'));
  var clearBtn = el('button', { type: 'button', class: 'btn link', onclick: clearAnswers }, t('Clear my answers from this phone'));
  ctx.body.appendChild(el('div', { class: 'private-actions' }, doneBtn, shareBtn, unshareBtn, printBtn, clearBtn));
  ctx.body.appendChild(error);
  ctx.body.appendChild(status);
  var shared = el('div');
  ctx.body.appendChild(shared);

  // The personal card: only printed (the print stylesheet hides the rest of the page).
  var card = document.getElementById('private-card');
  if (!card) {
    card = el('section', { id: 'private-card', class: 'private-card', 'aria-hidden': 'true' });
    document.body.appendChild(card);
  }

  function fillCard() {
    var now = ctx.state().private || p;
    FA.clear(card);
    card.appendChild(el('h1', null, now.card_title || ''));
    card.appendChild(el('p', { class: 'private-card-meta' }, (ctx.state().session.title || '') + ' · ' + new Date().toLocaleDateString(FA.regionalLocale ? FA.regionalLocale() : undefined)));
    (now.items || []).forEach(function (item) {
      var value = answers[item.id];
      var text = '';
      if (item.type === 'scale' && typeof value === 'number') {
        var sc = item.scale || { min: 1 };
        text = String(value) + (sc.labels ? ' – ' + sc.labels[value - sc.min] : '');
      } else if (typeof value === 'string') text = value;
      card.appendChild(el('h2', null, item.text));
      card.appendChild(el('p', { class: 'private-card-answer' }, text || '—'));
    });
  }

  function printCard() {
    fillCard();
    // Only while printing: the page prints as the card alone.
    document.body.classList.add('printing-card');
    window.addEventListener('afterprint', function done() {
      document.body.classList.remove('printing-card');
      window.removeEventListener('afterprint', done);
    });
    window.print();
  }

  function clearAnswers() {
    if (!window.confirm(t('Clear your answers from this phone? They cannot be brought back.'))) return;
    answers = {};
    var s = store();
    if (s) s.removeItem(key);
    form.querySelectorAll('textarea').forEach(function (a) { a.value = ''; });
    form.querySelectorAll('input').forEach(function (i) { i.checked = false; });
    ctx.announce(t('Your answers were cleared from this phone.'));
  }

  function markDone() {
    ctx.setError(error, '');
    ctx.conn.emit('private.done', {}).then(function (ack) { answered(ack, t('Marked as done.')); });
  }

  function share(on) {
    ctx.setError(error, '');
    var payload = null;
    if (on) {
      payload = {};
      Object.keys(answers).forEach(function (k) {
        var v = answers[k];
        if (typeof v === 'number' || (typeof v === 'string' && v.trim())) payload[k] = v;
      });
      if (!Object.keys(payload).length) { ctx.setError(error, t('Please write something first.')); return; }
    }
    ctx.conn.emit('private.share', { answers: payload }).then(function (ack) {
      answered(ack, on ? t('Shared anonymously.') : t('Your shared answers were taken back.'));
    });
  }

  function answered(ack, message) {
    var now = ctx.state().private;
    if (!now || now.phase_id !== p.phase_id) return;
    if (ack.ok) {
      now.my_private = ack.my_private;
      ctx.announce(message);
    } else ctx.setError(error, ctx.errMsg(ack));
    if (ctx.isCurrent()) update();
  }

  function update() {
    var now = ctx.state().private;
    if (!now) return;
    var mine = now.my_private || { done: false, shared: false };
    status.textContent = (mine.shared ? t('You have shared your answers anonymously.') + ' '
      : mine.done ? t('You are done.') + ' ' : '') + doneText(now);
    doneBtn.hidden = mine.done;
    if (unshareBtn) unshareBtn.hidden = !mine.shared;
    if (shareBtn) shareBtn.textContent = mine.shared ? t('Share again') : t('Share anonymously');
    FA.clear(shared);
    var agg = aggregate(now, ctx.sessionLang(), false);
    if (agg) shared.appendChild(el('div', { class: 'card' }, el('h3', null, t('Shared anonymously')), agg));
  }

  return { update: update };
}

export function projector(ctx) {
  var bar = ctx.metaRow();
  var big = el('p', { class: 'p-private-done' });
  var host = el('div', { class: 'p-rows' });
  printStyles();
  ctx.fit.appendChild(big);
  ctx.fit.appendChild(host);
  return {
    update: function () {
      var p = ctx.state().private;
      if (!p) return;
      bar.meta.textContent = p.share === 'optional'
        ? t('Sharing is voluntary and anonymous')
        : t('The answers stay on the phones');
      big.textContent = doneText(p);
      FA.clear(host);
      var agg = aggregate(p, ctx.state().session.language, true);
      if (agg) host.appendChild(agg);
    }
  };
}

export function control(ctx) {
  var s = ctx.settings();
  var counts = el('p', { class: 'voters' });
  var host = el('div', { class: 'private-control' });
  printStyles();
  var sec = ctx.section(t('Private reflection'), 'sec-private', [
    el('p', { class: 'phase-hint' }, s.share === 'optional'
      ? t('Answers stay on the phones; a participant may share them anonymously. Shared answers are shown from {n} people.', { n: s.min_responses || 5 })
      : t('Answers stay on the phones; you see only how many are done.')),
    counts, host]);
  return {
    nodes: [sec],
    update: function () {
      var p = ctx.state().private;
      if (!ctx.changed('private', p)) return;
      if (!p) return;
      counts.textContent = doneText(p) + (p.shared !== null && p.shared !== undefined
        ? ' · ' + t('{n} shared', { n: p.shared }) : '');
      var agg = aggregate(p, ctx.sessionLang(), false);
      ctx.patch(host, agg || el('span'));
    }
  };
}
