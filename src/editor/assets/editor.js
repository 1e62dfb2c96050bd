// passeur's review editor. Every text from the folder (sources, targets, terms, flags,
// memory) is put in the page with textContent or text nodes, never as markup: an article
// that holds <script> or <img onerror> shows it as text and runs nothing.
'use strict';

const token = document.querySelector('meta[name="passeur-token"]').content;
const params = new URLSearchParams(location.search);
const PAGE = 50;

const ui = {
  segments: document.getElementById('segments'),
  counts: document.getElementById('counts'),
  folder: document.getElementById('folder'),
  saving: document.getElementById('saving'),
  readonly: document.getElementById('readonly'),
  filters: document.getElementById('filters'),
  summary: document.getElementById('summary'),
  page: document.getElementById('page'),
  previous: document.getElementById('previous'),
  next: document.getElementById('next'),
  help: document.getElementById('help'),
  terms: document.getElementById('terms'),
  termForm: document.getElementById('term-form'),
  termMessage: document.getElementById('term-message'),
  termGlossary: document.getElementById('term-glossary'),
  candidates: document.getElementById('candidates'),
};

// What the list shows: the filters, the page, and one article when a deep link asked.
const view = { offset: 0, total: 0, article: null, readOnly: false, glossary: null, termsOf: null };
// The segments on the page, in order: { key, el, data }.
let shown = [];
let active = -1;

