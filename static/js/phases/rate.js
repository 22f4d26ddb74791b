/* Rating: statements on a scale; distributions only from min_responses answers. */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Rating';
export var takesInput = true;
// Set semantics (the latest value wins), so the phone's outbox may queue and replay it.
export var queued = ['rate.set'];
export var clientId = ['rate.set'];

// The coalesced results and the facilitator's agreed grades (rate `grades: true`).
export function applyDelta(state, name, payload) {
  var r = state.rate;
  if (name !== 'rate.results' && name !== 'rate.grades') return false;
  if (!r || !payload || r.phase_id !== payload.phase_id) return false;
  if (name === 'rate.results') r.results = payload.results;
  else r.grades = payload.grades || {};
  return true;
}

// A scale point as text: "3 – Mostly achieved" where every point has a label.
function pointText(sc, v) {
  return sc.labels ? v + ' – ' + sc.labels[v - sc.min] : String(v);
}

function gradeText(r, id) {
  var g = r.grades && r.grades[id];
  return g === undefined || g === null ? '' : t('Agreed grade: {grade}', { grade: pointText(r.scale || { min: 1 }, g) });
}

export function phone(ctx) {
  var r = ctx.state().rate;
  if (!r) {
    ctx.body.appendChild(el('p', { class: 'muted' }, t('Nothing to answer yet.')));
    return {};
  }
  var open = ctx.phase().input_open;
  if (!open) ctx.body.appendChild(el('p', { class: 'card' }, t('Answering is closed.')));
  var sc = r.scale || { min: 1, max: 5 };
  var statements = {};
  (r.statements || []).forEach(function (s, n) {
    var name = 'rate-' + s.id;
    var labelsId = name + '-labels';
    var values = [];
    for (var v = sc.min; v <= sc.max; v++) values.push(v);
    var error = el('p', { class: 'error', role: 'alert' });
    var result = el('div', { class: 'rate-result', 'aria-live': 'off' });
    var fs = el('fieldset', { class: 'card statement' },
      el('legend', null, el('span', { class: 'visually-hidden' }, t('Statement {n}:', { n: n + 1 }) + ' '),
        ctx.inLang(el('span', null, s.text), ctx.contentLang())),
      el('div', { class: 'scale' + (sc.labels ? ' scale-stack' : '') }, values.map(function (val) {
        if (sc.labels) {
          // A label per point: each pill names its point.
          return el('label', { class: 'pill pill-labelled' },
            el('input', {
              type: 'radio', name: name, value: String(val), disabled: !open,
              onchange: function () { setRating(s.id, val); }
            }),
            ctx.inLang(el('span', null, val + ' ' + sc.labels[val - sc.min]), ctx.contentLang()));
        }
        var extra = val === sc.min ? sc.min_label : val === sc.max ? sc.max_label : '';
        return el('label', { class: 'pill' },
          el('input', {
            type: 'radio', name: name, value: String(val), disabled: !open,
            onchange: function () { setRating(s.id, val); }
          }),
          el('span', null, String(val), extra ? el('span', { class: 'visually-hidden' }, ' ' + extra) : null));
      }), r.dont_know ? el('label', { class: 'pill pill-labelled' },
        el('input', {
          type: 'radio', name: name, value: 'dont_know', disabled: !open,
          onchange: function () { setRating(s.id, 'dont_know'); }
        }),
        el('span', null, t("Don't know"))) : null),
      (!sc.labels && (sc.min_label || sc.max_label))
        ? ctx.inLang(el('p', { class: 'scale-labels', id: labelsId, 'aria-hidden': 'true' },
            el('span', null, sc.min + ' = ' + (sc.min_label || '')),
            el('span', null, sc.max + ' = ' + (sc.max_label || ''))), ctx.contentLang())
        : null,
      error, result);
    statements[s.id] = { fs: fs, error: error, result: result, name: name };
    ctx.body.appendChild(fs);
  });

  function update() {
    var r = ctx.state().rate;
    if (!r) return;
    var sc = r.scale || { min: 1, max: 5 };
    (r.statements || []).forEach(function (s) {
      var parts = statements[s.id];
      if (!parts) return;
      var mineVal = r.my_ratings ? r.my_ratings[s.id] : undefined;
      parts.fs.querySelectorAll('input').forEach(function (inp) {
        inp.checked = mineVal !== undefined && (inp.value === 'dont_know' ? mineVal === 'dont_know' : Number(inp.value) === mineVal);
      });
      FA.clear(parts.result);
      var res = r.results && r.results[s.id];
      if (res && res.distribution) {
        var rows = [];
        for (var v = sc.min; v <= sc.max; v++) rows.push({ label: pointText(sc, v), count: res.distribution[String(v)] || 0, highlight: v === mineVal });
        parts.result.appendChild(el('p', { class: 'muted' }, t('Answers: {count}', { count: res.responses })));
        parts.result.appendChild(FA.chart(el('div'), rows, { unit: t('answers'), compact: true }));
        if (res.mean !== null && res.mean !== undefined) {
          parts.result.appendChild(el('p', { class: 'rate-mean' }, t('Average: {mean}', { mean: FA.formatNumber(res.mean) })));
        }
        if (res.dont_know !== null && res.dont_know !== undefined) {
          parts.result.appendChild(el('p', { class: 'muted' }, t("Don't know: {count}", { count: res.dont_know })));
        }
      } else {
        parts.result.appendChild(el('p', { class: 'muted' },
          t('Results are shown when at least {count} people have answered.', { count: r.min_responses || 5 })));
      }
      var grade = gradeText(r, s.id);
      if (grade) parts.result.appendChild(el('p', { class: 'rate-grade' }, grade));
    });
  }

  function setRating(statementId, value) {
    var r = ctx.state().rate;
    var parts = statements[statementId];
    var before = r.my_ratings ? r.my_ratings[statementId] : undefined;
    r.my_ratings = Object.assign({}, r.my_ratings || {});
    r.my_ratings[statementId] = value;
    ctx.setError(parts.error, '');
    ctx.conn.emit('rate.set', { statement: statementId, value: value }).then(function (ack) {
      var now = ctx.state().rate;
      if (!now || now.phase_id !== r.phase_id) return;
      if (ack.ok) {
        if (ack.my_ratings) now.my_ratings = ack.my_ratings;
        ctx.announce(t('Answer saved.'));
      } else {
        now.my_ratings = Object.assign({}, now.my_ratings || {});
        if (before === undefined) delete now.my_ratings[statementId];
        else now.my_ratings[statementId] = before;
        ctx.setError(parts.error, ctx.errMsg(ack));
      }
      if (ctx.isCurrent()) update();
    });
  }

  return { update: update };
}

