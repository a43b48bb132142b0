// The page clock for tests that move time (`advance_clock`): installed before any module
// runs, it replaces setTimeout/setInterval (and their clear functions), Date and
// performance.now, so the learner's timers fire and time reads move only when the judge
// advances the clock. MessageChannel and requestAnimationFrame keep real time, so React
// renders and runs effects as usual between timers. The judge drives it through an event whose
// name holds a per-test secret, and hears back through the harness's report binding.
(() => {
  const SECRET = '__SECRET__';
  const report = globalThis.__reactlabReport;
  const RealDate = Date;
  const realSetTimeout = setTimeout;
  let now = RealDate.now();
  let nextId = 1;
  const timers = new Map(); // id -> { at, fn, args, every }

  const add = (fn, delay, args, repeat) => {
    const id = nextId++;
    const ms = Math.max(0, Number(delay) || 0);
    if (typeof fn === 'function') timers.set(id, { at: now + ms, fn, args, every: repeat ? Math.max(1, ms) : 0 });
    return id;
  };
  const clear = (id) => { timers.delete(Number(id)); };
  globalThis.setTimeout = function setTimeout(fn, delay, ...args) { return add(fn, delay, args, false); };
  globalThis.setInterval = function setInterval(fn, delay, ...args) { return add(fn, delay, args, true); };
  globalThis.clearTimeout = function clearTimeout(id) { clear(id); };
  globalThis.clearInterval = function clearInterval(id) { clear(id); };

  function FakeDate(...args) {
    if (!new.target) return new RealDate(now).toString();
    return args.length ? new RealDate(...args) : new RealDate(now);
  }
  FakeDate.prototype = RealDate.prototype;
  FakeDate.now = () => now;
  FakeDate.parse = RealDate.parse;
  FakeDate.UTC = RealDate.UTC;
  globalThis.Date = FakeDate;
  const start = now;
  const perfBase = performance.now();
  performance.now = function now_() { return perfBase + (now - start); };

  // Lets React commit and run effects between two timers: a few macrotask turns.
  const channel = new MessageChannel();
  const turn = () => new Promise((resolve) => { channel.port1.onmessage = resolve; channel.port2.postMessage(0); });
  const settle = async () => { for (let i = 0; i < 3; i++) await turn(); };

  const next = (until) => {
    let best = null;
    for (const [id, t] of timers) if (t.at <= until && (!best || t.at < best[1].at)) best = [id, t];
    return best;
  };
  let busy = Promise.resolve();
  const advance = async (ms, seq) => {
    const until = now + ms;
    for (let found = next(until); found; found = next(until)) {
      const [id, t] = found;
      now = t.at;
      if (t.every) t.at += t.every; else timers.delete(id);
      try { t.fn.apply(globalThis, t.args); } catch (error) { realSetTimeout(() => { throw error; }, 0); }
      await settle();
    }
    now = until;
    await settle();
    report(JSON.stringify({ type: 'clock', seq }));
  };
  addEventListener(`reactlab-clock-${SECRET}`, (event) => {
    // "ms:seq" as a string: a primitive crosses from the judge's world intact.
    const [ms, seq] = String(event.detail).split(':').map(Number);
    busy = busy.then(() => advance(ms || 0, seq));
  });
})();
