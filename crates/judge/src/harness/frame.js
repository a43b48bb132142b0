// The frame's harness: the first script of every submission's frame, in the page's own
// world. It loads React, then waits for the judge's world to ask it (by events named with a
// per-submission secret) to mount a test, move the clock, or hand over what the page logged.
// Each test mounts a fresh instance of the learner's module on a new root in a new
// container; before it, everything the previous test can have left behind is undone:
// timers, intervals, animation frames, idle callbacks, observers, listeners outside the
// container, requests in flight, message channels, storage, cookies, IndexedDB, globals and
// built-in prototypes it changed, the document around the container, and the clock.
(() => {
  // The secret comes as an attribute, so that this script's text is the same in every
  // frame and V8 compiles it once (its in-memory cache is keyed by the source).
  const SECRET = document.currentScript.dataset.secret;
  const MODULE = '__MODULE__';
  document.currentScript.remove();

  // Everything the harness uses, taken before any other code runs.
  const W = window;
  const apply = Reflect.apply;
  const { defineProperty, getOwnPropertyDescriptor, getOwnPropertyDescriptors } = Object;
  const ownKeys = Reflect.ownKeys;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const CE = CustomEvent;
  const addListener = EventTarget.prototype.addEventListener;
  const detailOf = getOwnPropertyDescriptor(CustomEvent.prototype, 'detail').get;
  const stopImmediate = Event.prototype.stopImmediatePropagation;
  const removeListener = EventTarget.prototype.removeEventListener;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const contains = Node.prototype.contains;
  const RealDate = Date;
  const realPerformanceNow = performance.now.bind(performance);
  const realSetTimeout = setTimeout.bind(W);
  const realClearTimeout = clearTimeout.bind(W);
  const realSetInterval = setInterval.bind(W);
  const realRaf = requestAnimationFrame.bind(W);
  const realCaf = cancelAnimationFrame.bind(W);
  const realRic = W.requestIdleCallback ? W.requestIdleCallback.bind(W) : null;
  const realCic = W.cancelIdleCallback ? W.cancelIdleCallback.bind(W) : null;
  const realFetch = W.fetch.bind(W);
  const xhrSend = XMLHttpRequest.prototype.send;
  const xhrAbort = XMLHttpRequest.prototype.abort;
  const idbOpen = IDBFactory.prototype.open;
  const localStore = W.localStorage;
  const sessionStore = W.sessionStorage;
  const cookieProperty = getOwnPropertyDescriptor(Document.prototype, 'cookie');
  const parentWindow = W.parent;
  const RealMessageChannel = MessageChannel;

  // ---- What the page logs: console errors and warnings, uncaught exceptions, dialogs.
  const MAX_ENTRIES = 50;
  const MAX_TEXT = 2000;
  let entries = [];
  let dropped = 0;
  let exceptions = 0;
  const record = (kind, text) => {
    if (entries.length >= MAX_ENTRIES) { dropped += 1; return; }
    const s = String(text);
    entries[entries.length] = { kind, text: s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s };
  };
  const show = (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    try { const json = stringify(value); if (json !== undefined) return json; } catch {}
    return String(value);
  };
  // console's own formatting: %s %d %i %f %o %O filled in, %c styles dropped.
  const format = (args) => {
    if (args.length === 0) return '';
    let rest = 1;
    let out = typeof args[0] === 'string'
      ? args[0].replace(/%([sdifoOc%])/g, (match, spec) => {
        if (spec === '%') return '%';
        if (rest >= args.length) return match;
        const arg = args[rest++];
        if (spec === 'c') return '';
        if (spec === 'd' || spec === 'i') return String(parseInt(arg, 10));
        if (spec === 'f') return String(Number(arg));
        return show(arg);
      })
      : show(args[0]);
    for (; rest < args.length; rest++) out += ` ${show(args[rest])}`;
    return out;
  };
  const describe = (error) => {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    try { return typeof error === 'string' ? error : stringify(error); } catch { return String(error); }
  };
  // A warning printed by React itself comes from the runtime's own origin.
  const fromRuntime = () => {
    const lines = String(new Error().stack).split('\n');
    return (lines[3] || '').includes('//vendor.judge.test/');
  };
  for (const [name, kind] of [['error', 'error'], ['warn', 'warning'], ['assert', 'error']]) {
    const wrapped = {
      [name](...args) {
        if (name === 'assert') {
          if (args[0]) return;
          args = ['Assertion failed:', ...args.slice(1)];
        }
        record(fromRuntime() ? 'react_warning' : kind, format(args));
      },
    }[name];
    // The learner's code may not take these back (an assignment is ignored).
    defineProperty(console, name, { get: () => wrapped, set: () => {}, configurable: false });
  }
  apply(addListener, W, ['error', (event) => {
    if (!(event instanceof ErrorEvent)) return; // a resource that failed to load
    exceptions += 1;
    record('exception', `Uncaught ${event.error === undefined ? event.message : describe(event.error)}`);
  }, true]);
  apply(addListener, W, ['unhandledrejection', (event) => {
    exceptions += 1;
    record('exception', `Uncaught (in promise) ${describe(event.reason)}`);
  }, true]);
  // The frame may not show dialogs (its sandbox has no allow-modals): they answer as Cancel.
  const dialogs = { alert: undefined, confirm: false, prompt: null };
  for (const name of Object.keys(dialogs)) {
    W[name] = { [name](message) {
      record('warning', `${name}(“${message === undefined ? '' : String(message)}”) was dismissed: the judge answers dialogs with Cancel`);
      return dialogs[name];
    } }[name];
  }

  // ---- Talking to the judge's world.
  const send = (message) => apply(dispatch, W, [new CE(`reactlab-${SECRET}-reply`, { detail: stringify(message) })]);

  let React = null;
  let client = null;
  let reactDom = null;

  // ---- What a test can leave behind, tracked from the moment React is loaded.
  const timeouts = new Set();
  const frames = new Set();
  const idles = new Set();
  const listeners = [];
  const observers = [];
  const channels = [];
  const requests = new Set();
  const xhrs = new Set();
  const databases = [];
  let usedIndexedDb = false;
  let container = null;
  let root = null;

  // The clock: real, or (in tests that move time) standing still until the judge moves it.
  let fake = null;
  const FAKE_IDS = 1e9;
  const fakeAdd = (fn, delay, args, repeat) => {
    const id = fake.nextId++;
    const ms = Math.max(0, Number(delay) || 0);
    if (typeof fn === 'function') fake.timers.set(id, { at: fake.now + ms, fn, args, every: repeat ? Math.max(1, ms) : 0 });
    return id;
  };
  const track = () => {
    W.setTimeout = function setTimeout(fn, delay, ...args) {
      if (fake) return fakeAdd(fn, delay, args, false);
      if (typeof fn !== 'function') return realSetTimeout(fn, delay);
      const id = realSetTimeout(() => { timeouts.delete(id); apply(fn, W, args); }, delay);
      timeouts.add(id);
      return id;
    };
    W.setInterval = function setInterval(fn, delay, ...args) {
      if (fake) return fakeAdd(fn, delay, args, true);
      if (typeof fn !== 'function') return realSetInterval(fn, delay);
      const id = realSetInterval(() => apply(fn, W, args), delay);
      timeouts.add(id);
      return id;
    };
    const clear = (id) => {
      if (fake && fake.timers.delete(Number(id))) return;
      timeouts.delete(id);
      realClearTimeout(id);
    };
    W.clearTimeout = function clearTimeout(id) { clear(id); };
    W.clearInterval = function clearInterval(id) { clear(id); };
    W.requestAnimationFrame = function requestAnimationFrame(fn) {
      const id = realRaf((t) => { frames.delete(id); apply(fn, W, [t]); });
      frames.add(id);
      return id;
    };
    W.cancelAnimationFrame = function cancelAnimationFrame(id) { frames.delete(id); realCaf(id); };
    if (realRic) {
      W.requestIdleCallback = function requestIdleCallback(fn, options) {
        const id = realRic((deadline) => { idles.delete(id); apply(fn, W, [deadline]); }, options);
        idles.add(id);
        return id;
      };
      W.cancelIdleCallback = function cancelIdleCallback(id) { idles.delete(id); realCic(id); };
    }
    // Listeners on anything but the test's own container (window, document, body, media
    // queries, channels…) outlive its elements: removed after the test.
    EventTarget.prototype.addEventListener = function addEventListener(type, listener, options) {
      if (!(container && this instanceof Node && apply(contains, container, [this]))) listeners.push([this, type, listener, options]);
      return apply(addListener, this, [type, listener, options]);
    };
    for (const name of ['MutationObserver', 'ResizeObserver', 'IntersectionObserver', 'PerformanceObserver', 'ReportingObserver']) {
      const Real = W[name];
      if (typeof Real !== 'function') continue;
      const Tracked = { [name]: class extends Real { constructor(...args) { super(...args); observers.push(this); } } }[name];
      W[name] = Tracked;
    }
    for (const name of ['MessageChannel', 'BroadcastChannel']) {
      const Real = W[name];
      const Tracked = { [name]: class extends Real { constructor(...args) { super(...args); channels.push(this); } } }[name];
      W[name] = Tracked;
    }
    W.fetch = function fetch(input, init) {
      const controller = new AbortController();
      requests.add(controller);
      const theirs = (init && init.signal) || (input instanceof Request ? input.signal : null);
      const signal = theirs ? AbortSignal.any([theirs, controller.signal]) : controller.signal;
      // A request the judge's server refused fails as the network would fail it; one the
      // harness aborted between tests never settles (its test is over: no error to report).
      return new Promise((resolve, reject) => {
        realFetch(input, { ...init, signal }).then((response) => {
          requests.delete(controller);
          if (response.headers.has('x-reactlab-refused')) reject(new TypeError('Failed to fetch'));
          else resolve(response);
        }, (error) => {
          requests.delete(controller);
          if (!controller.byHarness) reject(error);
        });
      });
    };
    XMLHttpRequest.prototype.send = function send(...args) { xhrs.add(this); return apply(xhrSend, this, args); };
    IDBFactory.prototype.open = function open(...args) {
      usedIndexedDb = true;
      const request = apply(idbOpen, this, args);
      apply(addListener, request, ['success', () => databases.push(request.result)]);
      return request;
    };
  };

  const FakeDate = function Date(...args) {
    if (!new.target) return new RealDate(fake ? fake.now : RealDate.now()).toString();
    return args.length ? new RealDate(...args) : new RealDate(fake ? fake.now : RealDate.now());
  };
  FakeDate.prototype = RealDate.prototype;
  FakeDate.now = () => (fake ? fake.now : RealDate.now());
  FakeDate.parse = RealDate.parse;
  FakeDate.UTC = RealDate.UTC;
  const startClock = () => {
    const start = RealDate.now();
    const perfBase = realPerformanceNow();
    fake = { now: start, timers: new Map(), nextId: FAKE_IDS };
    W.Date = FakeDate;
    performance.now = function now() { return perfBase + (fake.now - start); };
  };
  const stopClock = () => {
    fake = null;
    delete performance.now;
  };
  // Lets React commit and run effects between two timers: a few macrotask turns.
  const turn = () => new Promise((resolve) => {
    const channel = new RealMessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
    channel.port2.postMessage(0);
  });
  const settle = async () => { for (let i = 0; i < 3; i++) await turn(); };
  const advance = async (ms) => {
    if (!fake) return;
    const until = fake.now + ms;
    for (;;) {
      let best = null;
      for (const [id, t] of fake.timers) if (t.at <= until && (!best || t.at < best[1].at)) best = [id, t];
      if (!best) break;
      const [id, t] = best;
      fake.now = t.at;
      if (t.every) t.at += t.every; else fake.timers.delete(id);
      try { apply(t.fn, W, t.args); } catch (error) { realSetTimeout(() => { throw error; }, 0); }
      await settle();
    }
    fake.now = until;
    await settle();
  };

  // ---- Undoing a test.
  let snapshot = null;
  const SNAPSHOT_OF = () => [
    Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype, Boolean.prototype,
    Symbol.prototype, Promise.prototype, Map.prototype, Set.prototype, Date.prototype, RegExp.prototype, Error.prototype,
    Object, Array, Promise, JSON, Math, Reflect, console, EventTarget.prototype, Node.prototype, Element.prototype,
    HTMLElement.prototype, Document.prototype, document, Storage.prototype, navigator,
  ];
  // The window's own properties are watched differently: reading the descriptor of each of
  // its ~1200 would make the browser build every lazily created interface object (~900 of
  // them, ~20 ms in a new realm). Every key is remembered (a global the test adds is
  // deleted); the values are remembered for the lower-case ones (functions and attributes:
  // setTimeout, fetch, name…) and for these interfaces, which a test may replace.
  const WATCHED_INTERFACES = [
    'Object', 'Array', 'Function', 'String', 'Number', 'Boolean', 'Symbol', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet',
    'Date', 'RegExp', 'Error', 'TypeError', 'JSON', 'Math', 'Reflect', 'Proxy', 'Intl', 'URL', 'URLSearchParams',
    'EventTarget', 'Event', 'CustomEvent', 'Node', 'Element', 'HTMLElement', 'Document', 'Storage', 'XMLHttpRequest',
    'AbortController', 'MutationObserver', 'ResizeObserver', 'IntersectionObserver', 'PerformanceObserver',
    'ReportingObserver', 'MessageChannel', 'BroadcastChannel', 'IDBFactory', 'Image', 'Audio', 'Option',
  ];
  const takeSnapshot = () => {
    snapshot = SNAPSHOT_OF().map((object) => [object, getOwnPropertyDescriptors(object)]);
    const windowKeys = ownKeys(W);
    const interfaces = new Set(WATCHED_INTERFACES);
    snapshot.windowKeys = new Set(windowKeys);
    snapshot.window = new Map();
    for (const key of windowKeys) {
      if (typeof key !== 'string' || /^[a-z_$]/.test(key) || interfaces.has(key)) snapshot.window.set(key, getOwnPropertyDescriptor(W, key));
    }
    snapshot.html = [...document.documentElement.attributes].map((a) => [a.name, a.value]);
    snapshot.body = [...document.body.attributes].map((a) => [a.name, a.value]);
    snapshot.head = [...document.head.childNodes];
    snapshot.bodyElement = document.body;
    const onKeys = (...objects) => [...new Set(objects.flatMap((o) => ownKeys(o)).filter((k) => typeof k === 'string' && k.startsWith('on')))];
    const elementHandlers = onKeys(HTMLElement.prototype, Element.prototype);
    snapshot.handlers = [[W, onKeys(W)], [document, onKeys(Document.prototype)], [document.documentElement, elementHandlers], [document.body, elementHandlers]];
  };
  const sameDescriptor = (a, b) => a.value === b.value && a.get === b.get && a.set === b.set;
  const restore = (object, key, was) => {
    const now = getOwnPropertyDescriptor(object, key);
    if (now && was && sameDescriptor(now, was)) return;
    try {
      if (was) defineProperty(object, key, was);
      else delete object[key];
    } catch {}
  };
  const restoreObjects = () => {
    for (const [object, before] of snapshot) {
      for (const key of ownKeys(object)) restore(object, key, before[key]);
      for (const key of ownKeys(before)) if (!getOwnPropertyDescriptor(object, key)) restore(object, key, before[key]);
    }
    for (const key of ownKeys(W)) if (!snapshot.windowKeys.has(key)) restore(W, key, undefined);
    for (const [key, was] of snapshot.window) restore(W, key, was);
  };
  const restoreAttributes = (element, attributes) => {
    for (const a of [...element.attributes]) element.removeAttribute(a.name);
    for (const [name, value] of attributes) element.setAttribute(name, value);
  };
  const clearCookies = () => {
    const jar = apply(cookieProperty.get, document, []);
    if (!jar) return;
    const paths = ['/', location.pathname];
    for (const pair of jar.split(';')) {
      const name = pair.split('=')[0].trim();
      for (const path of paths) {
        for (const domain of ['', `; domain=${location.hostname}`, '; domain=judge.test']) {
          apply(cookieProperty.set, document, [`${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=${path}${domain}`]);
        }
      }
    }
  };
  // Each part on its own: a page that broke one (removed its body, say) still gets the rest.
  const steps = [
    () => { if (root) { const r = root; root = null; r.unmount(); } },
    () => { container = null; stopClock(); },
    () => { for (const id of timeouts) realClearTimeout(id); timeouts.clear(); },
    () => { for (const id of frames) realCaf(id); frames.clear(); },
    () => { for (const id of idles) realCic(id); idles.clear(); },
    () => { for (const [target, type, listener, options] of listeners.splice(0)) { try { apply(removeListener, target, [type, listener, options]); } catch {} } },
    () => { for (const o of observers.splice(0)) { try { o.disconnect(); } catch {} } },
    () => { for (const c of channels.splice(0)) { try { if (c.port1) { c.port1.close(); c.port2.close(); } else c.close(); } catch {} } },
    () => { for (const r of requests) { r.byHarness = true; r.abort(); } requests.clear(); },
    () => { for (const x of xhrs) { try { apply(xhrAbort, x, []); } catch {} } xhrs.clear(); },
    () => {
      for (const [target, keys] of snapshot.handlers) {
        for (const key of keys) { try { if (target[key]) target[key] = null; } catch {} }
      }
    },
    () => { history.replaceState(null, '', '/'); },
    () => restoreAttributes(document.documentElement, snapshot.html),
    () => { for (const node of [...document.documentElement.childNodes]) if (node !== document.head && node !== document.body) node.remove(); },
    () => { if (!document.body) document.documentElement.append(snapshot.bodyElement); },
    () => restoreAttributes(document.body, snapshot.body),
    () => { for (const node of [...document.head.childNodes]) if (!snapshot.head.includes(node)) node.remove(); },
    () => { document.adoptedStyleSheets = []; },
    () => { document.body.replaceChildren(); document.title = 'ReactLab'; W.name = ''; },
    () => { localStore.clear(); sessionStore.clear(); },
    clearCookies,
    () => { getSelection()?.removeAllRanges(); },
    () => { if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur(); },
    () => scrollTo(0, 0),
  ];
  const reset = async () => {
    // Built-ins first: the steps below use them.
    try { restoreObjects(); } catch {}
    for (const step of steps) {
      try { step(); } catch (error) { if (step === steps[0]) record('exception', `Uncaught ${describe(error)}`); }
    }
    if (usedIndexedDb) {
      usedIndexedDb = false;
      for (const db of databases.splice(0)) { try { db.close(); } catch {} }
      try {
        const names = (await indexedDB.databases()).map((d) => d.name);
        await Promise.all(names.map((name) => new Promise((resolve) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = request.onerror = request.onblocked = resolve;
        })));
      } catch {}
    }
    entries = [];
    dropped = 0;
    exceptions = 0;
  };

  // ---- Mounting one test.
  // A fresh document (the frame's first, or one reloaded) has nothing to undo, and keeps
  // the storage a reload keeps; a finished test was undone already.
  let dirty = false;
  const mount = async (test, clock) => {
    if (dirty) await reset();
    dirty = true;
    if (clock) startClock();
    container = document.createElement('div');
    container.id = 'root';
    document.body.append(container);
    let app;
    try {
      app = await import(`${MODULE}?test=${test}`);
    } catch (error) {
      record('exception', describe(error));
      return { type: 'mount-error', message: describe(error) };
    }
    const Component = app.default;
    const isComponent = typeof Component === 'function' ||
      (Component !== null && typeof Component === 'object' && '$$typeof' in Component);
    if (!isComponent) {
      return { type: 'mount-error', message: `The default export is not a React component (it is ${Component === null ? 'null' : typeof Component}).` };
    }
    let mounting = true;
    let mountError = null;
    root = client.createRoot(container, {
      onUncaughtError(error) {
        if (mounting) mountError = error;
        else { exceptions += 1; record('exception', describe(error)); }
      },
    });
    try {
      reactDom.flushSync(() => root.render(React.createElement(Component)));
    } catch (error) {
      mountError = mountError || error;
    }
    mounting = false;
    if (mountError) {
      record('exception', describe(mountError));
      return { type: 'mount-error', message: describe(mountError) };
    }
    return { type: 'mounted' };
  };

  const drain = () => {
    const out = { console: entries, dropped, exceptions };
    entries = [];
    dropped = 0;
    exceptions = 0;
    return out;
  };

  apply(addListener, W, [`reactlab-${SECRET}-cmd`, (event) => {
    apply(stopImmediate, event, []);
    const { id, op, args } = parse(apply(detailOf, event, []));
    send({ id, ack: true });
    const answer = (value) => send({ id, value });
    const fail = (error) => send({ id, value: { type: 'harness-error', message: describe(error) } });
    try {
      if (op === 'mount') mount(args[0], args[1]).then(answer, fail);
      else if (op === 'tick') advance(args[0]).then(() => answer(true), fail);
      else if (op === 'drain') answer(drain());
      // The test is over: what it logged, then everything it left undone before the next.
      // (Not after the frame's last test: the frame is closed, not reused.)
      else if (op === 'finish' && args[0] === false) answer(drain());
      else if (op === 'finish') { const logged = drain(); reset().then(() => { dirty = false; answer(logged); }, fail); }
      else fail(new Error(`unknown command ${op}`));
    } catch (error) {
      fail(error);
    }
  }]);

  const parsed = new Promise((resolve) => {
    if (document.readyState === 'loading') apply(addListener, document, ['DOMContentLoaded', resolve]);
    else resolve();
  });
  Promise.all([import('react'), import('react-dom/client'), import('react-dom'), parsed]).then(([r, c, d]) => {
    React = r;
    client = c;
    reactDom = d;
    track();
    takeSnapshot();
    parentWindow.postMessage(`reactlab-ready:${SECRET}`, '*');
  }, (error) => {
    record('exception', `The judge could not load React: ${describe(error)}`);
  });
})();
