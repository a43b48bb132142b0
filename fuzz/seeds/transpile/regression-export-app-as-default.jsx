function App() {
  return <p>named App and exported by name as the default</p>;
}
export { App as default };
