// The conversation list: one view (mine / unassigned / all) and status, urgent first,
// kept up to date by the live feed; rows are upserted by id, so a replayed event is harmless.
import { get } from "./api.js";
import { ago, clear, el } from "./dom.js";

const VIEW_NAMES = { mine: "Mine", unassigned: "Unassigned", all: "All" };
const CHANNELS = {
  webchat: "Web chat", whatsapp_cloud: "WhatsApp", twilio: "Twilio", messenger: "Messenger",
  telegram: "Telegram", api: "API",
};

export function channelName(kind) {
  return CHANNELS[kind] || kind;
}

// the server's order: priority desc, SLA due (none last), waiting since (none last), id
function compare(a, b) {
  if (a.priority !== b.priority) return b.priority - a.priority;
  for (const key of ["sla_due_at", "escalated_at"]) {
    const x = a[key], y = b[key];
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      const d = Date.parse(x) - Date.parse(y);
      if (d !== 0) return d;
    }
  }
  return a.id - b.id;
}

export class ConversationList {
  constructor(me, onOpen) {
    this.me = me;
    this.onOpen = onOpen;
    this.view = "mine";
    this.status = "open";
    this.rows = new Map();
    this.next = null;
    this.selected = null;
    this.counts = {};
    this.node = document.getElementById("conversations");
    document.getElementById("status").addEventListener("change", (event) => {
      this.status = event.target.value;
      this.reload();
    });
    document.getElementById("more").addEventListener("click", () => this.load(this.next));
  }

  views() {
    return this.me.sees_all ? ["mine", "unassigned", "all"] : ["mine", "unassigned"];
  }

  setView(view) {
    if (!this.views().includes(view)) return;
    this.view = view;
    this.reload();
  }

  async reload() {
    this.rows.clear();
    this.next = null;
    await this.load(null);
  }

  async load(after) {
    const query = new URLSearchParams({ view: this.view, status: this.status, limit: "50" });
    if (after) query.set("after", after);
    const page = await get(`/inbox/api/conversations?${query}`);
    for (const row of page.conversations) this.rows.set(row.id, row);
    this.next = page.next;
    this.counts = page.counts;
    this.render();
  }

  async refreshCounts() {
    this.counts = await get(`/inbox/api/counts?status=${encodeURIComponent(this.status)}`);
    this.renderViews();
  }

  // does ``row`` belong in what this list shows?
  matches(row) {
    if (this.view === "mine" && row.assignee_id !== this.me.id) return false;
    if (this.view === "unassigned" && (row.assignee_id !== null || row.status !== "queued")) {
      return false;
    }
    if (this.status === "open") return row.status !== "resolved";
    return this.status === "any" || row.status === this.status;
  }

  upsert(row) {
    const known = this.rows.get(row.id);
    const merged = known ? { ...known, ...row } : row;
    if (!("last_message" in row) && known) merged.last_message = known.last_message;
    if (this.matches(merged)) this.rows.set(row.id, merged);
    else this.rows.delete(row.id);
    this.render();
  }

  remove(id) {
    if (this.rows.delete(id)) this.render();
  }

  touchMessage(message) {
    const row = this.rows.get(message.conversation_id);
    if (!row) return;
    row.last_message = message.text || "";
    row.last_message_kind = message.sender_kind;
    this.render();
  }

  ordered() {
    return [...this.rows.values()].sort(compare);
  }

  move(step) {
    const rows = this.ordered();
    if (!rows.length) return;
    const at = rows.findIndex((r) => r.id === this.selected);
    const next = rows[Math.min(rows.length - 1, Math.max(0, at + step))] || rows[0];
    this.selected = next.id;
    this.render();
  }

  openSelected() {
    if (this.selected !== null) this.onOpen(this.selected);
  }

  renderViews() {
    const nav = clear(document.getElementById("views"));
    this.views().forEach((view, index) => {
      const count = this.counts[view] ?? "";
      nav.append(
        el("button", {
          type: "button",
          class: view === this.view ? "view current" : "view",
          title: `${VIEW_NAMES[view]} (${index + 1})`,
          onclick: () => this.setView(view),
        }, VIEW_NAMES[view], " ", el("span", { class: "count", text: count })),
      );
    });
  }

  render() {
    this.renderViews();
    const rows = this.ordered();
    clear(this.node);
    if (this.selected === null && rows.length) this.selected = rows[0].id;
    for (const row of rows) {
      const name = row.contact.name || row.contact.phone || row.contact.email || `#${row.id}`;
      const badges = el("span", { class: "badges" },
        el("span", { class: `badge channel ch-${row.channel}`, text: channelName(row.channel) }),
        el("span", { class: `badge status st-${row.status}`, text: row.status }),
        row.priority > 0 ? el("span", { class: "badge prio", text: `P${row.priority}` }) : null,
        row.sla_due_at ? el("span", { class: "badge sla", text: `SLA ${ago(row.sla_due_at)}` }) : null,
      );
      const item = el("li", {
        class: row.id === this.selected ? "conversation selected" : "conversation",
        role: "option",
        "data-id": row.id,
        onclick: () => this.onOpen(row.id),
      },
        el("div", { class: "line" }, el("span", { class: "name", text: name }),
          el("span", { class: "muted", text: ago(row.waiting_since) })),
        badges,
        el("div", { class: "preview-line", text: row.last_message || "" }),
      );
      this.node.append(item);
    }
    document.getElementById("empty").hidden = rows.length > 0;
    document.getElementById("more").hidden = !this.next;
  }
}
