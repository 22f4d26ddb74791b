/* Agreed actions: the facilitator writes them (from vote winners or ideas); everyone sees the list. */
import { phoneActions, projectorActions, actionForm, renderActionList } from './shared.js';

var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Agreed actions';

export function phone(ctx) {
  return phoneActions(ctx);
}

export function projector(ctx) {
  return projectorActions(ctx);
}

/* Experiments and ground rules (the phase's `item_kinds`): their own fields.
   experiment: what we try, why, how we will know, until when, what we learned;
   ground rule: the rule, how we check it. */
var KIND_FORMS = {
  experiment: {
    heading: 'Add an experiment',
    add: 'Add experiment',
    added: 'Experiment added.',
    saved: 'Experiment saved.',
    fields: [
      ['what', 'What do we try?', 'textarea', 1000, 'Small and concrete enough to start this week.'],
      ['why', 'Why?', 'textarea', 1000, null],
      ['how_know', 'How will we know?', 'textarea', 1000, 'What we will see or count if it works.'],
      ['who', 'Who carries it?', 'text', 200, 'A name or a role, for example "shift supervisor".'],
      ['due', 'Until when?', 'date', 0, null],
      ['learned', 'What did we learn?', 'textarea', 1000, 'Filled in when the experiment is reviewed.']
    ]
  },
  ground_rule: {
    heading: 'Add a ground rule',
    add: 'Add ground rule',
    added: 'Ground rule added.',
    saved: 'Ground rule saved.',
    fields: [
      ['what', 'The rule', 'textarea', 1000, 'As the team would say it, for example "We answer each other\'s messages within a day."'],
      ['how_check', 'How do we check it?', 'textarea', 1000, 'When and how the team looks at whether the rule holds.']
    ]
  }
};
var kindClientIds = {};
var kindEditing = { id: null };

function kindForm(ctx, kind, item) {
  var spec = KIND_FORMS[kind];
  var prefix = (item ? 'item-' + item.id : 'new-' + kind) + '-';
  var errKey = item ? 'item-' + item.id : 'new-' + kind;
  var controls = {};
  var rows = spec.fields.map(function (f) {
    var id = prefix + f[0];
    var control = f[2] === 'textarea'
      ? el('textarea', { rows: '2', maxlength: String(f[3]), id: id, name: f[0], 'data-key': id })
      : el('input', { type: f[2], id: id, name: f[0], 'data-key': id, autocomplete: 'off', maxlength: f[3] ? String(f[3]) : null });
    if (item) control.value = item[f[0]] || '';
    if (f[4]) control.setAttribute('aria-describedby', id + '-hint');
    controls[f[0]] = control;
    return el('div', { class: 'field' },
      el('label', { for: id }, t(f[1])),
      f[4] ? el('p', { class: 'hint', id: id + '-hint' }, t(f[4])) : null,
      control);
  });
  var err = ctx.errorSlot(errKey);
  var node = el('form', { class: 'action-form item-kind-form', novalidate: true, 'data-item-kind': kind },
    rows, err,
    el('p', { class: 'form-buttons' },
      el('button', { type: 'submit', class: 'btn btn-primary', 'data-busy': errKey, 'data-key': (item ? 'save-' : 'add-') + kind },
        item ? t('Save changes') : t(spec.add)),
      item ? el('button', { type: 'button', class: 'btn', onclick: function () { kindEditing.id = null; ctx.render(); } }, t('Cancel')) : null));
  node.addEventListener('submit', function (e) {
    e.preventDefault();
    var data = { item_kind: kind };
    spec.fields.forEach(function (f) {
      var v = controls[f[0]].value;
      data[f[0]] = f[2] === 'date' ? (v || null) : v.trim();
    });
    if (!data.what) {
      ctx.setError(errKey, t('Write what will be done first.'));
      controls.what.setAttribute('aria-invalid', 'true');
      controls.what.focus();
      return;
    }
    controls.what.removeAttribute('aria-invalid');
    ctx.busyGuard(errKey, function () {
      if (item) {
        data.status = item.status;
        return ctx.call('PATCH', '/actions/' + item.id, data, errKey, t(spec.saved)).then(function (res) {
          if (res) { kindEditing.id = null; ctx.render(); }
        });
      }
      data.client_id = kindClientIds[kind] || (kindClientIds[kind] = FA.uuid());
      return ctx.call('POST', '/actions', data, errKey, t(spec.added)).then(function (res) {
        if (res) {
          kindClientIds[kind] = FA.uuid();
          node.reset();
          controls.what.focus();
        }
      });
    });
  });
  return node;
}