export function projector(ctx) {
  var bar = ctx.metaRow();
  var host = el('div', { class: 'p-rows' });
  var table = el('table', { class: 'histo-table' });
  host.appendChild(table);
  ctx.fit.appendChild(host);
  return {
    update: function () {
      var r = ctx.state().rate;
      if (!r) return;
      var sc = r.scale || { min: 1, max: 5 };
      FA.clear(table);
      table.appendChild(el('caption', { class: 'visually-hidden' }, t('Answers per statement')));
      table.appendChild(el('thead', null, el('tr', null,
        el('th', { scope: 'col' }, t('Statement')),
        el('th', { scope: 'col' }, t('Answers') + (sc.labels ? '' : ' (' + sc.min + ' = ' + (sc.min_label || sc.min) + ', ' + sc.max + ' = ' + (sc.max_label || sc.max) + ')')),
        el('th', { scope: 'col' }, t('Average')),
        r.grades ? el('th', { scope: 'col' }, t('Agreed grade')) : null)));
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
            var b = el('b');
            b.style.height = (max ? Math.round((n / max) * 100) : 0) + '%';
            return el('span', null,
              el('em', null, String(n)), el('span', { class: 'bar-box' }, b),
              el('i', null, String(val), sc.labels ? el('small', { class: 'histo-label' }, sc.labels[val - sc.min]) : null));
          }));
          cell = el('div', null, cell, el('span', { class: 'visually-hidden' },
            values.map(function (val) { return val + ': ' + (res.distribution[String(val)] || 0); }).join(', ')));
          if (res.mean !== null && res.mean !== undefined) mean = FA.formatNumber(res.mean);
          if (res.dont_know) cell.appendChild(el('p', { class: 'muted' }, t("Don't know: {count}", { count: res.dont_know })));
        } else {
          cell = el('span', { class: 'muted' }, t('Shown when at least {count} have answered ({responses} so far).',
            { count: r.min_responses || 5, responses: res ? res.responses : 0 }));
        }
        var g = r.grades ? r.grades[s.id] : undefined;
        tbody.appendChild(el('tr', null, el('th', { scope: 'row' }, s.text), el('td', null, cell), el('td', null, mean),
          r.grades ? el('td', { class: 'rate-grade' }, g === undefined || g === null ? '–' : pointText(sc, g)) : null));
      });
      table.appendChild(tbody);
    },
    layout: function (k) {
      return ctx.pageRows(host, Array.prototype.slice.call(table.querySelectorAll('tbody tr')), k, bar.pager);
    }
  };
}