async function api(path, body) {
  const options = { headers: { 'X-Passeur-Token': token } };
  if (body !== undefined) {
    options.method = 'POST';
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  try { data = await response.json(); } catch (e) { data = { error: response.statusText }; }
  return { status: response.status, ok: response.ok, data };
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function query() {
  const form = new FormData(ui.filters);
  const q = new URLSearchParams();
  for (const name of ['state', 'check', 'term', 'edited', 'text']) {
    const value = form.get(name);
    if (value) q.set(name, value);
  }
  if (view.article) q.set('article', view.article);
  return q;
}

function queryObject() {
  const q = {};
  for (const [name, value] of query()) q[name] = value;
  return q;
}

// ---- status ----

async function refreshStatus() {
  const { ok, data } = await api('/api/status');
  if (!ok) return;
  ui.folder.textContent = data.folder;
  ui.folder.title = 'memory: ' + data.memory;
  ui.counts.replaceChildren(...Object.entries(data.states).map(([state, n]) =>
    el('span', { class: 'count ' + state, 'data-count': state }, state.replace('-', ' ') + ' ', el('b', { text: n }))));
  view.glossary = data.glossary || null;
  ui.terms.hidden = !view.glossary;
  ui.termGlossary.textContent = view.glossary ? '→ ' + view.glossary : '';
  view.readOnly = !!data.read_only;
  ui.readonly.hidden = !view.readOnly;
  ui.readonly.textContent = data.read_only || '';
  document.body.classList.toggle('read-only', view.readOnly);
  for (const box of document.querySelectorAll('[data-role="target"]')) box.readOnly = view.readOnly;
  if (data.render_error) {
    ui.saving.textContent = 'deliverables not written yet: ' + data.render_error;
  } else if (data.rendering) {
    ui.saving.textContent = 'saved · updating the deliverables…';
  } else if (ui.saving.textContent) {
    ui.saving.textContent = 'saved · every deliverable is up to date';
  }
  return data;
}

// ---- the list ----

async function load(focusKey) {
  const q = query();
  q.set('offset', view.offset);
  q.set('limit', view.article ? 200 : PAGE);
  const { ok, data } = await api('/api/segments?' + q.toString());
  if (!ok) {
    ui.summary.textContent = data.error || 'cannot list the segments';
    return;
  }
  view.total = data.total;
  shown = [];
  active = -1;
  const nodes = [];
  let article = null;
  for (const segment of data.segments) {
    if (segment.row.article !== article) {
      article = segment.row.article;
      nodes.push(articleHeader(article));
    }
    const item = { key: segment.key, data: segment, el: null };
    item.el = renderSegment(item);
    shown.push(item);
    nodes.push(item.el);
  }
  if (!data.segments.length) nodes.push(el('p', { class: 'empty', text: 'No segment matches these filters.' }));
  ui.segments.replaceChildren(...nodes);
  // A whole article shows its neighbours already: no context lines.
  ui.segments.classList.toggle('whole-article', !!view.article);
  const last = Math.min(view.offset + data.segments.length, data.total);
  ui.page.textContent = data.total ? `${view.offset + 1}–${last} of ${data.total}` : '';
  ui.summary.replaceChildren();
  if (view.article) {
    ui.summary.append('Article ', el('b', { text: view.article }), ' ',
      el('button', { type: 'button', id: 'all-articles', text: 'back to the list' }));
    document.getElementById('all-articles').addEventListener('click', () => {
      view.article = null; view.offset = 0; load();
    });
  }
  ui.previous.disabled = view.offset === 0;
  ui.next.disabled = last >= data.total;
  const at = focusKey ? shown.findIndex(s => s.key === focusKey) : 0;
  if (shown.length) activate(at < 0 ? 0 : at, !!focusKey);
}

function articleHeader(article) {
  const open = el('button', { type: 'button', class: 'link', text: 'open the whole article' });
  open.addEventListener('click', () => { view.article = article; view.offset = 0; load(); });
  return el('h2', { class: 'article', 'data-article': article }, article, ' ', open);
}

// The source with its glossary terms marked, as text nodes.
function markedSource(row) {
  const text = row.source;
  const spans = (row.terms || []).map(t => ({ start: t.span[0], end: t.span[1], term: t }))
    .sort((a, b) => a.start - b.start);
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const out = [];
  let last = 0;
  for (const span of spans) {
    if (span.start < last) continue;
    out.push(decoder.decode(bytes.slice(last, span.start)));
    out.push(el('mark', { class: 'term ' + span.term.status, title: `${span.term.source} → ${span.term.target} (${span.term.status})` },
      decoder.decode(bytes.slice(span.start, span.end))));
    last = span.end;
  }
  out.push(decoder.decode(bytes.slice(last)));
  return out;
}

function renderSegment(item) {
  const s = item.data;
  const row = s.row;
  const target = el('textarea', {
    'data-role': 'target', rows: Math.max(2, Math.ceil(row.target.length / 70)),
    lang: 'en', spellcheck: 'true', 'aria-label': 'translation of ' + s.key,
  });
  target.value = row.target;
  target.readOnly = view.readOnly;
  const node = el('section', { class: 'seg', 'data-segment': s.key, 'data-state': s.state, tabindex: '-1' },
    el('div', { class: 'n' }, `${row.paragraph + 1}.${row.index + 1}`, el('span', { class: 'state', 'data-role': 'state', text: s.state })),
    el('div', { class: 'source' },
      s.before ? el('div', { class: 'context', text: s.before }) : null,
      el('div', { class: 'text', lang: 'fr', 'data-role': 'source' }, ...markedSource(row)),
      s.after ? el('div', { class: 'context', text: s.after }) : null),
    el('div', { class: 'target' }, target,
      el('div', { class: 'actions' },
        button('Confirm', 'Ctrl+Enter', () => save(item, 'translated', true)),
        button('Approve', 'Ctrl+Shift+Enter', () => save(item, 'approved', true)),
        button('Reject', 'Alt+R', () => save(item, 'rejected', false)),
        button('Copy source', 'Ctrl+I', () => setTarget(item, row.source)),
        button('Add term', 'Alt+G', () => termFromSelection(item))),
      el('div', { class: 'message', 'data-role': 'message', 'aria-live': 'polite' }),
      el('div', { class: 'details', 'data-role': 'details' })));
  target.addEventListener('focus', () => activate(shown.indexOf(item), false));
  target.addEventListener('input', () => scheduleCheck(item));
  item.el = node;
  item.target = target;
  item.live = row;
  showDetails(item);
  return node;
}

function button(label, keys, action) {
  const b = el('button', { type: 'button', title: keys, text: label });
  b.addEventListener('click', action);
  return b;
}

// Flags, terms, alternatives, the diff against the machine translation.
function showDetails(item) {
  const row = item.live;
  const s = item.data;
  const details = item.el.querySelector('[data-role="details"]');
  const parts = [];
  if (row.flags.length) {
    parts.push(el('ul', { class: 'flags', 'data-role': 'flags' }, ...row.flags.map(f =>
      el('li', { class: 'flag ' + f.severity, 'data-check': f.check }, el('b', { text: f.check }), ' ' + f.reason))));
  } else {
    parts.push(el('ul', { class: 'flags', 'data-role': 'flags' }, el('li', { class: 'flag ok', text: 'no QA flag' })));
  }
  if (row.terms.length) {
    parts.push(el('ul', { class: 'terms', 'data-role': 'terms' }, ...row.terms.map(t =>
      el('li', { class: 'term ' + t.status }, t.source + ' → ', el('b', { text: t.target }), ' ' + t.status))));
  }
  const alternatives = (s.row.alternatives || []).slice(0, 3);
  if (alternatives.length) {
    parts.push(el('ol', { class: 'alternatives', 'data-role': 'alternatives' }, ...alternatives.map((a, i) => {
      const use = el('button', { type: 'button', class: 'link', title: 'Alt+' + (i + 1), text: a });
      use.addEventListener('click', () => setTarget(item, a));
      return el('li', {}, use);
    })));
  }
  const machine = machineText(s);
  if (machine !== null && machine !== item.target.value) {
    parts.push(el('div', { class: 'diff', 'data-role': 'diff' }, el('span', { class: 'label', text: 'against the machine translation: ' }), ...diff(machine, item.target.value)));
  }
  if (item.others && item.others.length) {
    parts.push(el('div', { class: 'others', 'data-role': 'same-source' },
      el('span', { class: 'label', text: 'same source, other translation:' }),
      ...item.others.map(o => {
        const adopt = el('button', { type: 'button', class: 'link', text: 'use this' });
        adopt.addEventListener('click', () => setTarget(item, o.row.target));
        return el('div', {}, el('span', { text: o.row.target }), ' ', el('small', { text: o.key + ' · ' + o.state }), ' ', adopt);
      })));
  }
  if (item.history && item.history.length) {
    parts.push(el('details', { class: 'history', 'data-role': 'history' },
      el('summary', { text: `history (${item.history.length})` }),
      el('ol', {}, ...item.history.map(h => el('li', {},
        el('time', { text: new Date(h.at * 1000).toLocaleString() }), ' ', el('b', { text: h.state }), ' ', h.target)))));
  }
  details.replaceChildren(...parts);
}

function machineText(s) {
  if (s.row.review) return s.row.review.machine === undefined ? null : s.row.review.machine;
  return s.row.memory ? null : s.row.target;
}

// A word diff (longest common subsequence), as <del> and <ins> text.
function diff(before, after) {
  const a = before.split(/(\s+)/), b = after.split(/(\s+)/);
  const n = a.length, m = b.length;
  if (n * m > 250000) return [el('del', { text: before }), ' ', el('ins', { text: after })];
  const table = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--)
    table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push(a[i]); i++; j++; }
    else if (j < m && (i === n || table[i][j + 1] >= table[i + 1][j])) { out.push(el('ins', { text: b[j] })); j++; }
    else { out.push(el('del', { text: a[i] })); i++; }
  }
  return out;
}

