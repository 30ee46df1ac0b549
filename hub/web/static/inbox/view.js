// One open conversation: the handoff on top, the transcript, the contact panel, actions.
import { get, post } from "./api.js";
import { clear, clock, el } from "./dom.js";
import { channelName } from "./list.js";

const TICKS = { queued: "🕓", sent: "✓", delivered: "✓✓", read: "✓✓ read", failed: "✕ failed" };
const SENDERS = { contact: "Customer", bot: "Bot", agent: "Agent", system: "System" };

export class ConversationView {
  constructor(me) {
    this.me = me;
    this.current = null;
    this.messageIds = new Set();
    this.transcript = document.getElementById("transcript");
  }

  get id() {
    return this.current ? this.current.conversation.id : null;
  }

  async open(id) {
    this.show(await get(`/inbox/api/conversations/${id}`));
  }

  async refresh() {
    if (this.id !== null) await this.open(this.id);
  }

  async take() {
    if (this.id !== null) this.show(await post(`/inbox/api/conversations/${this.id}/take`));
  }

  async resolve() {
    if (this.id !== null) this.show(await post(`/inbox/api/conversations/${this.id}/resolve`));
  }

  async send(text) {
    const message = await post(`/inbox/api/conversations/${this.id}/messages`, { text });
    this.addMessage({ ...message, conversation_id: this.id, agent_name: this.me.name });
  }

  close() {
    this.current = null;
    document.getElementById("view-pane").hidden = true;
    document.getElementById("contact-pane").hidden = true;
    document.body.classList.remove("open");
  }

  show(detail) {
    this.current = detail;
    document.getElementById("view-pane").hidden = false;
    document.getElementById("contact-pane").hidden = false;
    document.body.classList.add("open");
    this.renderHead();
    this.renderHandoff();
    this.renderContact();
    clear(this.transcript);
    this.messageIds.clear();
    for (const message of detail.messages) this.addMessage(message);
  }

  updateRow(row) {
    if (this.id !== row.id) return;
    this.current.conversation = { ...this.current.conversation, ...row };
    this.renderHead();
  }

  renderHead() {
    const c = this.current.conversation;
    const name = c.contact.name || c.contact.phone || c.contact.email || `#${c.id}`;
    document.getElementById("conv-name").textContent = name;
    const who = c.assignee_name ? `with ${c.assignee_name}` : "unassigned";
    document.getElementById("conv-meta").textContent =
      `${channelName(c.channel)} · ${c.status} · ${who}${c.language ? ` · ${c.language}` : ""}`;
    const mine = c.assignee_id === this.me.id;
    document.getElementById("take").hidden = mine || c.status === "resolved";
    document.getElementById("resolve").hidden = c.status === "resolved";
  }

  renderHandoff() {
    const box = clear(document.getElementById("handoff"));
    const handoff = this.current.handoff;
    box.hidden = !handoff;
    if (!handoff) return;
    box.append(el("strong", { text: "Handed over" }));
    if (handoff.reason) box.append(el("span", { class: "why", text: handoff.reason }));
    const list = el("dl");
    const add = (label, value) => {
      if (value === null || value === undefined || value === "") return;
      const shown = typeof value === "string" ? value : JSON.stringify(value);
      list.append(el("dt", { text: label }), el("dd", { text: shown }));
    };
    if (handoff.at) add("when", new Date(handoff.at).toLocaleString());
    for (const [key, value] of Object.entries(handoff)) {
      if (["reason", "at", "survey"].includes(key) || typeof value === "object") continue;
      add(key, value);
    }
    const survey = handoff.survey;
    if (survey && survey.answers) {
      for (const [field, answer] of Object.entries(survey.answers)) {
        add(this.current.contact.field_labels[field] || field, answer);
      }
    }
    box.append(list);
  }

  renderContact() {
    const contact = this.current.contact;
    const list = clear(document.getElementById("contact"));
    const add = (label, value) => {
      if (value === null || value === undefined || value === "") return;
      list.append(el("dt", { text: label }), el("dd", { text: value }));
    };
    add("Name", contact.name);
    add("Email", contact.email);
    add("Phone", contact.phone);
    add("Language", contact.language);
    add("Tier", contact.tier);
    add("Channels", contact.channels.map(channelName).join(", "));
    for (const [field, value] of Object.entries(contact.custom_fields || {})) {
      add(contact.field_labels[field] || field, Array.isArray(value) ? value.join(", ") : value);
    }
  }

  addMessage(message) {
    if (this.messageIds.has(message.id)) return;
    this.messageIds.add(message.id);
    const sender = message.sender_kind === "agent" && message.agent_name
      ? message.agent_name : SENDERS[message.sender_kind] || message.sender_kind;
    const item = el("li", { class: `msg from-${message.sender_kind}`, "data-id": message.id },
      el("div", { class: "meta" }, el("span", { text: sender }),
        el("time", { text: clock(message.created_at) })),
      el("div", { class: "text", text: message.text || (message.payload ? `[${message.payload}]` : "") }),
    );
    if (message.buttons && message.buttons.length) {
      item.append(el("div", { class: "chips" },
        ...message.buttons.map((b) => el("span", { class: "chip", text: b.title }))));
    }
    for (const file of message.attachments || []) {
      item.append(el("div", { class: "file", text: `📎 ${file.name || file.type}` }));
    }
    if (message.direction === "out") {
      item.append(el("div", {
        class: `tick tick-${message.delivery_status}`,
        title: message.error || "",
        text: TICKS[message.delivery_status] || message.delivery_status || "",
      }));
    }
    this.transcript.append(item);
    item.scrollIntoView({ block: "end" });
  }

  setDelivery(data) {
    const item = this.transcript.querySelector(`li[data-id="${Number(data.message_id)}"] .tick`);
    if (!item) return;
    item.className = `tick tick-${data.delivery_status}`;
    item.textContent = TICKS[data.delivery_status] || data.delivery_status;
    item.title = data.error || "";
  }
}
