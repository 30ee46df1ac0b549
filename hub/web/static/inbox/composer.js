// The reply box: Enter sends, Shift+Enter breaks the line, "/" opens the snippet palette
// (arrows choose, Enter or Tab takes, Esc closes); the preview is the snippet rendered for
// this contact, with every value that would print nothing marked.
import { get } from "./api.js";
import { clear, el } from "./dom.js";

const TOKEN = /(^|\s)\/([^\s/]*)$/;

export class Composer {
  constructor(view, notify) {
    this.view = view;
    this.notify = notify;
    this.box = document.getElementById("reply");
    this.palette = document.getElementById("palette");
    this.list = document.getElementById("palette-list");
    this.preview = document.getElementById("palette-preview");
    this.hits = [];
    this.chosen = 0;
    this.asked = 0;
    this.box.addEventListener("keydown", (event) => this.keydown(event));
    this.box.addEventListener("input", () => this.update());
    document.getElementById("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
  }

  focus(text = "") {
    this.box.focus();
    if (text) {
      this.box.setRangeText(text, this.box.selectionStart, this.box.selectionEnd, "end");
      this.update();
    }
  }

  get open() {
    return !this.palette.hidden;
  }

  token() {
    const before = this.box.value.slice(0, this.box.selectionStart);
    const found = TOKEN.exec(before);
    return found ? { query: found[2], start: before.length - found[2].length - 1 } : null;
  }

  async update() {
    const token = this.token();
    if (!token || this.view.id === null) {
      this.close();
      return;
    }
    const asked = ++this.asked;
    const query = new URLSearchParams({ q: token.query, conversation: String(this.view.id) });
    const answer = await get(`/inbox/api/snippets?${query}`);
    if (asked !== this.asked) return; // a newer keystroke asked since
    this.hits = answer.hits.filter((hit) => !hit.error);
    this.chosen = 0;
    this.palette.hidden = this.hits.length === 0;
    this.render();
  }

  close() {
    this.palette.hidden = true;
    this.hits = [];
  }

  render() {
    clear(this.list);
    this.hits.forEach((hit, index) => {
      this.list.append(el("li", {
        class: index === this.chosen ? "hit chosen" : "hit",
        role: "option",
        "aria-selected": index === this.chosen ? "true" : "false",
        onmousedown: (event) => {
          event.preventDefault();
          this.chosen = index;
          this.take();
        },
      }, el("span", { class: "command", text: `/${hit.command}` }),
        el("span", { class: "title", text: hit.title || hit.name })));
    });
    clear(this.preview);
    const hit = this.hits[this.chosen];
    if (!hit) return;
    const text = el("p", { class: "preview-text" });
    for (const part of hit.parts) {
      text.append(part.empty
        ? el("mark", { class: "empty", title: "prints nothing for this contact", text: "∅" })
        : document.createTextNode(part.text));
    }
    this.preview.append(el("div", { class: "muted", text: `Preview (${hit.language})` }), text);
    if (hit.missing.length) {
      this.preview.append(el("p", { class: "missing", text: `No value here: ${hit.missing.join(", ")}` }));
    }
  }

  take() {
    const hit = this.hits[this.chosen];
    const token = this.token();
    if (!hit || !token) return;
    this.box.setRangeText(hit.text, token.start, this.box.selectionStart, "end");
    this.close();
    this.box.focus();
  }

  keydown(event) {
    if (event.isComposing || event.altKey) return;
    if (this.open) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.chosen = (this.chosen + step + this.hits.length) % this.hits.length;
        this.render();
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        this.take();
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.close();
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      this.send();
    }
  }

  async send() {
    const text = this.box.value.trim();
    if (!text || this.view.id === null) return;
    try {
      await this.view.send(text);
      this.box.value = "";
      this.close();
    } catch (error) {
      this.notify(error.message);
    }
  }
}
