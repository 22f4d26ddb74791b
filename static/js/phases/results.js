/* QWL results: the unit's index with its trend, statements by dimension (weakest first)
   with their change since the last round, helper questions, and an optional focus vote.
   Charts carry their numbers as text; change is shown by ▲/▼ and a sign, never by colour
   alone; bars are one dark tone on a light track, so greyscale prints read the same.
   Results of fewer than 5 answers never reach the browser (the server drops them). */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'QWL results';
export var takesInput = true;
export var queued = ['results.focus'];
export var clientId = ['results.focus'];
// After an import every screen re-reads its snapshot.
export var resyncEvents = ['results.imported'];

export function inputNote(phase) {
  var s = phase.settings || {};
  return !!(s.focus_votes && s.show_results === 'after_close' && phase.input_open);
}

export function applyDelta(state, name, payload) {
  var r = state.results;
  if (name !== 'results.tally' || !r || !payload || r.phase_id !== payload.phase_id) return false;
  r.tally = payload;
  return true;
}

// The kind's stylesheet is linked by base.html (id results-css), so it applies before the
// first layout; a page without it (an old cached base) gets it added here.
function ensureStyles() {
  if (document.getElementById('results-css')) return;
  var link = document.createElement('link');
  link.id = 'results-css';
  link.rel = 'stylesheet';
  var base = document.querySelector('link[href*="css/app.css"]');
  link.href = base ? base.getAttribute('href').replace('app.css', 'results.css') : '/static/css/results.css';
  document.head.appendChild(link);
}

// One decimal always ("45,0 %"), so values and bars line up.
function one(v) {
  try {
    return new Intl.NumberFormat(FA.regionalLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);
  } catch (e) {
    return (Math.round(v * 10) / 10).toFixed(1);
  }
}

function pct(v) { return v === null || v === undefined ? '–' : one(v) + '\u00a0%'; }

// "▲ +1,1" / "▼ −2,5" / "= 0": the sign and the arrow carry the meaning.
function changeNode(change, since) {
  if (change === null || change === undefined) return el('span', { class: 'qwl-change is-none' }, '');
  var dir = change > 0 ? 'up' : change < 0 ? 'down' : 'same';
  var glyph = dir === 'up' ? '▲' : dir === 'down' ? '▼' : '=';
  var num = (change > 0 ? '+' : change < 0 ? '−' : '±') + one(Math.abs(change));
  return el('span', { class: 'qwl-change is-' + dir },
    el('span', { 'aria-hidden': 'true' }, glyph + ' ' + num),
    el('span', { class: 'visually-hidden' },
      since ? t('Change since {round}: {change} percentage points', { round: since, change: num })
        : t('Change: {change} percentage points', { change: num })));
}

// A horizontal bar from 0 to 100 % with the score written on it.
function scoreBar(score) {
  var fill = el('span', { class: 'qwl-bar-fill' });
  fill.style.width = Math.max(0, Math.min(100, score)) + '%';
  return el('span', { class: 'qwl-bar' }, el('span', { class: 'qwl-bar-track', 'aria-hidden': 'true' }, fill),
    el('span', { class: 'qwl-bar-value' }, pct(score)));
}

// The index of every round as columns with the value above each and the round below.
function trendChart(summary) {
  var trend = summary.trend || [];
  var box = el('figure', { class: 'qwl-trend' });
  box.appendChild(el('figcaption', { class: 'qwl-trend-title' }, t('QWL index by round')));
  var list = el('ol', { class: 'qwl-trend-list' });
  trend.forEach(function (r, i) {
    var col = el('span', { class: 'qwl-trend-col' + (i === trend.length - 1 ? ' is-current' : '') });
    col.style.height = Math.max(2, r.index) + '%';
    list.appendChild(el('li', { class: 'qwl-trend-item' },
      el('span', { class: 'qwl-trend-value' }, pct(r.index)),
      el('span', { class: 'qwl-trend-plot', 'aria-hidden': 'true' }, col),
      el('span', { class: 'qwl-trend-round' }, r.round)));
  });
  box.appendChild(list);
  return box;
}

function previousRound(summary) {
  var trend = summary.trend || [];
  return trend.length > 1 ? trend[trend.length - 2].round : '';
}

function indexCard(summary) {
  return el('div', { class: 'qwl-index' },
    el('p', { class: 'qwl-unit' }, summary.unit + ' · ' + summary.round),
    el('p', { class: 'qwl-index-label' }, t('QWL index')),
    el('p', { class: 'qwl-index-value' }, pct(summary.index)),
    el('p', { class: 'qwl-index-change' }, changeNode(summary.index_change, previousRound(summary)),
      summary.index_change !== null && summary.index_change !== undefined
        ? el('span', { class: 'qwl-since' }, ' ' + t('since {round}', { round: previousRound(summary) })) : null),
    el('p', { class: 'qwl-answers' }, t('Answers: {count}', { count: summary.answers })));
}

function focusCount(r, id) {
  var tally = r.tally;
  if (!tally || !tally.counts) return null;
  return tally.counts[id] || 0;
}

