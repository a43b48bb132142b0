const fruits = ['Apple', 'Banana', 'Cherry'];

export default function App() {
  // Turn each fruit into an <li> with map. Don't forget the key!
  return <ul></ul>;
}
