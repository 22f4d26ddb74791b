/* Grouping: the facilitator sorts the ideas of the source phase into themes; the room watches. */
import { ideaCards, currentIdeas, mergedCount, mergePanel, toggleMerge, mergedList, setHidden } from './shared.js';

var FA = window.FA;
var el = FA.el;
var t = FA.t;

export var label = 'Grouping';
export var skipLabel = 'Go to the wall';

// The control view's ideas of this phase: those of its source phase.
export function ownsIdea(phase, idea) {
  return idea.phase_id === (phase.settings && phase.settings.source);
}

export function phone(ctx) {
  var list = el('div', { class: 'themes' });
  ctx.body.appendChild(list);
  function ideaReadOnly(i) {
    var mine = ctx.mine.has(i.id);
    return el('li', { class: 'idea' + (mine ? ' idea-own' : '') },
      ctx.inLang(el('p', { class: 'idea-text' }, i.text), ctx.sessionLang()),
      mine ? el('div', { class: 'idea-meta' }, el('span', { class: 'badge' }, t('Mine'))) : null);
  }
  return {
    update: function () {
      FA.clear(list);
      FA.themeSections(ctx.state(), t('Not grouped yet')).forEach(function (s) {
        list.appendChild(el('section', { class: 'theme-group' },
          el('h3', null, t('{title} ({count})', { title: s.title, count: s.ideas.length })),
          s.ideas.length ? el('ul', { class: 'ideas' }, s.ideas.map(ideaReadOnly)) : el('p', { class: 'muted' }, t('No ideas in this theme yet.'))));
      });
      if (!(ctx.state().ideas || []).length) list.appendChild(el('p', { class: 'muted' }, t('No ideas to group.')));
    }
  };
}

export function projector(ctx) {
  var card = ideaCards(ctx);
  var heads = new Map();
  var bar = ctx.metaRow();
  var chips = el('div', { class: 'p-chips', hidden: true });
  var host = el('div', { class: 'p-flow' });
  var blocks = [];
  ctx.fit.appendChild(chips);
  ctx.fit.appendChild(host);
  function groupHead(extraClass) {
    return el('h2', { class: ['p-group-head', extraClass] },
      el('span', { class: 'p-group-title' }, ''),
      el('span', { class: 'p-group-n' }, '0'));
  }
  return {
    update: function () {
      var state = ctx.state();
      var sections = FA.themeSections(state, t('Not grouped yet'));
      bar.meta.textContent = t('Themes: {count}', { count: (state.themes || []).length });
      // Themes nobody has put an idea under yet take a small label, not a column.
      var empty = sections.filter(function (s) { return !s.ideas.length; });
      FA.clear(chips);
      chips.hidden = !empty.length;
      if (empty.length) {
        chips.appendChild(el('span', { class: 'p-chips-label' }, t('Themes without ideas yet:')));
        chips.appendChild(el('ul', { class: 'p-chip-list' }, empty.map(function (s) {
          return el('li', { class: 'p-chip' }, s.title);
        })));
      }
      blocks = [];
      sections.filter(function (s) { return s.ideas.length; }).forEach(function (s) {
        var head = heads.get(s.key);
        var loose = s.key === 'loose';
        if (!head) {
          head = groupHead(loose ? 'is-loose' : null);
          heads.set(s.key, head);
        }
        head.querySelector('.p-group-title').textContent = s.title;
        head.querySelector('.p-group-n').textContent = String(s.ideas.length);
        blocks.push({ node: head, head: true, group: s.key, title: s.title });
        s.ideas.forEach(function (x) {
          var li = card(x);
          li.classList.toggle('is-loose', loose);
          blocks.push({ node: li, group: s.key });
        });
      });
    },
    layout: function (k) { return ctx.flow(host, blocks, k, bar.pager); }
  };
}

