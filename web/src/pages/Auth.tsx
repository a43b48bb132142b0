import { useState, type FormEvent } from "react";
import { usePageTitle } from "../pageTitle";
import { api, ApiError, type LoginRequest, type RegisterRequest, type Session, type User } from "../api";

/** Sign up or sign in; the API's field errors show next to their fields. */
export function Auth({ mode, onDone }: { mode: "login" | "register"; onDone: (u: User) => void }) {
  usePageTitle(mode === "login" ? "Sign in" : "Sign up");
  const [fields, setFields] = useState({ username: "", email: "", password: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const register = mode === "register";

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const body: RegisterRequest | LoginRequest = register ? fields : { email: fields.email, password: fields.password };
      const r = await api<Session>("POST", `/auth/${mode}`, body);
      onDone(r.user);
    } catch (err) {
      const b: { message: string; field?: string } = err instanceof ApiError ? err.body : { message: String(err) };
      setErrors({ [b.field ?? "form"]: b.message });
    } finally {
      setBusy(false);
    }
  };
  const field = (name: "username" | "email" | "password", label: string, type = "text", auto = "") => (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input id={name} name={name} type={type} autoComplete={auto} required value={fields[name]}
        aria-invalid={!!errors[name]} aria-describedby={errors[name] ? `${name}-error` : undefined}
        onChange={(e) => setFields({ ...fields, [name]: e.target.value })} />
      {errors[name] && <p id={`${name}-error`} className="error" role="alert">{errors[name]}</p>}
    </div>
  );
  return (
    <form className="auth" onSubmit={submit} noValidate>
      <h1>{register ? "Create your account" : "Sign in"}</h1>
      {register && field("username", "Username", "text", "username")}
      {field("email", "E-mail", "email", "email")}
      {field("password", "Password", "password", register ? "new-password" : "current-password")}
      {errors.form && <p className="error" role="alert">{errors.form}</p>}
      <button className="primary" disabled={busy}>{register ? "Sign up" : "Sign in"}</button>
      <p>{register ? <>Have an account? <a href={`/login${location.search}`}>Sign in</a></> : <>New here? <a href={`/register${location.search}`}>Create an account</a></>}</p>
    </form>
  );
}
