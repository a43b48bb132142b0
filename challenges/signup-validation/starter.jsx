import { useState } from "react";

export default function Signup() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  // TODO: on submit, show "Invalid email" / "Password too short", or "Welcome!".
  return (
    <form onSubmit={(e) => e.preventDefault()}>
      <label>
        Email <input value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <button type="submit">Sign up</button>
    </form>
  );
}
