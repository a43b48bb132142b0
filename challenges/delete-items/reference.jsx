import { useState } from 'react';

const initialTasks = [
  { id: 1, text: 'Write code' },
  { id: 2, text: 'Test code' },
  { id: 3, text: 'Ship code' },
];

export default function App() {
  const [tasks, setTasks] = useState(initialTasks);

  function handleDelete(id) {
    setTasks((current) => current.filter((task) => task.id !== id));
  }

  return (
    <ul>
      {tasks.map((task) => (
        <li key={task.id}>
          {task.text} <button onClick={() => handleDelete(task.id)}>Delete</button>
        </li>
      ))}
    </ul>
  );
}
