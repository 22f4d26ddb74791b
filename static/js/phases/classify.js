/* Classifying: each phone places every item of the source into one of 2..6 categories;
   the room sees an items × categories matrix (from min_responses answers per item) with a
   marker where people agree; the facilitator may set a final category per item. */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Classifying';
export var takesInput = true;
// Set semantics (the latest category wins), so the phone's outbox may queue and replay it.
export var queued = ['classify.set'];
export var clientId = ['classify.set'];
// The items come from ideas and themes: re-read the snapshot when they change.
export var resyncOn = ['idea.added', 'idea.updated', 'idea.removed', 'themes'];

export function inputNote(phase) {
  return !!(phase.settings && phase.settings.show_results === 'after_close' && phase.input_open);
}

export function applyDelta(state, name, payload) {
  var c = state.classify;
  if (!c || !payload || c.phase_id !== payload.phase_id) return false;
  if (name === 'classify.results') {
    ['results', 'final', 'classifiers', 'participants', 'revealed'].forEach(function (k) {
      if (k in payload) c[k] = payload[k];
    });
    return true;
  }
  if (name === 'classify.final') {
    c.final = payload.final || {};
    return true;
  }
  return false;
}

function titleOf(c, id) {
  var found = (c.categories || []).filter(function (x) { return x.id === id; })[0];
  return found ? found.title : '';
}

function resultsByKey(c) {
  var out = {};
  (c.results || []).forEach(function (r) { out[r.key] = r; });
  return out;
}

function answeredText(c) {
  return t('{n} / {participants} have answered', { n: c.classifiers || 0, participants: c.participants || 0 });
}

// The matrix: a row per item, a column per category; counts from min_responses answers,
// a marker where people agree, and the final category when the facilitator set one.
function matrix(ctx, c, extraCell) {
  var results = resultsByKey(c);
  var final = c.final || {};
  var lang = ctx.sessionLang ? ctx.sessionLang() : null;
  var table = el('table', { class: 'classify-matrix' },
    el('caption', { class: 'visually-hidden' }, t('Items by category')),
    el('thead', null, el('tr', null,
      el('th', { scope: 'col' }, t('Item')),
      (c.categories || []).map(function (cat) { return el('th', { scope: 'col', lang: lang }, cat.title); }),
      extraCell ? el('th', { scope: 'col' }, t('Final category')) : null)));
  var body = el('tbody');
  (c.items || []).forEach(function (it) {
    var r = results[it.key];
    var cells = (c.categories || []).map(function (cat) {
      var parts = [];
      var cls = 'num';
      if (r && r.distribution) parts.push(el('span', null, String(r.distribution[cat.id] || 0)));
      if (r && r.agreed === cat.id) {
        cls += ' is-agreed';
        parts.push(el('span', { 'aria-hidden': 'true' }, ' ✓'));
        parts.push(el('span', { class: 'visually-hidden' }, ' ' + t('people agree')));
      }
      if (final[it.key] === cat.id) {
        cls += ' is-final';
        parts.push(el('span', { class: 'badge' }, t('final')));
      }
      return el('td', { class: cls }, parts);
    });
    var note = r && !r.distribution
      ? el('span', { class: 'muted classify-withheld' }, ' ' + t('{n} answers so far. Shown from {min} answers.', { n: r.responses || 0, min: c.min_responses || 5 }))
      : null;
    body.appendChild(el('tr', null,
      el('th', { scope: 'row', lang: lang }, it.title, note), cells,
      extraCell ? el('td', null, extraCell(it)) : null));
  });
  table.appendChild(body);
  return table;
}

