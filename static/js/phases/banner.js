/* The banner: what an earlier vote or classify phase chose, kept in view on phones and
   the projector in later phases (snapshot key `banner`, docs/protocol.md). Text only. */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

// Show (or hide) the banner of a state right after `anchor` (the phase prompt).
export function showBanner(state, anchor) {
  if (!anchor || !anchor.parentNode) return;
  var node = document.getElementById('phase-banner');
  var b = state && state.session && state.session.status === 'live' ? state.banner : null;
  if (!b || !(b.items || []).length) {
    if (node) node.hidden = true;
    return;
  }
  var lang = state.session.language;
  var key = JSON.stringify(b);
  if (!node) {
    node = el('aside', { id: 'phase-banner', class: 'phase-banner', 'aria-labelledby': 'phase-banner-title' });
    anchor.parentNode.insertBefore(node, anchor.nextSibling);
  }
  node.hidden = false;
  if (node.getAttribute('data-key') === key) return;
  node.setAttribute('data-key', key);
  FA.clear(node);
  node.appendChild(el('p', { class: 'phase-banner-title', id: 'phase-banner-title' },
    t('Chosen earlier'), ': ', el('span', { lang: lang }, b.title)));
  node.appendChild(el('ul', { class: 'phase-banner-items', lang: lang },
    b.items.map(function (it) { return el('li', null, it.title); })));
}