/* ---------- control view: drag and drop, or select and move ---------- */
export function control(ctx) {
  var app = ctx.app;
  var view = { merging: null };   // id of the idea whose merge picker is open
  var editingTheme = null;        // theme id being renamed
  var themeDrafts = {};
  var selected = {};              // idea id -> true: ideas ticked for "move to theme"
  var openMenu = null;            // idea id whose hide/merge tools are unfolded
  var dragging = false;           // a card is being dragged: renders wait until it is dropped
  var lang = ctx.sessionLang();

  var pool = el('div', { class: 'pool' });
  var themeList = el('div', { class: 'theme-list' });
  var counts = el('p', { class: 'wall-counts', id: 'group-counts' });
  var merged = el('div', { class: 'merged-box' });
  var selCount = el('p', { class: 'bulk-count', id: 'bulk-count' });
  var moveSel = el('select', { id: 'bulk-theme', 'data-key': 'bulk-theme', 'aria-describedby': 'bulk-count' });
  var moveBtn = el('button', { type: 'button', class: 'btn btn-small', id: 'bulk-move', 'data-key': 'bulk-move', 'data-busy': 'group', 'aria-describedby': 'bulk-count' }, t('Move'));
  var clearBtn = el('button', { type: 'button', class: 'btn btn-small', id: 'bulk-clear', 'data-key': 'bulk-clear' }, t('Clear selection'));
  var input = el('input', { type: 'text', id: 'new-theme', name: 'title', maxlength: '200', autocomplete: 'off', required: true, 'data-key': 'new-theme', 'aria-describedby': 'new-theme-error' });
  var addBtn = el('button', { type: 'submit', class: 'btn btn-small', id: 'add-theme', 'data-key': 'add-theme', 'data-busy': 'group' }, t('Add theme'));
  var fromSelBtn = el('button', { type: 'button', class: 'btn btn-small btn-primary', id: 'theme-from-selection', 'data-key': 'theme-from-selection', 'data-busy': 'group', 'aria-describedby': 'bulk-count' }, t('New theme from selection'));
  var errNew = ctx.errorSlot('group');
  errNew.id = 'new-theme-error';
  var form = el('form', { class: 'bulk-new', novalidate: true },
    el('label', { for: 'new-theme' }, t('New theme')),
    el('div', { class: 'inline-row' }, input, addBtn, fromSelBtn));
  var moveRow = el('div', { class: 'bulk-move' },
    selCount,
    el('div', { class: 'inline-row' },
      el('label', { for: 'bulk-theme' }, t('Move the selected ideas to')),
      moveSel, moveBtn, clearBtn));

  var bar = el('div', { class: 'bulk-bar', role: 'group', 'aria-label': t('Grouping tools') }, form, moveRow, errNew);
  var secPool = ctx.section(t('Ideas without a theme'), 'sec-pool', [
    el('p', { class: 'phase-hint' }, t('Drag ideas onto a theme, or tick ideas and move them with the buttons above. The projector shows the themes as you sort.')),
    pool], 'pool-section');
  var secThemes = ctx.section(t('Themes'), 'sec-themes', [counts, themeList, merged], 'themes-section');
  var sortables = [];
  var pendingRender = false;

  // Ideas on the board: not merged away, so every card is something the wall shows (or hid).
  function live() {
    return currentIdeas(ctx).filter(function (i) { return !i.merged_into; })
      .sort(function (a, b) { return a.id - b.id; });
  }

  function currentThemes() {
    var ph = ctx.phase();
    return (ctx.state().themes || []).filter(function (th) { return th.phase_id === ph.id; })
      .sort(function (a, b) { return (a.position - b.position) || (a.id - b.id); });
  }

  function selectedIds(ideas) {
    return ideas.filter(function (i) { return selected[i.id]; }).map(function (i) { return i.id; });
  }

  function columnTitle(colId) {
    var cols = ctx.settings().columns || [];
    for (var i = 0; i < cols.length; i++) if (cols[i].id === colId) return cols[i].title;
    return null;
  }

  function byId(list, id) { return ctx.byId(list, id); }

  function moveIdeas(ids, themeId, focusKey) {
    if (!ids.length) {
      ctx.setError('group', t('Choose at least one idea first.'));
      return Promise.resolve(null);
    }
    var state = ctx.state();
    var th = themeId === null ? null : byId(currentThemes(), themeId);
    var before = {};
    ids.forEach(function (id) {
      var idea = byId(state.ideas || [], id);
      if (idea) { before[id] = idea.theme_id; idea.theme_id = themeId; } // optimistic
    });
    var msg = th
      ? (ids.length === 1 ? t('Moved to theme "{title}".', { title: th.title }) : t('{n} ideas moved to theme "{title}".', { n: ids.length, title: th.title }))
      : (ids.length === 1 ? t('Removed from its theme.') : t('{n} ideas taken out of their themes.', { n: ids.length }));
    update(true);
    return ctx.busyGuard('group', function () {
      return ctx.call('POST', '/ideas/theme', { idea_ids: ids, theme_id: themeId }, 'group', msg).then(function (res) {
        if (res) {
          ids.forEach(function (id) { delete selected[id]; });
          if (focusKey) ctx.pendingFocus(focusKey);
        } else {
          Object.keys(before).forEach(function (id) {
            var idea = byId(ctx.state().ideas || [], Number(id));
            if (idea) idea.theme_id = before[id];
          });
          ctx.resync();
        }
        update(true);
        return res;
      });
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    createTheme(false);
  });
  fromSelBtn.addEventListener('click', function () {
    if (fromSelBtn.getAttribute('aria-disabled') === 'true' && !ctx.isBusy('group')) {
      ctx.setError('group', t('Choose at least one idea first.'));
      return;
    }
    createTheme(true);
  });

  function createTheme(withSelection) {
    var name = input.value.trim();
    if (!name) { ctx.setError('group', t('Write a name for the theme first.')); input.focus(); return; }
    var ids = withSelection ? selectedIds(live()) : null;
    if (withSelection && !ids.length) { ctx.setError('group', t('Choose at least one idea first.')); return; }
    var payload = { title: name, phase_id: ctx.phase().id };
    if (ids) payload.idea_ids = ids;
    var msg = ids
      ? t('Theme "{title}" created with {n} ideas.', { title: name, n: ids.length })
      : t('Theme "{title}" added.', { title: name });
    ctx.busyGuard('group', function () {
      return ctx.call('POST', '/themes', payload, 'group', msg).then(function (res) {
        if (!res || !res.theme) return;
        var state = ctx.state();
        state.themes = (state.themes || []).filter(function (x) { return x.id !== res.theme.id; }).concat([res.theme]);
        (res.ideas || []).forEach(function (x) {
          var idea = byId(state.ideas || [], x.id);
          if (idea) idea.theme_id = x.theme_id;
          delete selected[x.id];
        });
        input.value = '';
        ctx.pendingFocus('new-theme');
        update(true);
      });
    });
  }

  moveBtn.addEventListener('click', function () {
    var ids = selectedIds(live());
    var v = moveSel.value;
    if (!ids.length) { ctx.setError('group', t('Choose at least one idea first.')); return; }
    moveIdeas(ids, v === '' ? null : Number(v), 'bulk-move');
  });
  clearBtn.addEventListener('click', function () {
    selected = {};
    update(true);
  });

  function onSelect(id, on) {
    if (on) selected[id] = true;
    else delete selected[id];
    renderBar();
  }

  function renderBar() {
    var n = selectedIds(live()).length;
    selCount.textContent = n === 0 ? t('No ideas selected.') : n === 1 ? t('1 idea selected.') : t('{n} ideas selected.', { n: n });
    [moveBtn, clearBtn, fromSelBtn].forEach(function (b) { ctx.setDisabled(b, n === 0); });
    var themes = currentThemes();
    var keep = moveSel.value;
    var opts = themes.map(function (th) { return el('option', { value: String(th.id), lang: lang }, th.title); });
    opts.push(el('option', { value: '' }, t('No theme')));
    var sig = JSON.stringify(themes.map(function (th) { return [th.id, th.title]; }));
    if (moveSel.getAttribute('data-sig') !== sig) {
      FA.clear(moveSel);
      opts.forEach(function (o) { moveSel.appendChild(o); });
      moveSel.setAttribute('data-sig', sig);
      if (keep !== '' && byId(themes, Number(keep))) moveSel.value = keep;
    }
  }

  function card(idea, inTheme) {
    var cbId = 'sel-' + idea.id;
    var textId = 'idea-' + idea.id + '-text';
    var col = columnTitle(idea.column);
    var nMerged = mergedCount(ctx, idea);
    var cb = el('input', {
      type: 'checkbox', id: cbId, 'data-key': cbId, checked: !!selected[idea.id],
      onchange: function () { onSelect(idea.id, cb.checked); }
    });
    // Hide and merge are occasional: they sit behind a small "more" toggle per card.
    var tools = [el('button', {
      type: 'button', class: 'btn btn-tiny', 'data-key': 'hide-' + idea.id, 'aria-describedby': textId,
      'data-busy': 'hide-' + idea.id,
      onclick: function () { openMenu = idea.id; setHidden(ctx, idea, !idea.hidden); }
    }, idea.hidden ? t('Show again') : t('Hide'))];
    var targets = live().filter(function (o) { return o.id !== idea.id; });
    if (targets.length) {
      tools.push(el('button', {
        type: 'button', class: 'btn btn-tiny', 'data-key': 'merge-' + idea.id, 'aria-describedby': textId,
        'aria-expanded': view.merging === idea.id ? 'true' : 'false',
        onclick: function () {
          openMenu = idea.id;
          toggleMerge(ctx, view, idea);
          update(true);
        }
      }, t('Merge…')));
    }
    var menu = el('details', {
      class: 'card-menu', open: openMenu === idea.id,
      ontoggle: function () {
        if (menu.open) openMenu = idea.id;
        else if (openMenu === idea.id) openMenu = null;
      }
    },
    el('summary', { class: 'btn btn-tiny', 'data-key': 'menu-' + idea.id, 'aria-describedby': textId },
      el('span', { 'aria-hidden': 'true' }, '⋯'), el('span', { class: 'visually-hidden' }, t('More'))),
    el('div', { class: 'idea-tools' }, tools));
    var meta = [
      inTheme && col ? el('span', { class: 'col-tag', lang: lang }, col) : null,
      idea.hidden ? el('span', { class: 'badge badge-hidden' }, t('Hidden')) : null,
      nMerged ? el('span', { class: 'badge' }, t('{n} merged', { n: nMerged })) : null
    ].filter(Boolean);
    return el('li', { class: ['idea-card', idea.hidden ? 'is-hidden' : null, selected[idea.id] ? 'is-selected' : null], 'data-id': String(idea.id) },
      el('div', { class: 'idea-card-main' },
        cb,
        el('label', { for: cbId, class: 'idea-text', id: textId, lang: lang }, idea.text),
        menu),
      meta.length ? el('p', { class: 'idea-meta' }, meta) : null,
      view.merging === idea.id && targets.length ? mergePanel(ctx, view, idea, targets) : null,
      ctx.errorSlot('idea-' + idea.id));
  }

  function list(ideas, themeId, labelId) {
    return el('ul', {
      class: 'card-list', 'data-theme': themeId === null ? '' : String(themeId),
      'aria-labelledby': labelId
    }, ideas.map(function (i) { return card(i, themeId !== null); }));
  }

  function themeCard(th, members) {
    var errKey = 'theme-' + th.id;
    var titleId = 'theme-title-' + th.id;
    var head;
    if (editingTheme === th.id) {
      head = renameForm(th, errKey);
    } else {
      head = el('div', { class: 'theme-head' },
        el('h4', { id: titleId, lang: lang }, th.title, ' ',
          el('span', { class: 'count' }, '(' + ctx.countText(members.length, '1 idea', '{n} ideas') + ')')),
        el('div', { class: 'theme-tools' },
          el('button', {
            type: 'button', class: 'btn btn-tiny', 'data-key': 'rename-' + th.id, 'aria-describedby': titleId,
            onclick: function () {
              editingTheme = th.id;
              themeDrafts[th.id] = th.title;
              ctx.pendingFocus('rename-input-' + th.id);
              update(true);
            }
          }, t('Rename')),
          el('button', {
            type: 'button', class: 'btn btn-tiny btn-danger', 'data-key': 'del-theme-' + th.id, 'aria-describedby': titleId,
            'data-busy': 'del-' + errKey,
            onclick: function () {
              var q = members.length
                ? t('Delete the theme "{title}"? Its {n} ideas stay but are no longer in a theme.', { title: th.title, n: members.length })
                : t('Delete the theme "{title}"?', { title: th.title });
              if (!window.confirm(q)) return;
              ctx.busyGuard('del-' + errKey, function () {
                return ctx.call('DELETE', '/themes/' + th.id, null, errKey, t('Theme deleted.')).then(function (res) {
                  if (res) ctx.pendingFocus('new-theme');
                });
              });
            }
          }, t('Delete'))));
    }
    return el('li', { class: 'theme card', 'data-theme-id': String(th.id) }, head,
      list(members, th.id, titleId),
      members.length ? null : el('p', { class: 'drop-hint' }, t('Drag ideas here.')),
      ctx.errorSlot(errKey));
  }

  function renameForm(th, errKey) {
    var inputId = 'rename-input-' + th.id;
    var rin = el('input', {
      type: 'text', id: inputId, 'data-key': inputId, maxlength: '200', required: true, autocomplete: 'off',
      value: themeDrafts[th.id] !== undefined ? themeDrafts[th.id] : th.title,
      oninput: function () { themeDrafts[th.id] = rin.value; },
      onkeydown: function (e) { if (e.key === 'Escape') { e.preventDefault(); stopRename(th.id); } }
    });
    return el('form', {
      class: 'inline-form rename-form', novalidate: true,
      onsubmit: function (e) {
        e.preventDefault();
        var name = rin.value.trim();
        if (!name) { ctx.setError(errKey, t('Write a name for the theme first.')); return; }
        ctx.busyGuard(errKey, function () {
          return ctx.call('PATCH', '/themes/' + th.id, { title: name }, errKey, t('Theme renamed.')).then(function (res) {
            if (res) {
              th.title = name;
              stopRename(th.id);
            }
          });
        });
      }
    },
    el('label', { for: inputId }, t('New name for the theme')),
    el('div', { class: 'inline-row' }, rin,
      el('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-busy': errKey }, t('Save')),
      el('button', { type: 'button', class: 'btn btn-small', onclick: function () { stopRename(th.id); } }, t('Cancel'))));
  }

  function stopRename(id) {
    editingTheme = null;
    delete themeDrafts[id];
    ctx.setError('theme-' + id, null);
    ctx.pendingFocus('rename-' + id);
    ctx.render();
  }

  function bindSortables() {
    sortables.forEach(function (x) { x.destroy(); });
    sortables = [];
    if (typeof window.Sortable !== 'function') return; // the select-and-move tools still work
    Array.prototype.forEach.call(app.querySelectorAll('.group-board .card-list'), function (ul) {
      sortables.push(window.Sortable.create(ul, {
        group: 'ideas',
        sort: false,
        animation: 120,
        forceFallback: true,       // pointer events for mouse and touch alike
        fallbackOnBody: true,
        fallbackTolerance: 4,
        delay: 180,
        delayOnTouchOnly: true,    // a finger scrolls; a long press picks a card up
        emptyInsertThreshold: 24,
        filter: 'input, button, select, textarea, a, summary, details',
        preventOnFilter: false,
        ghostClass: 'is-ghost',
        chosenClass: 'is-chosen',
        dragClass: 'is-dragging',
        onStart: function () { dragging = true; },
        onEnd: function (evt) {
          dragging = false;
          if (evt.from === evt.to) { if (pendingRender) update(true); return; }
          var id = Number(evt.item.getAttribute('data-id'));
          var raw = evt.to.getAttribute('data-theme');
          var themeId = raw === '' ? null : Number(raw);
          // Dragging one of several ticked ideas moves them all.
          var ids = selected[id] ? selectedIds(live()) : [id];
          if (ids.indexOf(id) < 0) ids.push(id);
          moveIdeas(ids, themeId, null);
        }
      }));
    });
  }

  function update(force) {
    if (dragging) { pendingRender = true; return; }
    pendingRender = false;
    var ideas = live();
    var themes = currentThemes();
    var all = currentIdeas(ctx);
    var sig = [all, themes, editingTheme, view.merging, selected, ctx.settings()];
    if (!force && !ctx.changed('board', sig)) { renderBar(); return; }
    ctx.changed('board', sig);
    Object.keys(selected).forEach(function (id) { if (!byId(ideas, Number(id))) delete selected[id]; });
    var themeIds = {};
    themes.forEach(function (th) { themeIds[th.id] = true; });
    var loose = ideas.filter(function (i) { return i.theme_id === null || i.theme_id === undefined || !themeIds[i.theme_id]; });
    var grouped = ideas.length - loose.length;
    counts.textContent = t('{grouped} of {n} ideas are in a theme.', { grouped: grouped, n: ideas.length });

    var cols = (ctx.settings().columns || []).slice();
    var known = {};
    cols.forEach(function (c) { known[c.id] = true; });
    if (!cols.length || loose.some(function (i) { return !i.column || !known[i.column]; })) {
      cols.push({ id: null, title: cols.length ? t('No column') : t('Ideas') });
    }
    var poolNodes;
    if (!ideas.length) {
      poolNodes = [el('p', { class: 'empty' }, t('There are no ideas to sort.'))];
    } else {
      poolNodes = cols.map(function (c, ci) {
        var inCol = loose.filter(function (i) { return c.id ? i.column === c.id : !known[i.column]; });
        var hid = 'pool-col-' + ci;
        return el('section', { class: 'pool-column', 'aria-labelledby': hid },
          el('h4', { id: hid, lang: c.id ? lang : null }, c.title, ' ', el('span', { class: 'count' }, '(' + inCol.length + ')')),
          list(inCol, null, hid));
      });
    }
    ctx.patch(pool, poolNodes);
    ctx.patch(themeList, themes.length
      ? el('ul', { class: 'themes' }, themes.map(function (th) {
        return themeCard(th, ideas.filter(function (i) { return i.theme_id === th.id; }));
      }))
      : el('p', { class: 'empty' }, t('No themes yet. Write a name above, or tick ideas and make a theme of them.')));
    ctx.patch(merged, mergedList(ctx, all));
    renderBar();
    bindSortables();
  }

  return {
    nodes: [bar, el('div', { class: 'group-board' }, secPool, secThemes)],
    update: function () { update(false); }
  };
}
