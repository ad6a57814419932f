// Hulpwijzer web chat. Keeps the conversation in memory only: no cookies, no storage.
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const sender = Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0")).join("");
  const picker = document.getElementById("language");
  const SUPPORTED = Array.from(picker.options, (o) => o.value);
  // The browser's language as a first guess; the person can change it at any time.
  const guess = (navigator.language || "nl").slice(0, 2).toLowerCase();
  let language = SUPPORTED.includes(guess) ? guess : "nl";
  picker.value = language;
  // Dutch phone numbers as the assistant writes them: 112, 911, 0800-2000, 0900-0101.
  const PHONE = /\b(112|113|911|0[89]00-?\d{4}(?:\s?\d{3})?)\b/g;

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

  function show(who, text) {
    const bubble = document.createElement("div");
    bubble.className = "msg " + who;
    bubble.dir = "auto"; // Arabic reads right to left, also inside a Dutch page
    appendText(bubble, text);
    log.append(bubble);
    bubble.scrollIntoView({ block: "end" });
    return bubble;
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
    show("user", shown || message);
    let replies;
    try {
      const response = await fetch("/api/message", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, message, language }),
      });
      replies = (await response.json()).messages || [];
    } catch (e) {
      replies = [{ text: "Het lukt me nu niet om te antwoorden.\nBen je nu in gevaar? Bel 112.\nVeilig Thuis: 0800-2000, gratis, dag en nacht." }];
    }
    for (const reply of replies) {
      if (reply.text) show("bot", reply.text);
      if (reply.buttons && reply.buttons.length) showChoices(reply.buttons);
    }
  }

  picker.addEventListener("change", () => {
    language = picker.value;
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

  send("/greet", "Hoi");
})();
