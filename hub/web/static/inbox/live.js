// The live feed: events numbered by the server; after a drop the socket reconnects with
// the feed's epoch and the last number seen, and the server replays what was missed in
// order. Only when it cannot (another server, or too much missed) does it say "resync".
export class Live {
  constructor(handlers) {
    this.handlers = handlers;
    this.epoch = "";
    this.seq = 0;
    this.delay = 500;
    this.socket = null;
    this.status = document.getElementById("live");
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = new URLSearchParams({ epoch: this.epoch, after: String(this.seq) });
    const socket = new WebSocket(`${scheme}://${location.host}/inbox/ws?${query}`);
    this.socket = socket;
    socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.show("reconnecting…", "down");
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(5000, this.delay * 2);
    });
  }

  // closes the socket as a network drop would (the test of resuming uses it too)
  drop() {
    if (this.socket) this.socket.close();
  }

  show(text, state) {
    this.status.textContent = text;
    this.status.dataset.state = state;
  }

  receive(event) {
    if (event.type === "hello") {
      const first = this.epoch === "";
      this.epoch = event.epoch;
      this.delay = 500;
      this.show("live", "up");
      if (event.resync || first) {
        this.seq = event.seq;
        if (!first) this.handlers.resync();
      }
      return;
    }
    if (event.seq <= this.seq) return; // already seen
    this.seq = event.seq;
    const handler = this.handlers[event.type];
    if (handler) handler(event);
  }
}