function emptyNote() {
  return el('p', { class: 'qwl-empty' }, t('No QWL results have been imported for this session yet.'));
}

function hiddenNote(summary) {
  return summary.hidden ? el('p', { class: 'qwl-hidden-note' },
    t('Statements with fewer than {n} answers are not shown.', { n: summary.min_answers || 5 })) : null;
}

export function projector(ctx) {
  ensureStyles();
  var bar = ctx.metaRow();
  var host = el('div', { class: 'qwl-projector' });
  var side = el('div', { class: 'qwl-side' });
  var rowsHost = el('div', { class: 'qwl-rows' });
  host.appendChild(side);
  host.appendChild(rowsHost);
  ctx.fit.appendChild(host);
  var rows = [];
  return {
    update: function () {
      var r = ctx.state().results;
      FA.clear(side);
      FA.clear(rowsHost);
      rows = [];
      if (!r || !r.summary) { side.appendChild(emptyNote()); return; }
      var s = r.summary;
      side.appendChild(indexCard(s));
      if ((s.trend || []).length > 1) side.appendChild(trendChart(s));
      var general = (r.helpers && r.helpers.general) || [];
      if (general.length) {
        side.appendChild(el('div', { class: 'qwl-questions' },
          el('h3', null, t('Questions for the discussion')),
          el('ul', null, general.map(function (q) { return el('li', null, q); }))));
      }
      var since = previousRound(s);
      var tally = r.tally;
      bar.meta.textContent = r.focus_votes
        ? (tally && tally.counts ? t('Chose: {n}', { n: tally.voters })
          : t('People who chose: {n}. The choices are shown when choosing closes.', { n: tally ? tally.voters : 0 }))
        : t('Weakest first in each dimension');
      if (since) bar.meta.textContent += ' · ' + t('Change since {round}', { round: since });
      var head = el('div', { class: 'qwl-row qwl-row-head', 'aria-hidden': 'true' },
        el('span', null, t('Statement')), el('span', null, t('Result')),
        el('span', null, t('Change')),
        r.focus_votes && tally && tally.counts ? el('span', null, t('Chosen')) : null);
      rowsHost.appendChild(head);
      (s.dimensions || []).forEach(function (d) {
        d.statements.forEach(function (st, i) {
          var n = focusCount(r, st.id);
          var row = el('div', { class: 'qwl-row' + (st.hidden ? ' is-hidden' : '') },
            el('span', { class: 'qwl-text' }, st.text),
            st.hidden ? el('span', { class: 'qwl-withheld' }, t('fewer than {n} answers', { n: s.min_answers || 5 }))
              : scoreBar(st.score),
            st.hidden ? el('span') : changeNode(st.change, since),
            n === null ? null : el('span', { class: 'qwl-chosen' }, String(n)));
          // A dimension's heading pages with its first statement, never alone at the foot.
          var block = i === 0 ? el('div', { class: 'qwl-block' }, el('h3', { class: 'qwl-dimension' }, d.name), row) : row;
          rowsHost.appendChild(block);
          rows.push(block);
        });
      });
      var note = hiddenNote(s);
      if (note) { rowsHost.appendChild(note); rows.push(note); }
    },
    layout: function (k) {
      // The side column never pages: what does not fit there (the general questions,
      // then the trend) steps aside; phones and the control view still show it.
      Array.prototype.forEach.call(side.children, function (c) { c.hidden = false; });
      ['.qwl-questions', '.qwl-trend'].forEach(function (sel) {
        var box = side.querySelector(sel);
        if (box && side.scrollHeight > side.clientHeight + 1) box.hidden = true;
      });
      return ctx.pageRows(rowsHost, rows, k, bar.pager);
    }
  };
}