function setTarget(item, text) {
  if (view.readOnly) return;
  item.target.value = text;
  item.target.focus();
  scheduleCheck(item);
}

// ---- checks as the reviewer types ----

function scheduleCheck(item) {
  clearTimeout(item.timer);
  item.timer = setTimeout(async () => {
    const { ok, data } = await api('/api/check', { key: item.key, target: item.target.value });
    if (ok) { item.live = data; showDetails(item); }
  }, 250);
}

// ---- moving ----

async function activate(index, scroll) {
  if (index < 0 || index >= shown.length) return;
  if (active >= 0 && shown[active]) shown[active].el.classList.remove('active');
  active = index;
  const item = shown[index];
  item.el.classList.add('active');
  if (document.activeElement !== item.target) item.target.focus({ preventScroll: true });
  if (scroll !== false) item.el.scrollIntoView({ block: 'center' });
  loadTerms(item.data.row.article);
  if (!item.loaded) {
    item.loaded = true;
    const [others, history] = await Promise.all([
      api('/api/same-source?key=' + encodeURIComponent(item.key)),
      api('/api/history?key=' + encodeURIComponent(item.key)),
    ]);
    item.others = others.ok ? others.data : [];
    item.history = history.ok ? history.data : [];
    showDetails(item);
  }
}

async function move(step) {
  const next = active + step;
  if (next >= 0 && next < shown.length) return activate(next);
  if (step > 0 && !ui.next.disabled) { view.offset += PAGE; await load(); }
  else if (step < 0 && !ui.previous.disabled) { view.offset = Math.max(0, view.offset - PAGE); await load(); activate(shown.length - 1); }
}

function isOpen(item) {
  const state = item.el.dataset.state;
  return state === 'needs-review' || state === 'rejected';
}

