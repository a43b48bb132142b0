import { useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';

// A 100-line component of the kind learners write, to time the transpiler on.
type Todo = { id: number; text: string; done: boolean };
type Action =
  | { type: 'add'; text: string }
  | { type: 'toggle'; id: number }
  | { type: 'remove'; id: number }
  | { type: 'clear' };

enum Filter {
  All = 'all',
  Active = 'active',
  Done = 'done',
}

interface Props {
  title?: string;
  footer?: ReactNode;
}

function reducer(todos: Todo[], action: Action): Todo[] {
  switch (action.type) {
    case 'add':
      return [...todos, { id: Date.now(), text: action.text, done: false }];
    case 'toggle':
      return todos.map((t) => (t.id === action.id ? { ...t, done: !t.done } : t));
    case 'remove':
      return todos.filter((t) => t.id !== action.id);
    case 'clear':
      return todos.filter((t) => !t.done);
  }
}

function Item({ todo, onToggle, onRemove }: { todo: Todo; onToggle: () => void; onRemove: () => void }) {
  return (
    <li className={todo.done ? 'done' : undefined}>
      <label>
        <input type="checkbox" checked={todo.done} onChange={onToggle} />
        {todo.text}
      </label>
      <button aria-label={`Delete ${todo.text}`} onClick={onRemove}>
        ×
      </button>
    </li>
  );
}

export default function App({ title = 'Todos', footer }: Props) {
  const [todos, dispatch] = useReducer(reducer, []);
  const [text, setText] = useState('');
  const [filter, setFilter] = useState<Filter>(Filter.All);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
  }, []);

  const visible = useMemo(
    () => todos.filter((t) => (filter === Filter.All ? true : filter === Filter.Done ? t.done : !t.done)),
    [todos, filter],
  );
  const left = todos.filter((t) => !t.done).length;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const value = text.trim();
    if (!value) return;
    dispatch({ type: 'add', text: value });
    setText('');
  }

  return (
    <section>
      <h1>{title}</h1>
      <form onSubmit={submit}>
        <input ref={input} value={text} onChange={(e) => setText(e.target.value)} placeholder="What needs doing?" />
        <button type="submit">Add</button>
      </form>
      <ul>
        {visible.map((t) => (
          <Item key={t.id} todo={t} onToggle={() => dispatch({ type: 'toggle', id: t.id })} onRemove={() => dispatch({ type: 'remove', id: t.id })} />
        ))}
      </ul>
      <p>
        {left} item{left === 1 ? '' : 's'} left
      </p>
      <nav>
        {Object.values(Filter).map((f) => (
          <button key={f} aria-pressed={filter === f} onClick={() => setFilter(f)}>
            {f}
          </button>
        ))}
      </nav>
      <button onClick={() => dispatch({ type: 'clear' })}>Clear done</button>
      {footer}
    </section>
  );
}
