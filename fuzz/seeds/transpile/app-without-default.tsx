import { useReducer, type Reducer } from 'react';
type Action = { kind: 'add' } | { kind: 'reset' };
const reducer: Reducer<number, Action> = (n, a) => (a.kind === 'add' ? n + 1 : 0);
export function App<T extends object>(props: T) {
  const [n, dispatch] = useReducer(reducer, 0);
  return <button onClick={() => dispatch({ kind: 'add' })}>Increment {n satisfies number}</button>;
}
