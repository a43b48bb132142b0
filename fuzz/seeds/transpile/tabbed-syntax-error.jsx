export default function App() {
	return <div>
		<p>hi</p>
	</span>;
}
