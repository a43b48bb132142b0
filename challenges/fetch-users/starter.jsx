import { useState } from "react";

export default function Users() {
  const [users] = useState([]);

  // TODO: fetch /api/users on mount, show "Loading..." while waiting,
  // then the names, or "Failed to load" on an error status.
  return (
    <ul>
      {users.map((user) => (
        <li key={user.id}>{user.name}</li>
      ))}
    </ul>
  );
}