async function nextOpen() {
  for (let i = active + 1; i < shown.length; i++) if (isOpen(shown[i])) return activate(i);
  if (!ui.next.disabled) {
    // With the "to do" filter the saved segment leaves the list: the same offset is the next page.
    if (new FormData(ui.filters).get('state') !== 'todo' || view.article) view.offset += PAGE;
    await load();
    const first = shown.findIndex(isOpen);
    if (first >= 0) activate(first);
  }
}

// ---- saving ----

async function save(item, state, advance) {
  if (view.readOnly) { message(item, 'read-only: ' + ui.readonly.textContent, 'error'); return; }
  const edit = { key: item.key, target: item.target.value, state, base: item.data.revision };
  const { status, ok, data } = await api('/api/save', edit);
  if (ok) {
    item.data = data;
    item.live = data.row;
    item.el.dataset.state = data.state;
    item.el.querySelector('[data-role="state"]').textContent = data.state;
    item.target.value = data.row.target;
    item.loaded = false;
    message(item, state === 'rejected' ? 'rejected' : 'saved: ' + state, 'ok');
    showDetails(item);
    ui.saving.textContent = 'saved · updating the deliverables…';
    refreshStatus();
    if (advance) await nextOpen();
    return;
  }
  if (status === 409) {
    conflict(item, edit, data);
  } else {
    if (status === 423) refreshStatus();
    message(item, data.error || 'not saved', 'error');
  }
}

// Someone saved the segment meanwhile (another tab, another reviewer): show theirs, keep
// ours in the box, and let the reviewer choose.
function conflict(item, edit, data) {
  const theirs = data.segment;
  const box = item.el.querySelector('[data-role="message"]');
  const keep = el('button', { type: 'button', text: 'take theirs' });
  const mine = el('button', { type: 'button', text: 'save mine over it' });
  keep.addEventListener('click', () => {
    item.data = theirs; item.live = theirs.row; item.target.value = theirs.row.target;
    item.el.dataset.state = theirs.state;
    item.el.querySelector('[data-role="state"]').textContent = theirs.state;
    box.replaceChildren(); showDetails(item);
  });
  mine.addEventListener('click', () => { item.data = theirs; item.target.value = edit.target; save(item, edit.state, false); });
  box.className = 'message error';
  box.setAttribute('data-conflict', '');
  box.replaceChildren(el('b', { text: 'Conflict: ' }), data.error + ' ', el('q', { text: theirs.row.target }), ' (' + theirs.state + ') ', keep, ' ', mine);
}

function message(item, text, kind) {
  const box = item.el.querySelector('[data-role="message"]');
  box.removeAttribute('data-conflict');
  box.className = 'message ' + kind;
  box.textContent = text;
}

// ---- terminology: add a term from selected words, the terms this article may need ----

// Selecting words in the target box ends the selection in the source: the last words
// selected in a source are kept, with their segment.
let pickedSource = null;
document.addEventListener('selectionchange', () => {
  const selection = window.getSelection();
  if (!selection || !selection.rangeCount || selection.isCollapsed) return;
  const node = selection.anchorNode && (selection.anchorNode.nodeType === 1 ? selection.anchorNode : selection.anchorNode.parentElement);
  const source = node && node.closest('[data-role="source"]');
  if (!source) return;
  pickedSource = { key: source.closest('[data-segment]').dataset.segment, text: selection.toString().trim() };
  ui.termForm.dataset.picked = pickedSource.text;
});

// The words selected in the segment's source, and in its target box.
function termFromSelection(item) {
  if (!view.glossary) return;
  const source = pickedSource && pickedSource.key === item.key ? pickedSource.text : '';
  const box = item.target;
  const target = box.value.substring(box.selectionStart, box.selectionEnd).trim();
  openTermForm(source, target);
}

function openTermForm(source, target) {
  const form = ui.termForm.elements;
  if (source) form.source.value = source;
  if (target) form.target.value = target;
  ui.termMessage.textContent = '';
  (form.source.value ? form.target : form.source).focus();
}

ui.termForm.addEventListener('submit', async event => {
  event.preventDefault();
  const form = ui.termForm.elements;
  const { ok, data } = await api('/api/term', { source: form.source.value, target: form.target.value });
  ui.termMessage.className = 'message ' + (ok ? 'ok' : 'error');
  if (ok) {
    ui.termMessage.textContent = `added ${data.source} → ${data.target} (${data.entries} entries)`;
    form.source.value = '';
    form.target.value = '';
    view.termsOf = null;
    if (shown[active]) { loadTerms(shown[active].data.row.article); shown[active].target.focus(); }
  } else {
    ui.termMessage.textContent = data.error || 'not added';
  }
});

