// The judge's eyes: runs in an isolated world ("reactlab") of each submission's frame. It
// shares the DOM with the learner's code but not its JavaScript globals or prototypes, so
// code that replaces document.querySelector, Element.prototype getters or MutationObserver in
// the page cannot change what the judge sees. Everything returns plain JSON-able values.
// It talks to the frame's harness (frame.js) by DOM events named with the site's secret:
// events cross worlds, their string details too, and the page cannot guess the names.
(secret) => {
  const collapse = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
  const matches = (actual, expected, exact) => {
    const a = collapse(actual);
    const e = collapse(expected);
    return exact ? a === e : a.toLowerCase().includes(e.toLowerCase());
  };
  const SKIP = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'HEAD', 'HTML']);

  const isVisible = (el) => {
    if (!el.isConnected) return false;
    if (!el.checkVisibility({ visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const hiddenFromPeople = (el) => {
    for (let n = el; n; n = n.parentElement) {
      if (n.getAttribute('aria-hidden') === 'true') return true;
    }
    return !el.checkVisibility({ visibilityProperty: true });
  };
  // For role locators: the options of a closed drop-down have no box, but people and
  // assistive technology see them with it, so they are as hidden as their <select>.
  const hiddenForRoles = (el) => {
    const select = el.tagName === 'OPTION' || el.tagName === 'OPTGROUP' ? el.closest('select') : null;
    if (!select) return hiddenFromPeople(el);
    for (let n = el; n && n !== select; n = n.parentElement) {
      if (n.getAttribute('aria-hidden') === 'true' || n.hidden || getComputedStyle(n).display === 'none') return true;
    }
    return hiddenFromPeople(select);
  };

  const INPUT_ROLES = {
    button: 'button', submit: 'button', reset: 'button', image: 'button', checkbox: 'checkbox', radio: 'radio',
    range: 'slider', number: 'spinbutton', search: 'searchbox', email: 'textbox', tel: 'textbox', text: 'textbox', url: 'textbox',
  };
  // Inputs with no ARIA role; unknown types fall back to text boxes, as browsers do.
  // Inputs that hold no text to type, fill or clear.
  const NOT_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'image', 'color', 'range', 'hidden']);
  const NO_ROLE_INPUTS = new Set(['password', 'hidden', 'file', 'color', 'date', 'datetime-local', 'month', 'time', 'week']);
  const TAG_ROLES = {
    BUTTON: 'button', TEXTAREA: 'textbox', OPTION: 'option', UL: 'list', OL: 'list', MENU: 'list', LI: 'listitem',
    H1: 'heading', H2: 'heading', H3: 'heading', H4: 'heading', H5: 'heading', H6: 'heading', P: 'paragraph',
    DIALOG: 'dialog', NAV: 'navigation', MAIN: 'main', HEADER: 'banner', FOOTER: 'contentinfo', ASIDE: 'complementary',
    ARTICLE: 'article', FORM: 'form', TABLE: 'table', TR: 'row', TD: 'cell', TH: 'columnheader', FIELDSET: 'group',
    HR: 'separator', OUTPUT: 'status', PROGRESS: 'progressbar', METER: 'meter', SUMMARY: 'button', DETAILS: 'group',
    STRONG: 'strong', EM: 'emphasis', CODE: 'code', BLOCKQUOTE: 'blockquote', LABEL: null,
  };
  const roleOf = (el) => {
    const explicit = el.getAttribute('role');
    if (explicit && explicit.trim()) return explicit.trim().split(/\s+/)[0].toLowerCase();
    const tag = el.tagName;
    if (tag === 'INPUT') {
      const type = (el.getAttribute('type') || 'text').toLowerCase();
      let role = INPUT_ROLES[type];
      if (role === undefined) role = NO_ROLE_INPUTS.has(type) ? null : 'textbox';
      if ((role === 'textbox' || role === 'searchbox') && el.hasAttribute('list')) return 'combobox';
      return role;
    }
    if (tag === 'SELECT') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag === 'A' || tag === 'AREA') return el.hasAttribute('href') ? 'link' : null;
    if (tag === 'IMG') return el.getAttribute('alt') === '' ? 'presentation' : 'img';
    if (tag === 'SECTION') return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : null;
    return TAG_ROLES[tag] ?? null;
  };

  const NAME_FROM_CONTENT = new Set([
    'button', 'cell', 'checkbox', 'columnheader', 'gridcell', 'heading', 'link', 'menuitem', 'menuitemcheckbox',
    'menuitemradio', 'option', 'radio', 'row', 'rowheader', 'switch', 'tab', 'tooltip', 'treeitem', 'listitem', 'legend',
  ]);
  const BLOCK = /^(block|flex|grid|list-item|table|table-row|table-cell|flow-root)/;
  // The text a subtree contributes to a name: text nodes, alt texts and aria-labels, skipping
  // hidden parts and `skip` (a control inside its own label).
  const contentText = (node, skip) => {
    let out = '';
    for (const child of node.childNodes) {
      if (child === skip) continue;
      if (child.nodeType === Node.TEXT_NODE) { out += child.data; continue; }
      if (child.nodeType !== Node.ELEMENT_NODE || SKIP.has(child.tagName)) continue;
      if (hiddenFromPeople(child)) continue;
      const label = child.getAttribute('aria-label');
      let part;
      if (label && label.trim()) part = label;
      else if (child.tagName === 'IMG') part = child.getAttribute('alt') || '';
      else if (child.tagName === 'INPUT' && ['button', 'submit', 'reset'].includes(child.type)) part = child.value;
      else part = contentText(child, skip);
      const block = BLOCK.test(getComputedStyle(child).display);
      out += block ? ` ${part} ` : part;
    }
    return out;
  };
  const byIds = (el, attr) => (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)).filter(Boolean);
  // The label text of a control: aria-labelledby, aria-label, then <label> elements.
  const labelOf = (el) => {
    const ids = byIds(el, 'aria-labelledby');
    if (ids.length) return collapse(ids.map((n) => n.getAttribute('aria-label') || contentText(n, el)).join(' '));
    const aria = el.getAttribute('aria-label');
    if (aria && aria.trim()) return collapse(aria);
    if (el.labels && el.labels.length) return collapse([...el.labels].map((l) => contentText(l, el)).join(' '));
    return null;
  };
  const nameOf = (el, role) => {
    const label = labelOf(el);
    if (label) return label;
    const tag = el.tagName;
    if (tag === 'INPUT') {
      const type = el.type;
      if (type === 'submit' || type === 'reset' || type === 'button') return collapse(el.value || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : ''));
      if (type === 'image') return collapse(el.alt);
    }
    if (tag === 'IMG' || tag === 'AREA') return collapse(el.getAttribute('alt'));
    if (tag === 'FIELDSET') { const l = el.querySelector(':scope > legend'); if (l) return collapse(contentText(l)); }
    if (tag === 'TABLE') { const c = el.querySelector(':scope > caption'); if (c) return collapse(contentText(c)); }
    if (NAME_FROM_CONTENT.has(role)) { const t = collapse(contentText(el)); if (t) return t; }
    return collapse(el.getAttribute('title'));
  };

  const all = (scope) => [...(scope === document ? document.documentElement : scope).querySelectorAll('*')];
  const textOfNode = (el) => collapse(el.textContent);

  // Finds the elements a locator describes, in document order. Returns { elements } or
  // { error } for a malformed locator or an ambiguous `within`.
  const find = (loc, scope = document) => {
    if (loc.within) {
      const inner = resolve(loc.within, scope);
      if (inner.error === 'ambiguous') return { error: 'ambiguous within', count: inner.count };
      if (inner.error) return inner.error === 'ambiguous within' ? inner : { error: `${inner.error} (in \`within\`)` };
      if (!inner.element) return { elements: [] };
      scope = inner.element;
    }
    const exact = !!loc.exact;
    let found;
    try {
      if (loc.role !== undefined) {
        const role = loc.role.toLowerCase();
        // A searchbox is a kind of textbox (ARIA's role hierarchy): a statement's "text input"
        // may be an <input type="search">.
        const fits = role === 'textbox' ? (r) => r === 'textbox' || r === 'searchbox' : (r) => r === role;
        found = all(scope).filter((el) => fits(roleOf(el)) && (loc.include_hidden || !hiddenForRoles(el)) &&
          (loc.name === undefined || matches(nameOf(el, role), loc.name, exact)));
      } else if (loc.label !== undefined) {
        found = all(scope).filter((el) => { const l = labelOf(el); return l !== null && matches(l, loc.label, exact); });
      } else if (loc.text !== undefined) {
        const hits = all(scope).filter((el) => !SKIP.has(el.tagName) && matches(textOfNode(el), loc.text, exact));
        const set = new Set(hits);
        found = hits.filter((el) => ![...el.children].some((c) => set.has(c)));
      } else if (loc.placeholder !== undefined) {
        found = all(scope).filter((el) => el.hasAttribute('placeholder') && matches(el.getAttribute('placeholder'), loc.placeholder, exact));
      } else if (loc.test_id !== undefined) {
        found = all(scope).filter((el) => el.getAttribute('data-testid') === loc.test_id);
      } else if (loc.tag !== undefined) {
        found = [...(scope === document ? document : scope).querySelectorAll(loc.tag)];
      } else if (loc.css !== undefined) {
        found = [...(scope === document ? document : scope).querySelectorAll(loc.css)];
      } else {
        return { error: 'the locator has no strategy' };
      }
    } catch (e) {
      return { error: `the locator is invalid: ${e.message}` };
    }
    if (loc.has_text !== undefined) found = found.filter((el) => matches(textOfNode(el), loc.has_text, false));
    if (loc.named) found = found.filter((el) => nameOf(el, roleOf(el)) !== '');
    if (loc.nth !== undefined && loc.nth !== null) {
      const i = loc.nth < 0 ? found.length + loc.nth : loc.nth;
      found = i >= 0 && i < found.length ? [found[i]] : [];
    }
    return { elements: found };
  };

  // Exactly one element (strict): { element } / { element: null } / { error, count }.
  const resolve = (loc, scope = document) => {
    const r = find(loc, scope);
    if (r.error) return r;
    if (r.elements.length > 1) return { error: 'ambiguous', count: r.elements.length };
    return { element: r.elements[0] ?? null };
  };

  const describeEl = (el) => {
    if (!el) return 'nothing';
    let s = `<${el.tagName.toLowerCase()}`;
    for (const a of ['id', 'role', 'class']) if (el.getAttribute(a)) s += ` ${a}="${el.getAttribute(a).slice(0, 40)}"`;
    const t = collapse(el.textContent).slice(0, 40);
    return `${s}>${t ? t + '…' : ''}`;
  };

  const BUTTON_INPUTS = new Set(['button', 'submit', 'reset']);
  const boxOf = (el) => {
    let top = Infinity, bottom = -Infinity, left = Infinity, right = -Infinity;
    for (const node of el.childNodes) {
      if (node.nodeType !== 3 || !node.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.width === 0 && r.height === 0) continue;
        top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom);
        left = Math.min(left, r.left); right = Math.max(right, r.right);
      }
    }
    if (top === Infinity) ({ top, bottom, left, right } = el.getBoundingClientRect());
    return { top, bottom, left, right };
  };
  // Visible text, as a person reads it (innerText), without the text of `excluding` matches.
  const visibleText = (el, excluding) => {
    // An <input type="button"> shows its value as its label; it has no text of its own.
    if (el.tagName === 'INPUT' && BUTTON_INPUTS.has(el.type)) return collapse(el.value);
    let text = el.innerText ?? el.textContent ?? '';
    if (excluding) {
      const r = find(excluding, document);
      for (const x of r.elements ?? []) {
        if (x === el || !el.contains(x)) continue;
        const t = x.innerText ?? '';
        if (t) text = text.replace(t, ' ');
      }
    }
    return collapse(text);
  };
  const NUMBER = /(?<![\w.])-?\d+(?:\.\d+)?/g; // "5", "-3", "2.5", also "5s"; not the 2 of "h2"
  const numbersIn = (text) => [...new Set((text.match(NUMBER) ?? []).map(Number))];

  let nextAsk = 1;
  const waiting = new Map();
  const acknowledged = new Set();
  addEventListener(`reactlab-${secret}-reply`, (event) => {
    event.stopImmediatePropagation();
    const { id, ack, value } = JSON.parse(event.detail);
    if (ack) { acknowledged.add(id); return; }
    const wake = waiting.get(id);
    if (wake) { waiting.delete(id); wake(value); }
  }, true);
  // Asks the frame's harness; it answers at once or, for a mount or a clock move, when done.
  // It acknowledges every question as it gets it: without that, it is gone (document.open()
  // erases every listener of the window), and the answer is null at once.
  const ask = (op, args) => new Promise((resolve) => {
    const id = nextAsk++;
    waiting.set(id, resolve);
    dispatchEvent(new CustomEvent(`reactlab-${secret}-cmd`, { detail: JSON.stringify({ id, op, args }) }));
    if (!acknowledged.delete(id)) { waiting.delete(id); resolve(null); }
  });

  let root = null;
  // The element the last `point` found under the spot it gave (the judge then moved the
  // pointer there, or found it there already).
  let pointed = null;
  const api = {
    // Mounts test `test` (the clock standing still if `clock`): { type: 'mounted' } or
    // { type: 'mount-error', message }.
    async mount(test, clock) {
      root = null;
      pointed = null;
      const outcome = await ask('mount', [test, clock]);
      root = document.getElementById('root');
      return outcome;
    },
    // What the page logged since the last drain: { console: [{ kind, text }], dropped, exceptions }.
    drain() {
      return ask('drain', []);
    },
    // The test is over: what it logged, whether the page was still the harness, and the
    // harness undoes what the test left behind.
    async finish(undo) {
      const health = api.health();
      const logged = await ask('finish', [undo]);
      root = null;
      return { ...(logged || {}), health };
    },
    // Moves the page clock `ms` forward, running the timers due on the way.
    tick(ms) {
      return ask('tick', [ms]);
    },
    // Whether the page is still the harness: the mount point the component was mounted
    // into is still there.
    health() {
      if (!root) return 'the page has no mount point';
      if (!root.isConnected || document.getElementById('root') !== root) {
        return 'the page replaced its own document (document.write/open, or the mount point was removed)';
      }
      return null;
    },
    // Where to act on the element, once it is actionable: { x, y, again } or { wait: reason }
    // or { error }. `again` when the same element was found there by the last call: if the
    // pointer still stands at (x, y), the judge presses without moving it first.
    // The element must also be stable: when something in the page animates, it must be
    // in the same place one frame later.
    async point(loc, needEnabled) {
      const r = resolve(loc);
      if (r.error) return r;
      const el = r.element;
      if (!el) return { wait: 'no element matches' };
      if (!isVisible(el)) return { wait: 'the element is not visible' };
      if (needEnabled && el.matches(':disabled')) return { wait: 'the element is disabled' };
      let rect = el.getBoundingClientRect();
      const vw = innerWidth, vh = innerHeight;
      if (rect.bottom < 0 || rect.right < 0 || rect.top > vh || rect.left > vw ||
          rect.top < 0 || rect.left < 0 || rect.bottom > vh || rect.right > vw) {
        el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
        rect = el.getBoundingClientRect();
      }
      const x = Math.min(Math.max(rect.left + rect.width / 2, 0), vw - 1);
      const y = Math.min(Math.max(rect.top + rect.height / 2, 0), vh - 1);
      const hit = document.elementFromPoint(x, y);
      const ok = hit && (hit === el || el.contains(hit) || (el.labels && [...el.labels].some((l) => l === hit || l.contains(hit))));
      if (!ok) return { wait: `it is covered by ${describeEl(hit)}` };
      if (document.getAnimations().length > 0) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const later = el.getBoundingClientRect();
        if (later.left !== rect.left || later.top !== rect.top || later.width !== rect.width || later.height !== rect.height) {
          return { wait: 'it kept moving' };
        }
      }
      const again = hit === pointed;
      pointed = hit;
      // A move's reply waits for the next frame, which let the tasks the last step queued
      // run (a <dialog>'s close event after Escape) before the press. Without a move, one
      // task turn does the same: no person presses faster than that. A message, not a
      // timer: a frame's timers are aligned to its frames, which is the wait saved.
      if (again) await new Promise((resolve) => { const { port1, port2 } = new MessageChannel(); port1.onmessage = resolve; port2.postMessage(null); });
      return { x, y, again };
    },
    // A point of the page outside every element of the learner's (a corner or edge).
    away() {
      const w = innerWidth - 1, h = innerHeight - 1;
      const candidates = [[w, h], [0, h], [w, 0], [0, 0], [w / 2, h], [w, h / 2]];
      for (const [x, y] of candidates) {
        const hit = document.elementFromPoint(x, y);
        if (!hit || hit === document.body || hit === document.documentElement || hit === root) return { x, y };
      }
      return { x: w, y: h };
    },
    // { state: 'absent' | 'hidden' | 'visible', count } (or { error } for an ambiguous match).
    state(loc) {
      const r = find(loc);
      if (r.error) return r;
      if (r.elements.length === 0) return { state: 'absent', count: 0 };
      if (r.elements.length > 1) return { error: 'ambiguous', count: r.elements.length };
      return { state: isVisible(r.elements[0]) ? 'visible' : 'hidden', count: 1 };
    },
    count(loc) {
      const r = find(loc);
      return r.error ? r : { count: r.elements.length };
    },
    // Where `on` and `of` are drawn: { on: box, of: box } (top, bottom, left, right), or
    // { wait } / { error }. A box is the element's own text where it has some (a count
    // written after an input inside one <div> is placed by its words), else its border box.
    position(onLoc, ofLoc) {
      const out = {};
      for (const [key, loc] of [['on', onLoc], ['of', ofLoc]]) {
        const r = resolve(loc);
        if (r.error) return { ...r, which: key };
        if (!r.element) return { wait: 'no element matches', which: key };
        if (!isVisible(r.element)) return { wait: 'the element is not visible', which: key };
        out[key] = boxOf(r.element);
      }
      return out;
    },
    // Reads one value of the element (or of the page when loc is null).
    read(loc, what, arg, excluding) {
      let el = document.body;
      if (loc) {
        const r = resolve(loc);
        if (r.error) return r;
        if (!r.element) return { wait: 'no element matches' };
        el = r.element;
      }
      switch (what) {
        case 'text': return { value: visibleText(el, excluding) };
        case 'number': {
          const nums = numbersIn(visibleText(el, excluding ?? (loc ? null : { role: 'button' })));
          if (nums.length === 0) return { wait: 'no number is shown', actual: visibleText(el, excluding) };
          if (nums.length > 1) return { wait: `several numbers are shown (${nums.join(', ')})`, actual: visibleText(el, excluding) };
          return { value: String(nums[0]) };
        }
        case 'style': {
          // Mid-transition the value is neither the old nor the new one: read it once the
          // transition of that property has ended, as a person sees the settled page.
          const moving = el.getAnimations().some((a) => a.playState === 'running' && a.transitionProperty === arg);
          if (moving) return { wait: `its ${arg} is still changing (a CSS transition runs)` };
          return { value: getComputedStyle(el).getPropertyValue(arg) };
        }
        case 'attribute': return { value: el.getAttribute(arg) };
        case 'property': {
          const v = el[arg];
          return { value: v === undefined ? null : v };
        }
        default: return { error: `cannot read ${what}` };
      }
    },
    focus(loc) {
      const r = resolve(loc);
      if (r.error) return r;
      if (!r.element) return { wait: 'no element matches' };
      r.element.focus();
      return { ok: document.activeElement === r.element || r.element.contains(document.activeElement) };
    },
    // Selects all the text of a text field (to replace or delete it): { ok } or { error }.
    selectAll(loc) {
      const r = resolve(loc);
      if (r.error || !r.element) return r;
      const el = r.element;
      const field = el.isContentEditable || el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !NOT_TEXT_INPUTS.has(el.type));
      if (!field) return { error: `it is ${describeEl(el)}, not a text field` };
      el.focus();
      if (typeof el.select === 'function') el.select();
      else { const range = document.createRange(); range.selectNodeContents(el); const s = getSelection(); s.removeAllRanges(); s.addRange(range); }
      return { ok: true };
    },
    // Chooses an option of a <select> by its text or value, as the browser does for a user:
    // the value changes, then `input` and `change` fire.
    selectOption(loc, option) {
      const r = resolve(loc);
      if (r.error) return r;
      const el = r.element;
      if (!el) return { wait: 'no element matches' };
      if (el.tagName !== 'SELECT') return { error: `it is ${describeEl(el)}, not a <select>` };
      if (el.disabled) return { wait: 'the element is disabled' };
      const opts = [...el.options];
      const opt = opts.find((o) => collapse(o.label || o.text).toLowerCase() === collapse(option).toLowerCase()) ??
        opts.find((o) => o.value === option);
      if (!opt) return { error: `it has no option “${option}” (options: ${opts.map((o) => collapse(o.text)).join(', ')})` };
      if (opt.disabled) return { wait: `the option “${option}” is disabled` };
      el.focus();
      el.value = opt.value;
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return { ok: true };
    },
  };
  // One call of the judge: the answer, and whether the page is still the harness.
  const run = async (name, args) => {
    const value = await api[name](...args);
    return { value, health: api.health() };
  };
  Object.defineProperty(globalThis, '__rl', { value: Object.freeze({ run }), writable: false, configurable: false });
}