export function control(ctx) {
  var list = el('div', { class: 'rate-results' });

  // The grade the group agreed after the discussion (rate `grades: true`).
  function gradePicker(r, st, sc) {
    var id = 'grade-' + st.id;
    var select = el('select', {
      id: id,
      onchange: function () {
        var value = select.value === '' ? null : Number(select.value);
        ctx.call('PUT', '/phases/' + r.phase_id + '/grades/' + st.id, { grade: value }, 'rate-grade', t('Grade saved.'))
          .then(function (res) {
            if (res && res.grades) {
              var now = ctx.state().rate;
              if (now && now.phase_id === r.phase_id) now.grades = res.grades;
              ctx.render();
            }
          });
      }
    }, el('option', { value: '' }, '—'));
    for (var v = sc.min; v <= sc.max; v++) {
      var opt = el('option', { value: String(v) }, pointText(sc, v));
      if (r.grades[st.id] === v) opt.selected = true;
      select.appendChild(opt);
    }
    return el('p', { class: 'rate-grade-picker' },
      el('label', { for: id }, t('Agreed grade')), ' ', select);
  }
  var scaleText = el('p', { class: 'phase-hint' });
  var sec = ctx.section(t('Answers'), 'sec-rate', [scaleText, ctx.errorSlot('rate-grade'), list]);
  return {
    nodes: [sec],
    update: function () {
      var r = ctx.state().rate;
      if (!ctx.changed('rate', r)) return;
      if (!r) { ctx.patch(list, el('p', { class: 'empty' }, t('No statements.'))); return; }
      var lang = ctx.sessionLang();
      var sc = r.scale || { min: 1, max: 5 };
      scaleText.textContent = t('Scale {min}–{max}', { min: sc.min, max: sc.max }) +
        (sc.labels ? ' · ' + sc.labels.map(function (l, i) { return (sc.min + i) + ' = ' + l; }).join(' · ') : '') +
        (!sc.labels && sc.min_label ? ' · ' + sc.min + ' = ' + sc.min_label : '') +
        (!sc.labels && sc.max_label ? ' · ' + sc.max + ' = ' + sc.max_label : '') + '. ' +
        t('To protect anonymity, a distribution is shown only from {n} answers.', { n: r.min_responses || 5 });
      var results = r.results || {};
      ctx.patch(list, el('ol', { class: 'statements' }, (r.statements || []).map(function (st, idx) {
        var res = results[st.id] || { responses: 0, distribution: null, mean: null };
        var hid = 'st-' + idx;
        var box = el('div', { class: 'rate-chart', lang: lang });
        var inner;
        if (res.distribution) {
          var rows = [];
          for (var v = sc.min; v <= sc.max; v++) {
            var text = pointText(sc, v);
            if (!sc.labels && v === sc.min && sc.min_label) text += ' – ' + sc.min_label;
            if (!sc.labels && v === sc.max && sc.max_label) text += ' – ' + sc.max_label;
            rows.push({ label: text, count: res.distribution[String(v)] || 0 });
          }
          FA.chart(box, rows, { unit: t('answers') });
          inner = [el('p', null, ctx.countText(res.responses, '1 answer', '{n} answers'),
            res.mean !== null && res.mean !== undefined ? ' · ' + t('Average {mean}', { mean: FA.formatNumber(res.mean) }) : '',
            res.dont_know ? ' · ' + t("Don't know: {count}", { count: res.dont_know }) : ''), box];
        } else {
          inner = [el('p', { class: 'withheld' }, t('{n} answers so far. Shown from {min} answers.', { n: res.responses || 0, min: r.min_responses || 5 }))];
        }
        return el('li', { class: 'statement', 'aria-labelledby': hid },
          el('h4', { id: hid, lang: lang }, st.text), inner, r.grades ? gradePicker(r, st, sc) : null);
      })));
    }
  };
}
