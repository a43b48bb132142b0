/**
 * A stand-in for the browser's WebSocket (jsdom would try a real connection): it records
 * every socket made, and the test opens them, sends them events and checks they closed.
 */
export class FakeSocket {
  static made: FakeSocket[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  readyState = FakeSocket.CONNECTING;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;

  constructor(public url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.();
  }

  /** The server accepts the connection. */
  accept() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  /** The server sends an event. */
  event(e: unknown) {
    this.onmessage?.({ data: JSON.stringify(e) });
  }
  static open(): FakeSocket[] {
    return FakeSocket.made.filter((s) => s.readyState !== FakeSocket.CLOSED);
  }
}
