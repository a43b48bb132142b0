enum Mode { A = 1 << 2, B = A | 1, C = "c".length }
namespace N { export const x = Mode.B; }
declare module 'react' { interface X {} }
export default class App extends Object { render() { return <i data-n={N.x}>{Mode.C}</i>; } }
