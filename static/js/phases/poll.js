/* Poll: single or multiple choice, optional "don't know"; counts only from min_responses
   answers (for every screen), and on phones and the projector only when the template or
   the closed input allows. */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Poll';
export var takesInput = true;
// Set semantics (the latest answer wins), so the phone's outbox may queue and replay it.
export var queued = ['poll.set'];
export var clientId = ['poll.set'];

export function inputNote(phase) {
  return !!(phase.settings && phase.settings.show_results === 'after_close' && phase.input_open);
}

export function applyDelta(state, name, payload) {
  var p = state.poll;
  if (name !== 'poll.results' || !p || !payload || p.phase_id !== payload.phase_id) return false;
  ['responses', 'counts', 'dont_know', 'participants', 'revealed'].forEach(function (k) {
    if (k in payload) p[k] = payload[k];
  });
  return true;
}

function answeredText(p) {
  return t('{n} / {participants} have answered', { n: p.responses || 0, participants: p.participants || 0 });
}

// The counts as chart rows (options in the template's order, then "don't know").
function rows(p, mine) {
  var chosen = (mine && mine.choices) || [];
  var out = (p.options || []).map(function (o) {
    return { label: o.title, count: (p.counts || {})[o.id] || 0, highlight: chosen.indexOf(o.id) >= 0 };
  });
  if (p.dont_know !== null && p.dont_know !== undefined) {
    out.push({ label: t("Don't know"), count: p.dont_know, highlight: !!(mine && mine.dont_know) });
  }
  return out;
}

function withheldText(p) {
  return t('{n} answers so far. Shown from {min} answers.', { n: p.responses || 0, min: p.min_responses || 5 });
}

export function phone(ctx) {
  var p = ctx.state().poll;
  if (!p) {
    ctx.body.appendChild(el('p', { class: 'muted' }, t('Nothing to answer yet.')));
    return {};
  }
  var open = ctx.phase().input_open;
  if (!open) ctx.body.appendChild(el('p', { class: 'card' }, t('Answering is closed.')));
  var type = p.multiple ? 'checkbox' : 'radio';
  var hint = p.multiple
    ? t('Choose up to {n}.', { n: p.max_choices || (p.options || []).length })
    : t('Choose one.');
  var error = el('p', { class: 'error', role: 'alert' });
  var result = el('div', { class: 'poll-result' });
  var inputs = [];
  function choice(value, text) {
    var input = el('input', {
      type: type, name: 'poll-' + p.phase_id, value: value, disabled: !open,
      onchange: function () { changed(value, input.checked); }
    });
    inputs.push(input);
    return el('label', { class: 'pill poll-option' }, input, ctx.inLang(el('span', null, text), ctx.contentLang()));
  }
  var fs = el('fieldset', { class: 'card statement poll' },
    el('legend', null, hint),
    el('div', { class: 'poll-options' },
      (p.options || []).map(function (o) { return choice(o.id, o.title); }),
      ctx.settings().dont_know ? choice('', t("Don't know")) : null),
    error);
  ctx.body.appendChild(fs);
  ctx.body.appendChild(result);

  function mine() { return ctx.state().poll.my_poll || { choices: [], dont_know: false }; }

  function update() {
    var p = ctx.state().poll;
    if (!p) return;
    var m = mine();
    var full = p.multiple && m.choices.length >= (p.max_choices || 99);
    inputs.forEach(function (input) {
      input.checked = input.value === '' ? !!m.dont_know : m.choices.indexOf(input.value) >= 0;
      // A full multiple choice: the rest wait until one is taken off.
      input.disabled = !ctx.phase().input_open || (full && !input.checked && input.value !== '');
    });
    FA.clear(result);
    if (p.counts) {
      result.appendChild(el('p', { class: 'muted' }, t('Answers: {count}', { count: p.responses })));
      result.appendChild(FA.chart(el('div'), rows(p, m), { unit: t('answers'), compact: true }));
    } else if ((p.responses || 0) < (p.min_responses || 5)) {
      result.appendChild(el('p', { class: 'muted' },
        t('Results are shown when at least {count} people have answered.', { count: p.min_responses || 5 })));
    } else {
      result.appendChild(el('p', { class: 'muted' }, t('The results are shown when answering closes.')));
    }
  }

  function changed(value, checked) {
    var p = ctx.state().poll;
    var before = mine();
    var next;
    if (value === '') next = { choices: [], dont_know: checked };
    else if (!p.multiple) next = { choices: checked ? [value] : [], dont_know: false };
    else {
      var list = before.choices.filter(function (c) { return c !== value; });
      if (checked) list.push(value);
      next = { choices: list, dont_know: false };
    }
    p.my_poll = next;
    ctx.setError(error, '');
    update();
    ctx.conn.emit('poll.set', { choices: next.choices, dont_know: next.dont_know }).then(function (ack) {
      var now = ctx.state().poll;
      if (!now || now.phase_id !== p.phase_id) return;
      if (ack.ok) {
        now.my_poll = ack.my_poll;
        ctx.announce(t('Answer saved.'));
      } else {
        now.my_poll = before;
        ctx.setError(error, ctx.errMsg(ack));
      }
      if (ctx.isCurrent()) update();
    });
  }

  return { update: update };
}

export function projector(ctx) {
  var bar = ctx.metaRow();
  var status = el('p', { class: 'p-vote-status' });
  var host = el('div', { class: 'p-poll' });
  ctx.fit.appendChild(status);
  ctx.fit.appendChild(host);
  return {
    update: function () {
      var p = ctx.state().poll;
      if (!p) return;
      bar.meta.textContent = t('Shown from {n} answers', { n: p.min_responses || 5 });
      status.textContent = answeredText(p);
      FA.clear(host);
      if (p.counts) host.appendChild(FA.chart(el('div'), rows(p, null), { unit: t('answers') }));
      else {
        host.appendChild(el('p', { class: 'p-vote-note' },
          (p.responses || 0) < (p.min_responses || 5) ? withheldText(p) : t('The results are shown when answering closes.')));
      }
    }
  };
}

export function control(ctx) {
  var s = ctx.settings();
  var answered = el('p', { class: 'voters' });
  var host = el('div', { class: 'poll-control' });
  var when = s.show_results === 'live'
    ? t('Participants see the results live.')
    : t('The projector and phones show only how many have answered; the results appear on them when you close input. You see them live here.');
  var sec = ctx.section(t('Answers'), 'sec-poll', [
    el('p', { class: 'phase-hint' }, when, ' ',
      t('To protect anonymity, results are shown only from {n} answers.', { n: s.min_responses || 5 })),
    answered, host]);
  return {
    nodes: [sec],
    update: function () {
      var p = ctx.state().poll;
      if (!ctx.changed('poll', p)) return;
      if (!p) return;
      answered.textContent = answeredText(p);
      if (p.counts) {
        var box = el('div', { class: 'poll-chart', lang: ctx.sessionLang() });
        FA.chart(box, rows(p, null), { unit: t('answers') });
        ctx.patch(host, box);
      } else {
        ctx.patch(host, el('p', { class: 'withheld' }, withheldText(p)));
      }
    }
  };
}
