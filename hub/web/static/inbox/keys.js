// Keyboard first. Single keys act only outside text fields, combinations inside them use
// Ctrl (or ⌘); Alt is never used, because AltGr (Ctrl+Alt on Windows) types letters such
// as "ą", "ś" or "é" on Polish and French layouts. Keys are read from ``event.key`` (the
// character the layout produced), never ``event.code`` (the key's place on a US board).
export const SHORTCUTS = [
  ["j / ↓", "next conversation", "next"],
  ["k / ↑", "previous conversation", "previous"],
  ["Enter / o", "open the selected conversation", "open"],
  ["c", "write a reply", "compose"],
  ["/", "write a reply with a snippet", "snippet"],
  ["t", "take over", "take"],
  ["r", "resolve", "resolve"],
  ["1 / 2 / 3", "views: mine, unassigned, all", "view"],
  ["Esc", "back to the list / leave the composer", "back"],
  ["?", "this help", "help"],
  ["Ctrl+Enter", "send (in the composer)", null],
];

const SINGLE = {
  j: "next", ArrowDown: "next", k: "previous", ArrowUp: "previous", Enter: "open", o: "open",
  c: "compose", "/": "snippet", t: "take", r: "resolve", 1: "view", 2: "view", 3: "view",
  Escape: "back", "?": "help",
};

function inField(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

export function bindKeys(actions) {
  document.addEventListener("keydown", (event) => {
    if (event.isComposing || event.altKey) return;
    if (inField(event.target)) {
      if (event.key === "Escape") {
        event.target.blur();
        return;
      }
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        actions.send();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    const action = SINGLE[event.key];
    if (!action) return;
    event.preventDefault();
    actions[action](event.key);
  });
}
