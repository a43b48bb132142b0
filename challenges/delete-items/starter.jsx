import { useState } from 'react';

export default function App() {
  const [tasks, setTasks] = useState(['Write code', 'Test code', 'Ship code']);

  function handleDelete(task) {
    // TODO: remove this task (and only this one) from the list
  }

  return (
    <ul>
      {tasks.map((task) => (
        <li key={task}>
          {task} <button onClick={() => handleDelete(task)}>Delete</button>
        </li>
      ))}
    </ul>
  );
}
