import { useState } from "react";

export default function Signup() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [submitted, setSubmitted] = useState(null); // the values of the last submit

  const errors = [];
  if (submitted) {
    if (!submitted.email.includes("@")) errors.push("Invalid email");
    if (submitted.password.length < 8) errors.push("Password too short");
  }

  const onSubmit = (e) => {
    e.preventDefault();
    setSubmitted({ email, password });
  };

  return (
    <form onSubmit={onSubmit}>
      <div>
        <label htmlFor="email">Email</label>
        <input id="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div>
        <label htmlFor="password">Password</label>
        <input id="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <button type="submit">Sign up</button>
      {errors.map((error) => (
        <p key={error}>{error}</p>
      ))}
      {submitted && errors.length === 0 && <p>Welcome!</p>}
    </form>
  );
}
