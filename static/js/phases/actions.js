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

export function control(ctx) {
  var cands = el('div', { class: 'candidates' });
  var list = el('div', { class: 'action-list' });
  var form = actionForm(ctx, null);
  var secForm = ctx.section(t('Add an agreed action'), 'sec-action-form', [
    el('p', { class: 'phase-hint' }, t('Write down what the work community agrees to do. Participants and the projector see the list.')),
    form.node]);
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
    nodes: [el('div', { class: 'actions-grid' }, secForm, secCands), secList],
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
    }
  };
}
