/*
 * Messaging hub web chat widget. Embed with:
 *   <script src="https://hub.example.com/widget.js" data-inbox="demo" defer></script>
 * Optional: data-target="#element-id" renders inline instead of a floating panel,
 * data-title="Chat with us".
 *
 * Customer and agent text is only ever inserted with textContent, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var inbox = script.getAttribute("data-inbox");
  if (!inbox) { console.error("hub widget: data-inbox is required"); return; }
  var base = script.getAttribute("data-hub") || new URL(script.src, location.href).origin;
  var title = script.getAttribute("data-title") || "Chat with us";
  var storeKey = "hub.webchat." + inbox + ".token";
  var api = base + "/api/webchat/" + encodeURIComponent(inbox);
  var token = null;
  var seen = {};
  var socket = null;
  var retryMs = 1000;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  var style = el("style");
  style.textContent =
    ".hub-chat{font:14px/1.4 system-ui,sans-serif;display:flex;flex-direction:column;" +
    "width:340px;height:480px;border:1px solid #ccd;border-radius:10px;background:#fff;" +
    "overflow:hidden;box-shadow:0 6px 24px rgba(0,0,0,.15)}" +
    ".hub-chat.floating{position:fixed;right:20px;bottom:20px;z-index:2147483000}" +
    ".hub-chat-head{background:#2d5be3;color:#fff;padding:10px 12px;font-weight:600}" +
    ".hub-chat-status{font-weight:400;font-size:12px;opacity:.85;margin-left:6px}" +
    ".hub-chat-log{flex:1;overflow-y:auto;padding:10px;background:#f6f7fb}" +
    ".hub-msg{max-width:80%;margin:4px 0;padding:7px 10px;border-radius:12px;" +
    "white-space:pre-wrap;word-wrap:break-word}" +
    ".hub-msg.in{margin-left:auto;background:#2d5be3;color:#fff}" +
    ".hub-msg.out{background:#fff;border:1px solid #dde}" +
    ".hub-msg.pending{opacity:.6}.hub-msg.failed{border:1px solid #d33}" +
    ".hub-btns{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0 8px}" +
    ".hub-btn{border:1px solid #2d5be3;color:#2d5be3;background:#fff;border-radius:14px;" +
    "padding:4px 10px;cursor:pointer}.hub-btn:disabled{opacity:.5;cursor:default}" +
    ".hub-chat-form{display:flex;border-top:1px solid #dde}" +
    ".hub-chat-input{flex:1;border:0;padding:10px;font:inherit;outline:none}" +
    ".hub-chat-send{border:0;background:#2d5be3;color:#fff;padding:0 14px;cursor:pointer}";
  document.head.appendChild(style);

  var root = el("div", "hub-chat");
  var head = el("div", "hub-chat-head", title);
  var status = el("span", "hub-chat-status", "connecting…");
  head.appendChild(status);
  var log = el("div", "hub-chat-log");
  log.setAttribute("aria-live", "polite");
  var form = el("form", "hub-chat-form");
  var input = el("input", "hub-chat-input");
  input.type = "text";
  input.maxLength = 4096;
  input.placeholder = "Type a message…";
  input.setAttribute("aria-label", "Message");
  var send = el("button", "hub-chat-send", "Send");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  root.appendChild(head);
  root.appendChild(log);
  root.appendChild(form);
  var target = script.getAttribute("data-target");
  var mount = target ? document.querySelector(target) : null;
  if (!mount) { root.className += " floating"; mount = document.body; }
  mount.appendChild(root);

  function scroll() { log.scrollTop = log.scrollHeight; }

  function render(message) {
    var key = message.id !== undefined ? message.direction + ":" + message.id : null;
    if (key && seen[key]) { return; }
    if (key) { seen[key] = true; }
    var bubble = el("div", "hub-msg " + (message.direction === "in" ? "in" : "out"),
                    message.text || "");
    log.appendChild(bubble);
    var buttons = message.buttons || [];
    if (buttons.length && message.direction !== "in") {
      var row = el("div", "hub-btns");
      buttons.forEach(function (b) {
        var btn = el("button", "hub-btn", b.title);
        btn.type = "button";
        btn.addEventListener("click", function () {
          Array.prototype.forEach.call(row.querySelectorAll("button"), function (x) {
            x.disabled = true;
          });
          post({ payload: b.id, text: b.title });
        });
        row.appendChild(btn);
      });
      log.appendChild(row);
    }
    scroll();
    return bubble;
  }

  function request(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (token) { headers.Authorization = "Bearer " + token; }
    return fetch(api + path, {
      method: method, headers: headers, body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (!r.ok) { var e = new Error("HTTP " + r.status); e.status = r.status; throw e; }
      return r.json();
    });
  }

  function session() {
    token = localStorage.getItem(storeKey);
    return request("POST", "/sessions").then(function (s) {
      token = s.token;
      localStorage.setItem(storeKey, token);
    });
  }

  function history() {
    return request("GET", "/messages").then(function (h) { h.messages.forEach(render); });
  }

  function clientId() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); })
      .join("");
  }

  function post(message, attempt) {
    message.client_id = message.client_id || clientId();
    var bubble = message.bubble || render({ direction: "in", text: message.text });
    bubble.className = "hub-msg in pending";
    message.bubble = bubble;
    var body = { client_id: message.client_id };
    if (message.payload) { body.payload = message.payload; }
    if (message.text) { body.text = message.text; }
    request("POST", "/messages", body).then(function () {
      bubble.className = "hub-msg in";
    }).catch(function (err) {
      if (err.status === 401) { return session().then(function () { post(message, 0); }); }
      var n = (attempt || 0) + 1;
      if (n > 5) { bubble.className = "hub-msg in failed"; return; }
      // same client_id: the hub stores a retried message once
      setTimeout(function () { post(message, n); }, Math.min(15000, 500 * Math.pow(2, n)));
    });
  }

  function connect() {
    var url = api.replace(/^http/, "ws") + "/ws?token=" + encodeURIComponent(token);
    socket = new WebSocket(url);
    socket.onopen = function () { retryMs = 1000; status.textContent = "online"; };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "message" && data.message) { render(data.message); }
    };
    socket.onclose = function () {
      status.textContent = "reconnecting…";
      setTimeout(function () {
        // fetch what arrived while we were away, then listen again
        history().catch(function () {}).then(connect);
      }, retryMs);
      retryMs = Math.min(15000, retryMs * 2);
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    post({ text: text });
  });

  session().then(history).then(connect).catch(function () {
    status.textContent = "offline";
    setTimeout(function () { session().then(history).then(connect); }, 3000);
  });
})();
