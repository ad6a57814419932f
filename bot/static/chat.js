// Hulpwijzer web chat. The conversation lives in this page's memory only: no cookies and
// no web storage of any kind. Quick exit and "delete" also forget it on the server.
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const picker = document.getElementById("language");
  const forgetButton = document.getElementById("forget");
  const exitLink = document.getElementById("quick-exit");
  const exitUrl = document.body.dataset.exitUrl;
  const SUPPORTED = Array.from(picker.options, (o) => o.value);
  const RIGHT_TO_LEFT = ["ar"];
  const IDLE_MS = 30 * 60 * 1000;
  // Dutch phone numbers as the assistant writes them: 112, 911, 0800-2000, 0900-0101.
  const PHONE = /\b(112|113|911|0[89]00-?\d{4}(?:\s?\d{3})?)\b/g;

  let sender = newConversationId();
  let texts = {};
  let idleTimer = null;
  // The browser's language as a first guess; the person can change it at any time.
  const guess = (navigator.language || "nl").slice(0, 2).toLowerCase();
  let language = SUPPORTED.includes(guess) ? guess : "nl";
  picker.value = language;

  function newConversationId() {
    return Array.from(crypto.getRandomValues(new Uint8Array(16)),
      (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function appendText(parent, text) {
    let last = 0;
    for (const match of text.matchAll(PHONE)) {
      parent.append(text.slice(last, match.index));
      const link = document.createElement("a");
      link.href = "tel:" + match[0].replace(/\D/g, "");
      link.textContent = match[0];
      parent.append(link);
      last = match.index + match[0].length;
    }
    parent.append(text.slice(last));
  }

  async function loadTexts() {
    try {
      const response = await fetch("/api/texts?language=" + encodeURIComponent(language));
      texts = await response.json();
    } catch (e) {
      return;
    }
    document.documentElement.lang = language;
    document.documentElement.dir = RIGHT_TO_LEFT.includes(language) ? "rtl" : "ltr";
    for (const element of document.querySelectorAll("[data-text]")) {
      const value = texts[element.dataset.text];
      if (value) element.textContent = value;
    }
    const emergency = document.getElementById("emergency");
    emergency.textContent = "";
    appendText(emergency, texts.emergency);
    input.placeholder = texts.placeholder;
    log.setAttribute("aria-label", texts.log_label);
  }

  function show(who, text) {
    const bubble = document.createElement("div");
    bubble.className = "msg " + who;
    bubble.dir = "auto"; // Arabic reads right to left, also inside a Dutch page
    appendText(bubble, text);
    log.append(bubble);
    bubble.scrollIntoView({ block: "end" });
  }

  function showChoices(buttons) {
    const group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", () => {
        group.remove();
        send(b.payload, b.title);
      });
      group.append(button);
    }
    log.append(group);
  }

  async function send(message, shown) {
    restartIdleTimer();
    if (shown !== null) show("user", shown || message);
    let replies;
    try {
      const response = await fetch("/api/message", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, message, language }),
      });
      replies = (await response.json()).messages || [];
    } catch (e) {
      replies = [{ text: texts.unreachable || "Ben je nu in gevaar? Bel 112.\nVeilig Thuis: 0800-2000, gratis, dag en nacht." }];
    }
    for (const reply of replies) {
      if (reply.text) show("bot", reply.text);
      if (reply.buttons && reply.buttons.length) showChoices(reply.buttons);
    }
  }

  // The server drops what was said (a restart empties the tracker); the page starts afresh.
  function forgetOnServer() {
    const body = JSON.stringify({ sender });
    sender = newConversationId();
    return fetch("/api/forget", { method: "POST", keepalive: true,
      headers: { "Content-Type": "application/json" }, body }).catch(() => {});
  }

  async function forget() {
    await forgetOnServer();
    log.replaceChildren();
    show("bot", texts.forgotten || "");
    send("/greet", null);
  }

  // Quick exit: replace this page (no history entry for the chat) with a neutral site.
  function quickExit(event) {
    if (event) event.preventDefault();
    log.replaceChildren();
    forgetOnServer();
    window.location.replace(exitUrl);
  }

  function restartIdleTimer() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => { forget(); }, IDLE_MS);
  }

  let shiftPresses = [];
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Shift" || event.repeat) return;
    const now = Date.now();
    shiftPresses = shiftPresses.filter((t) => now - t < 2000).concat(now);
    if (shiftPresses.length >= 3) quickExit();
  });
  exitLink.addEventListener("click", quickExit);
  forgetButton.addEventListener("click", forget);

  picker.addEventListener("change", async () => {
    language = picker.value;
    await loadTexts();
    const name = picker.options[picker.selectedIndex].textContent;
    send('/change_language{"language":"' + language + '"}', name);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });

  loadTexts().then(() => send("/greet", null));
})();
