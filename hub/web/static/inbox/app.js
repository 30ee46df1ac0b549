// The inbox page: wires the list, the open conversation, the composer, keys and the feed.
import { me, post } from "./api.js";
import { Composer } from "./composer.js";
import { clear, el } from "./dom.js";
import { bindKeys, SHORTCUTS } from "./keys.js";
import { ConversationList } from "./list.js";
import { Live } from "./live.js";
import { ConversationView } from "./view.js";

const agent = await me();
document.getElementById("me").textContent = `${agent.name} · ${agent.role}`;

const notice = document.getElementById("notice");
function notify(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

const view = new ConversationView(agent);
async function open(id) {
  notify("");
  list.selected = id;
  list.render();
  history.replaceState(null, "", `/inbox/c/${id}`);
  await view.open(id);
}
const list = new ConversationList(agent, (id) => open(id).catch((e) => notify(e.message)));
const composer = new Composer(view, notify);

function guarded(action) {
  return () => action().catch((error) => notify(error.message));
}
const take = guarded(async () => {
  await view.take();
  list.upsert(view.current.conversation);
});
const resolve = guarded(async () => {
  await view.resolve();
  list.upsert(view.current.conversation);
});
document.getElementById("take").addEventListener("click", take);
document.getElementById("resolve").addEventListener("click", resolve);
function back() {
  view.close();
  history.replaceState(null, "", "/inbox");
}
document.getElementById("back").addEventListener("click", back);
document.getElementById("signout").addEventListener("click", async () => {
  await post("/inbox/api/logout");
  location.assign("/inbox/login");
});

const help = document.getElementById("help");
const keys = clear(document.getElementById("help-keys"));
for (const [key, what] of SHORTCUTS) {
  keys.append(el("tr", {}, el("th", {}, el("kbd", { text: key })), el("td", { text: what })));
}
function toggleHelp() {
  help.hidden = !help.hidden;
}
document.getElementById("help-button").addEventListener("click", toggleHelp);
help.addEventListener("click", toggleHelp);

bindKeys({
  next: () => list.move(1),
  previous: () => list.move(-1),
  open: () => list.openSelected(),
  compose: () => view.id !== null && composer.focus(),
  snippet: () => view.id !== null && composer.focus("/"),
  take: () => view.id !== null && take(),
  resolve: () => view.id !== null && resolve(),
  view: (key) => list.setView(list.views()[Number(key) - 1]),
  back: () => (help.hidden ? back() : toggleHelp()),
  help: toggleHelp,
  send: () => composer.send(),
});

const live = new Live({
  conversation: (event) => {
    list.upsert(event.data);
    view.updateRow(event.data);
    scheduleCounts();
  },
  hidden: (event) => {
    list.remove(event.conversation_id);
    scheduleCounts();
  },
  message: (event) => {
    list.touchMessage(event.data);
    if (view.id === event.conversation_id) view.addMessage(event.data);
  },
  delivery: (event) => view.id === event.conversation_id && view.setDelivery(event.data),
  resync: () => {
    list.reload();
    view.refresh();
  },
});
let countsTimer = null;
function scheduleCounts() {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(() => list.refreshCounts(), 300);
}
window.inbox = { live }; // for tests and the console: inbox.live.drop() simulates a drop
live.connect();
await list.reload();
const opened = /^\/inbox\/c\/(\d+)$/.exec(location.pathname);
if (opened) await open(Number(opened[1]));