export function phone(ctx) {
  var c = ctx.state().classify;
  if (!c) {
    ctx.body.appendChild(el('p', { class: 'muted' }, t('Nothing to classify yet.')));
    return {};
  }
  var open = ctx.phase().input_open;
  if (!open) ctx.body.appendChild(el('p', { class: 'card' }, t('Answering is closed.')));
  var progress = el('p', { class: 'muted', 'aria-live': 'polite' });
  var list = el('div', { class: 'classify-items' });
  ctx.body.appendChild(progress);
  ctx.body.appendChild(list);
  var parts = {};

  function build(c) {
    FA.clear(list);
    parts = {};
    (c.items || []).forEach(function (it, n) {
      var name = 'classify-' + it.key.replace(/\W/g, '-');
      var error = el('p', { class: 'error', role: 'alert' });
      var result = el('p', { class: 'muted classify-result' });
      var fs = el('fieldset', { class: 'card statement' },
        el('legend', null, el('span', { class: 'visually-hidden' }, t('Item {n}:', { n: n + 1 }) + ' '),
          ctx.inLang(el('span', null, it.title), ctx.sessionLang())),
        el('div', { class: 'scale scale-stack' }, (c.categories || []).map(function (cat) {
          return el('label', { class: 'pill' },
            el('input', {
              type: 'radio', name: name, value: cat.id, disabled: !ctx.phase().input_open,
              onchange: function () { place(it.key, cat.id); }
            }),
            ctx.inLang(el('span', null, cat.title), ctx.contentLang()));
        })),
        error, result);
      parts[it.key] = { fs: fs, error: error, result: result };
      list.appendChild(fs);
    });
  }

  var builtFor = null;
  function update() {
    var c = ctx.state().classify;
    if (!c) return;
    var shape = JSON.stringify([(c.items || []).map(function (i) { return [i.key, i.title]; }), c.categories]);
    if (shape !== builtFor) { build(c); builtFor = shape; }
    var mine = c.my_choices || {};
    var done = Object.keys(mine).length;
    progress.textContent = t('You have placed {done} of {count} items.', { done: done, count: (c.items || []).length });
    var results = resultsByKey(c);
    (c.items || []).forEach(function (it) {
      var p = parts[it.key];
      if (!p) return;
      p.fs.querySelectorAll('input').forEach(function (inp) { inp.checked = mine[it.key] === inp.value; });
      var r = results[it.key];
      var bits = [];
      if (c.final && c.final[it.key]) bits.push(t('Final category: {category}', { category: titleOf(c, c.final[it.key]) }));
      else if (r && r.agreed) bits.push(t('People agree: {category}', { category: titleOf(c, r.agreed) }));
      if (r && r.distribution) {
        bits.push((c.categories || []).map(function (cat) { return cat.title + ' ' + (r.distribution[cat.id] || 0); }).join(' · '));
      }
      p.result.textContent = bits.join('. ');
    });
  }

  function place(key, category) {
    var c = ctx.state().classify;
    var p = parts[key];
    var before = c.my_choices ? c.my_choices[key] : undefined;
    c.my_choices = Object.assign({}, c.my_choices || {});
    c.my_choices[key] = category;
    ctx.setError(p.error, '');
    ctx.conn.emit('classify.set', { item: key, category: category }).then(function (ack) {
      var now = ctx.state().classify;
      if (!now || now.phase_id !== c.phase_id) return;
      if (ack.ok) {
        if (ack.my_choices) now.my_choices = ack.my_choices;
        ctx.announce(t('Answer saved.'));
      } else {
        now.my_choices = Object.assign({}, now.my_choices || {});
        if (before === undefined) delete now.my_choices[key];
        else now.my_choices[key] = before;
        if (parts[key]) ctx.setError(parts[key].error, ctx.errMsg(ack));
      }
      if (ctx.isCurrent()) update();
    });
  }

  return { update: update };
}

export function projector(ctx) {
  var bar = ctx.metaRow();
  var status = el('p', { class: 'p-vote-status' });
  var note = el('p', { class: 'p-vote-note' }, t('The results are shown when answering closes.'));
  var host = el('div', { class: 'p-rows' });
  ctx.fit.appendChild(status);
  ctx.fit.appendChild(note);
  ctx.fit.appendChild(host);
  return {
    update: function () {
      var c = ctx.state().classify;
      if (!c) return;
      bar.meta.textContent = t('Shown from {n} answers per item', { n: c.min_responses || 5 });
      status.textContent = answeredText(c);
      note.hidden = !!c.results;
      FA.clear(host);
      host.appendChild(matrix(ctx, c, null));
    },
    layout: function (k) {
      return ctx.pageRows(host, Array.prototype.slice.call(host.querySelectorAll('tbody tr')), k, bar.pager);
    }
  };
}

export function control(ctx) {
  var s = ctx.settings();
  var answered = el('p', { class: 'voters' });
  var host = el('div', { class: 'classify-control' });
  var when = s.show_results === 'live'
    ? t('Participants see the results live.')
    : t('The projector and phones show only how many have answered; the results appear on them when you close input. You see them live here.');
  var sec = ctx.section(t('Items by category'), 'sec-classify', [
    el('p', { class: 'phase-hint' }, when, ' ',
      t('People agree when at least {share} of an item’s answers chose one category; counts are shown from {n} answers.',
        { share: Math.round((s.agreement || 0.6) * 100) + '\u00a0%', n: s.min_responses || 5 })),
    answered, host]);

  function finalPicker(c) {
    return function (it) {
      var id = 'final-' + it.key.replace(/\W/g, '-');
      var select = el('select', {
        id: id,
        onchange: function () {
          var value = select.value || null;
          ctx.call('PUT', '/classify/' + c.phase_id + '/final', { item: it.key, category: value }, 'classify', t('Final category saved.'))
            .then(function (res) {
              if (res && res.final) {
                var now = ctx.state().classify;
                if (now && now.phase_id === c.phase_id) now.final = res.final;
                ctx.render();
              }
            });
        }
      },
      el('option', { value: '' }, '—'),
      (c.categories || []).map(function (cat) {
        var opt = el('option', { value: cat.id }, cat.title);
        if ((c.final || {})[it.key] === cat.id) opt.selected = true;
        return opt;
      }));
      return el('span', null,
        el('label', { class: 'visually-hidden', for: id }, t('Final category of {item}', { item: ctx.snippet(it.title, 80) })),
        select);
    };
  }

  return {
    nodes: [sec],
    update: function () {
      var c = ctx.state().classify;
      if (!ctx.changed('classify', c)) return;
      if (!c || !(c.items || []).length) {
        answered.textContent = '';
        ctx.patch(host, el('p', { class: 'empty' }, t('Nothing to classify yet.')));
        return;
      }
      answered.textContent = answeredText(c);
      ctx.patch(host, matrix(ctx, c, finalPicker(c)));
    }
  };
}