function kindDetails(ctx, container, kinds) {
  var items = (ctx.state().actions || []).filter(function (a) { return kinds.indexOf(a.item_kind) >= 0; });
  if (!ctx.changed('kind-details', [items, kindEditing.id])) return;
  var lang = ctx.sessionLang();
  ctx.patch(container, items.length ? el('ol', { class: 'actions item-kind-list' }, items.map(function (a) {
    if (kindEditing.id === a.id) return el('li', { class: 'action card is-editing' }, kindForm(ctx, a.item_kind, a));
    var spec = KIND_FORMS[a.item_kind];
    var titleId = 'item-' + a.id + '-title';
    return el('li', { class: 'action card' },
      el('h4', { id: titleId, lang: lang }, a.what),
      el('dl', { class: 'action-meta' }, spec.fields.slice(1).map(function (f) {
        var v = a[f[0]];
        if (!v) return null;
        return el('div', null, el('dt', null, t(f[1])),
          f[2] === 'date' ? el('dd', null, el('time', { datetime: v }, FA.formatDate(v))) : el('dd', { lang: lang }, v));
      })),
      el('button', {
        type: 'button', class: 'btn btn-small', 'data-key': 'edit-item-' + a.id, 'aria-describedby': titleId,
        onclick: function () { kindEditing.id = a.id; ctx.pendingFocus('item-' + a.id + '-what'); ctx.render(); }
      }, t('Edit')),
      ctx.errorSlot('item-' + a.id));
  })) : el('p', { class: 'empty' }, t('None yet.')));
}

export function control(ctx) {
  var cands = el('div', { class: 'candidates' });
  var list = el('div', { class: 'action-list' });
  var form = actionForm(ctx, null);
  var kinds = (ctx.settings && ctx.settings() && ctx.settings().item_kinds) || ['action'];
  var otherKinds = kinds.filter(function (k) { return KIND_FORMS[k]; });
  var secForm = ctx.section(t('Add an agreed action'), 'sec-action-form', [
    el('p', { class: 'phase-hint' }, t('Write down what the work community agrees to do. Participants and the projector see the list.')),
    form.node]);
  secForm.hidden = kinds.indexOf('action') < 0;
  var kindSections = otherKinds.map(function (k) {
    return ctx.section(t(KIND_FORMS[k].heading), 'sec-' + k + '-form', [kindForm(ctx, k, null)]);
  });
  var details = el('div', { class: 'item-kind-details' });
  var secDetails = otherKinds.length
    ? ctx.section(t('Experiments and ground rules in detail'), 'sec-item-details', [details])
    : null;
  var secCands = ctx.section(t('Where actions come from'), 'sec-candidates', [
    el('p', { class: 'phase-hint' }, t('Pick one to start an action, then add who does it and by when.')),
    cands], 'candidates-section');
  var secList = ctx.section(t('Agreed actions'), 'sec-actions', [list]);

  function useButton(text, key, sourceItem) {
    return el('button', {
      type: 'button', class: 'btn btn-tiny', 'data-key': key,
      onclick: function () {
        if (sourceItem) form.node.dataset.sourceItem = sourceItem;
        else delete form.node.dataset.sourceItem;
        form.fields.what.value = text;
        form.fields.what.removeAttribute('aria-invalid');
        form.fields.what.focus();
        ctx.announce(t('Copied to the action form.'));
      }
    }, t('Use as an action'), el('span', { class: 'visually-hidden' }, ': ' + ctx.snippet(text, 80)));
  }

  return {
    nodes: [el('div', { class: 'actions-grid' }, secForm, kindSections, secCands), secList, secDetails].filter(Boolean),
    update: function () {
      var c = ctx.state().candidates || { votes: [], ideas: [] };
      // With a `source` the candidates are its items (a vote, classify or ideas phase).
      var source = c.source || null;
      var votes = source ? [] : c.votes || [];
      var ideas = source ? [] : c.ideas || [];
      var items = source ? source.items || [] : [];
      var lang = ctx.sessionLang();
      secCands.hidden = !votes.length && !ideas.length && !items.length;
      if (ctx.changed('candidates', c)) {
        var nodes = [];
        if (items.length) {
          nodes.push(el('h4', { id: 'cand-source' }, t(source.kind === 'vote' ? 'Vote winners' : 'From the source phase')));
          nodes.push(el('ol', { class: 'cand-list', 'aria-labelledby': 'cand-source' }, items.map(function (it, idx) {
            var badge = typeof it.count === 'number' ? ctx.countText(it.count, '1 vote', '{n} votes') : null;
            return el('li', null,
              el('span', { class: 'cand-text', lang: lang }, it.title), ' ',
              badge ? el('span', { class: 'badge' }, badge) : null, badge ? ' ' : null,
              useButton(it.title, 'use-source-' + idx, it.key));
          })));
        }
        if (votes.length) {
          nodes.push(el('h4', { id: 'cand-votes' }, t('Vote winners')));
          nodes.push(el('ol', { class: 'cand-list', 'aria-labelledby': 'cand-votes' }, votes.map(function (r, idx) {
            return el('li', null,
              el('span', { class: 'cand-text', lang: lang }, r.title), ' ',
              el('span', { class: 'badge' }, ctx.countText(r.count, '1 vote', '{n} votes')), ' ',
              useButton(r.title, 'use-vote-' + idx, r.key));
          })));
        }
        if (ideas.length) {
          nodes.push(el('h4', { id: 'cand-ideas' }, t('Ideas from the last ideas phase')));
          nodes.push(el('ul', { class: 'cand-list', 'aria-labelledby': 'cand-ideas' }, ideas.map(function (i) {
            return el('li', null,
              el('span', { class: 'cand-text', lang: lang }, i.text), ' ',
              useButton(i.text, 'use-idea-' + i.id, 'idea:' + i.id));
          })));
        }
        ctx.patch(cands, nodes);
      }
      renderActionList(ctx, list);
      if (secDetails) kindDetails(ctx, details, otherKinds);
    }
  };
}