async function loadTerms(article) {
  if (!view.glossary || view.termsOf === article) return;
  view.termsOf = article;
  const { ok, data } = await api('/api/terms?article=' + encodeURIComponent(article));
  if (!ok || view.termsOf !== article) return;
  if (!data.candidates.length) {
    ui.candidates.replaceChildren(el('p', { class: 'empty', text: 'No term to add for ' + article + '.' }));
    return;
  }
  ui.candidates.replaceChildren(el('b', { text: 'Terms ' + article + ' may need: ' }),
    el('ul', {}, ...data.candidates.map(c => {
      const rendering = (c.renderings || [])[0];
      const use = el('button', { type: 'button', class: 'link', text: c.source, title: 'put it in the form' });
      use.addEventListener('click', () => openTermForm(c.source, rendering ? rendering.text : ''));
      // The first rendering shown; all of them, and the examples, on hover.
      const all = (c.renderings || []).map(r => `${r.text} ×${r.count}`).join(', ');
      return el('li', { 'data-candidate': c.source, title: (all ? 'rendered ' + all + '\n' : '') + (c.examples || []).join('\n') },
        use, ` ×${c.count}`, rendering ? el('small', { text: ' → ' + rendering.text }) : null);
    })));
}

// ---- keys: MateCat's and Weblate's ----

document.addEventListener('keydown', event => {
  const item = shown[active];
  const typing = event.target.tagName === 'TEXTAREA' || event.target.tagName === 'INPUT';
  if (event.key === 'Escape' && !ui.help.hidden) { ui.help.hidden = true; return; }
  if ((event.key === '?' && !typing) || event.key === 'F1') { event.preventDefault(); ui.help.hidden = !ui.help.hidden; return; }
  if (!item) return;
  if (event.ctrlKey && event.key === 'Enter') {
    event.preventDefault();
    save(item, event.shiftKey ? 'approved' : 'translated', true);
  } else if (event.ctrlKey && event.key === 'ArrowDown') {
    event.preventDefault(); move(1);
  } else if (event.ctrlKey && event.key === 'ArrowUp') {
    event.preventDefault(); move(-1);
  } else if (event.ctrlKey && (event.key === 'i' || event.key === 'I')) {
    event.preventDefault(); setTarget(item, item.data.row.source);
  } else if (event.altKey && /^Digit[0-3]$/.test(event.code)) {
    event.preventDefault();
    const n = Number(event.code.slice(5));
    if (n === 0) { const machine = machineText(item.data); if (machine !== null) setTarget(item, machine); }
    else if ((item.data.row.alternatives || [])[n - 1]) setTarget(item, item.data.row.alternatives[n - 1]);
  } else if (event.altKey && event.code === 'KeyR') {
    event.preventDefault(); save(item, 'rejected', false);
  } else if (event.altKey && event.code === 'KeyG') {
    event.preventDefault(); termFromSelection(item);
  }
});

// ---- filters, pages, bulk ----

let filterTimer;
ui.filters.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => { view.offset = 0; view.article = null; load(); }, 200);
});
ui.filters.addEventListener('submit', event => event.preventDefault());
ui.previous.addEventListener('click', () => { view.offset = Math.max(0, view.offset - PAGE); load(); });
ui.next.addEventListener('click', () => { view.offset += PAGE; load(); });
document.getElementById('help-button').addEventListener('click', () => { ui.help.hidden = !ui.help.hidden; });
document.getElementById('bulk').addEventListener('click', async () => {
  if (view.readOnly) return;
  if (!confirm(`Approve all ${view.total} segment(s) these filters show?`)) return;
  const { ok, data } = await api('/api/bulk', { query: queryObject(), state: 'approved' });
  ui.summary.textContent = ok
    ? `approved ${data.changed} segment(s)` + (data.conflicts ? `; ${data.conflicts} changed meanwhile, left as they were` : '')
    : (data.error || 'not approved');
  refreshStatus();
  load();
});

// ---- start ----

setInterval(refreshStatus, 3000);
(async () => {
  await refreshStatus();
  const deep = params.get('segment');
  if (deep) {
    const { ok, data } = await api('/api/segment?key=' + encodeURIComponent(deep));
    if (ok) {
      ui.filters.elements.state.value = '';
      view.article = data.row.article;
      await load(deep);
      return;
    }
    ui.summary.textContent = 'No segment ' + deep + ' in this folder.';
  }
  await load();
})();
