/* Summary: the agreed actions for everyone; exports and the top of the vote for the facilitator. */
import { renderActionList, renderTally } from './shared.js';

var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Summary';

// Phones and the room see the agreed actions, as in the actions phase.
export { phone, projector } from './actions.js';

export function control(ctx) {
  var urls = ctx.exportUrls;
  var top = el('div', { class: 'top-items' });
  var list = el('div', { class: 'action-list' });
  var links = el('ul', { class: 'export-links' },
    urls.view ? el('li', null, el('a', { href: urls.view }, t('Summary for reading and printing'))) : null,
    urls.md ? el('li', null, el('a', { href: urls.md, download: '' }, t('Download as Markdown'))) : null,
    urls.html && urls.html !== urls.view ? el('li', null, el('a', { href: urls.html, download: '' }, t('Download as HTML'))) : null,
    urls.json ? el('li', null, el('a', { href: urls.json, download: '' }, t('Download as JSON'))) : null);
  var secExport = ctx.section(t('Summary and exports'), 'sec-export', [
    el('p', { class: 'phase-hint' }, t('The summary collects the ideas, themes, results and agreed actions. Share it with the work community after the session.')),
    links]);
  var secTop = ctx.section(t('Voting results'), 'sec-top', [top]);
  var secList = ctx.section(t('Agreed actions'), 'sec-actions', [list]);
  return {
    nodes: [secExport, secTop, secList],
    update: function () {
      var v = ctx.state().vote;
      secTop.hidden = !(v && v.results && v.results.length);
      if (v && v.results && ctx.changed('top', v.results)) renderTally(ctx, top, v, 5);
      renderActionList(ctx, list);
    }
  };
}
