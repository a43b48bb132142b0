import { Component } from "react";

export default class Greeting extends Component {
  render() {
    return <h1>Hi</h1>;
  }
}
