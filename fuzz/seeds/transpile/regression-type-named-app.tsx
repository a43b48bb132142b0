interface App {
  label: string;
}
const Main = (props: App) => <p>{props.label}</p>;