export function phone(ctx) {
  ensureStyles();
  var r = ctx.state().results;
  if (!r || !r.summary) { ctx.body.appendChild(emptyNote()); return {}; }
  var s = r.summary;
  var open = ctx.phase().input_open;
  var error = el('p', { class: 'error', role: 'alert' });
  var status = el('p', { class: 'muted', 'aria-live': 'polite' });
  var checks = [];
  var counts = {};
  ctx.body.appendChild(el('div', { class: 'card qwl-phone-index' }, indexCard(s)));
  if (r.focus_votes) {
    ctx.body.appendChild(el('p', { class: 'card' },
      open ? t('Choose up to {n} statements to work on.', { n: r.focus_votes }) : t('Choosing is closed.')));
  }
  var since = previousRound(s);
  (s.dimensions || []).forEach(function (d) {
    var section = el('section', { class: 'card qwl-phone-dimension' }, el('h2', null, d.name));
    d.statements.forEach(function (st) {
      var helpers = ((r.helpers && r.helpers.by_statement) || {})[st.id] || [];
      var count = el('span', { class: 'qwl-chosen muted' });
      counts[st.id] = count;
      var item = el('div', { class: 'qwl-phone-statement' },
        el('p', { class: 'qwl-text' }, st.text),
        st.hidden ? el('p', { class: 'qwl-withheld' }, t('fewer than {n} answers', { n: s.min_answers || 5 }))
          : el('p', { class: 'qwl-phone-score' }, scoreBar(st.score), ' ', changeNode(st.change, since)),
        helpers.length ? el('details', { class: 'qwl-helpers' },
          el('summary', null, t('Helper questions')),
          el('ul', null, helpers.map(function (q) { return el('li', null, q); }))) : null);
      if (r.focus_votes && !st.hidden) {
        var input = el('input', {
          type: 'checkbox', value: st.id, disabled: !open,
          onchange: function () { changed(st.id, input.checked); }
        });
        checks.push(input);
        item.appendChild(el('p', { class: 'qwl-focus' },
          el('label', { class: 'pill' }, input, el('span', null, t('Choose as a focus'))), count));
      }
      section.appendChild(item);
    });
    ctx.body.appendChild(section);
  });
  var note = hiddenNote(s);
  if (note) ctx.body.appendChild(note);
  ctx.body.appendChild(error);
  ctx.body.appendChild(status);

  function mine() { return ctx.state().results.my_focus || []; }

  function update() {
    var now = ctx.state().results;
    if (!now) return;
    var m = mine();
    var full = m.length >= (now.focus_votes || 0);
    checks.forEach(function (input) {
      input.checked = m.indexOf(input.value) >= 0;
      input.disabled = !ctx.phase().input_open || (full && !input.checked);
    });
    var tally = now.tally;
    Object.keys(counts).forEach(function (id) {
      var n = tally && tally.counts ? (tally.counts[id] || 0) : null;
      counts[id].textContent = n === null ? '' : t('chosen by {n}', { n: n });
    });
    if (now.focus_votes) {
      status.textContent = t('You have chosen {n} of {max}.', { n: m.length, max: now.focus_votes });
    }
  }

  function changed(id, checked) {
    var now = ctx.state().results;
    var before = mine();
    var next = before.filter(function (x) { return x !== id; });
    if (checked) next.push(id);
    now.my_focus = next;
    ctx.setError(error, '');
    update();
    ctx.conn.emit('results.focus', { statements: next }).then(function (ack) {
      var cur = ctx.state().results;
      if (!cur || cur.phase_id !== now.phase_id) return;
      if (ack.ok) {
        cur.my_focus = ack.my_focus;
        ctx.announce(t('Choice saved.'));
      } else {
        cur.my_focus = before;
        ctx.setError(error, ctx.errMsg(ack));
      }
      if (ctx.isCurrent()) update();
    });
  }

  return { update: update };
}

export function control(ctx) {
  ensureStyles();
  var app = document.querySelector('[data-api]');
  var base = app ? app.getAttribute('data-api') : '';
  var pageLink = base.replace('/api/v1', '') + '/qwl';
  var summaryBox = el('div', { class: 'qwl-control' });
  var sec = ctx.section(t('QWL results'), 'sec-results', [
    el('p', { class: 'phase-hint' },
      t('Import the unit\'s results or type them in on the QWL page; every screen shows them at once. Results of fewer than 5 answers are never shown.'), ' ',
      el('a', { href: pageLink }, t('Open the QWL page'))),
    summaryBox]);
  return {
    nodes: [sec],
    update: function () {
      var r = ctx.state().results;
      if (!ctx.changed('results', r)) return;
      if (!r || !r.summary) { ctx.patch(summaryBox, emptyNote()); return; }
      var s = r.summary;
      var since = previousRound(s);
      var by = (r.helpers && r.helpers.by_statement) || {};
      var general = (r.helpers && r.helpers.general) || [];
      var tally = r.tally;
      ctx.patch(summaryBox, el('div', { lang: ctx.sessionLang() },
        el('p', null, s.unit + ' · ' + s.round + ' · ' + t('QWL index') + ' ' + pct(s.index) + ' ',
          changeNode(s.index_change, since)),
        r.focus_votes ? el('p', { class: 'voters' }, tally && tally.counts
          ? t('Chose: {n}', { n: tally.voters })
          : t('People who chose: {n}. Shown from {min}.', { n: tally ? tally.voters : 0, min: r.min_responses || 5 })) : null,
        general.length ? el('ul', { class: 'qwl-general' }, general.map(function (q) { return el('li', null, q); })) : null,
        (s.dimensions || []).map(function (d) {
          return el('section', null, el('h4', null, d.name), el('ol', { class: 'statements' }, d.statements.map(function (st) {
            var n = focusCount(r, st.id);
            return el('li', null,
              el('p', null, el('strong', null, st.text), ' ',
                st.hidden ? t('fewer than {n} answers', { n: s.min_answers || 5 }) : pct(st.score), ' ',
                st.hidden ? null : changeNode(st.change, since),
                n === null ? null : ' · ' + t('chosen by {n}', { n: n })),
              (by[st.id] || []).length ? el('ul', { class: 'qwl-helpers' }, by[st.id].map(function (q) { return el('li', null, q); })) : null);
          })));
        })));
    }
  };
}
