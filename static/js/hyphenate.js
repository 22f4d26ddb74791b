/* Hyphenation for the phone page.

   Finnish and Swedish compounds are long, and most phone browsers have no hyphenation
   dictionary for them (Chrome on Android and Linux has none for fi or sv), so CSS
   `hyphens: auto` alone lets overflow-wrap cut words anywhere. This inserts soft hyphens
   (U+00AD) at the hyphenation points of the vendored `hyphen` library (TeX patterns),
   in the language of the nearest `lang` attribute, into every text node of the page as
   it is added or changed. Text stays text: only text nodes' data is rewritten, never
   markup. Form fields, live regions and URLs are left alone, and copying strips the soft
   hyphens again. */
(function () {
  'use strict';

  var SHY = '\u00AD';
  var SHY_ALL = /\u00AD/g;
  var MIN_WORD = 8; // shorter words are never split: they fit a line and split looks busy
  var MIN_TAIL = 3;
  var LONG_RUN = new RegExp('[^\\s' + SHY + ']{' + MIN_WORD + ',}');
  var PATTERNS = { fi: 'hyphenationPatternsFi', sv: 'hyphenationPatternsSv', en: 'hyphenationPatternsEnUs' };
  // Text in these is typed, announced or machine-like: leave it exactly as it is.
  var SKIP = 'script, style, textarea, input, select, option, code, pre, kbd, output, ' +
    '[data-no-hyphens], .visually-hidden, [role="alert"], [role="status"], [role="timer"], ' +
    '[aria-live]:not([aria-live="off"])';
  var NOT_A_WORD = /(:\/\/|^www\.|@)/i; // addresses and e-mails keep their exact text

  var made = {};
  function hyphenator(lang) {
    var key = String(lang || '').toLowerCase().split('-')[0];
    if (!Object.prototype.hasOwnProperty.call(made, key)) {
      var patterns = PATTERNS[key] && window[PATTERNS[key]];
      made[key] = patterns && typeof window.createHyphenator === 'function'
        ? window.createHyphenator(patterns, { html: false, minWordLength: MIN_WORD })
        : null;
    }
    return made[key];
  }

  // Plain text with soft hyphens at the hyphenation points of `lang`.
  function hyphenateText(text, lang) {
    var plain = String(text).replace(SHY_ALL, '');
    var hy = hyphenator(lang);
    if (!hy || !LONG_RUN.test(plain)) return plain;
    return plain.split(/(\s+)/).map(function (part) {
      if (part.length < MIN_WORD || NOT_A_WORD.test(part)) return part;
      // At least three letters go to the next line ("seuran-ta" stays "seuranta").
      var pieces = hy(part).split(SHY);
      while (pieces.length > 1 && pieces[pieces.length - 1].replace(/[^\p{L}]/gu, '').length < MIN_TAIL) {
        var tail = pieces.pop();
        pieces[pieces.length - 1] += tail;
      }
      return pieces.join(SHY);
    }).join('');
  }

  function langOf(el) {
    var holder = el.closest('[lang]');
    return holder ? holder.getAttribute('lang') : document.documentElement.lang;
  }

  function doText(node) {
    var parent = node.parentElement;
    if (!parent || !LONG_RUN.test(node.data)) return;
    if (parent.closest(SKIP)) return;
    var out = hyphenateText(node.data, langOf(parent));
    if (out !== node.data) node.data = out; // idempotent: a second pass changes nothing
  }

  function doTree(root) {
    if (root.nodeType === 3) return doText(root);
    if (root.nodeType !== 1 && root.nodeType !== 11) return;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var n;
    while ((n = walker.nextNode())) doText(n);
  }

  function start() {
    var root = document.body;
    if (!root) return;
    doTree(root);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === 'characterData') doText(r.target);
        else if (r.type === 'attributes') doTree(r.target); // a new lang: hyphenate again
        else r.addedNodes.forEach(doTree);
      });
    }).observe(root, {
      childList: true, subtree: true, characterData: true,
      attributes: true, attributeFilter: ['lang']
    });
  }

  // Copied text carries no invisible soft hyphens.
  document.addEventListener('copy', function (e) {
    var sel = window.getSelection ? String(window.getSelection()) : '';
    if (sel.indexOf(SHY) < 0 || !e.clipboardData) return;
    e.clipboardData.setData('text/plain', sel.replace(SHY_ALL, ''));
    e.preventDefault();
  });

  window.FAHyphenate = { text: hyphenateText, tree: doTree };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
