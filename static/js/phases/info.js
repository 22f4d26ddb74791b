/* Introduction: a question to discuss, perhaps material behind a link. Takes no input. */
var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Introduction';

export function phone(ctx) {
  var st = ctx.settings();
  if (st.link) {
    ctx.body.appendChild(el('p', null,
      el('a', { class: 'btn btn-primary', href: st.link, target: '_blank', rel: 'noopener noreferrer' },
        st.link_label || t('Open the material'),
        el('span', { class: 'visually-hidden' }, ' ' + t('(opens in a new tab)')))));
  }
  ctx.body.appendChild(el('p', { class: 'muted' }, t('Listen and discuss. The next phase appears here automatically.')));
  return {};
}

export function projector(ctx) {
  var st = ctx.settings();
  if (st.link) {
    ctx.fit.appendChild(el('p', { class: 'p-link' },
      el('strong', null, st.link_label || t('Material')), el('br'), st.link));
  }
  return {};
}

export function control(ctx) {
  var s = ctx.settings();
  var nodes = [];
  if (s.link) {
    nodes.push(ctx.section(t('Material'), 'sec-material',
      el('p', null, el('a', { href: s.link, target: '_blank', rel: 'noopener noreferrer', lang: ctx.sessionLang() },
        s.link_label || s.link,
        el('span', { class: 'visually-hidden' }, ' (' + t('opens in a new window') + ')')))));
  }
  nodes.push(el('p', { class: 'phase-hint' }, t('Participants see the question on their phones and on the projector.')));
  return { nodes: nodes };
}
