// The harness's own module, run in the page before the learner's code. It takes the
// reporting binding for itself (so the learner's code cannot call it), mounts the learner's
// component once with createRoot + flushSync, and reports the outcome to the judge.
const report = globalThis.__reactlabReport;
delete globalThis.__reactlabReport;
const send = (message) => report(JSON.stringify(message));
const describe = (error) => {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try { return `Uncaught ${typeof error === 'string' ? error : JSON.stringify(error)}`; } catch { return String(error); }
};
let mounting = true;
let mountError = null;
try {
  window.name = '';
  const [React, client, dom, app] = await Promise.all([
    import('react'),
    import('react-dom/client'),
    import('react-dom'),
    import('/__reactlab/app.js'),
  ]);
  const Component = app.default;
  const isComponent = typeof Component === 'function' ||
    (Component !== null && typeof Component === 'object' && '$$typeof' in Component);
  if (!isComponent) {
    send({ type: 'mount-error', message: `The default export is not a React component (it is ${Component === null ? 'null' : typeof Component}).` });
  } else {
    const root = client.createRoot(document.getElementById('root'), {
      onUncaughtError(error) {
        if (mounting) mountError = error;
        else send({ type: 'uncaught', message: describe(error) });
      },
    });
    dom.flushSync(() => root.render(React.createElement(Component)));
    mounting = false;
    if (mountError) send({ type: 'mount-error', message: describe(mountError) });
    else send({ type: 'mounted' });
  }
} catch (error) {
  send({ type: 'mount-error', message: describe(error) });
}
