// RaceHub's web page: sign in (email + code, password, or API key), then chat with streamed replies, watch
// results live (live.js) and say what to be notified about (follows.js).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  const state = {
    token: store.getItem("racehub.token"),
    conversation: store.getItem("racehub.conversation"),
    history: JSON.parse(store.getItem("racehub.history") || "[]"),
    challenge: null,
    busy: false,
    who: null,
  };
  const MAX_HISTORY = 30;

  function save() {
    if (state.token) store.setItem("racehub.token", state.token);
    else store.removeItem("racehub.token");
    if (state.conversation) store.setItem("racehub.conversation", state.conversation);
    else store.removeItem("racehub.conversation");
    store.setItem("racehub.history", JSON.stringify(state.history.slice(-MAX_HISTORY)));
  }

  function newConversation() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    state.conversation = "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    state.history = [];
    $("messages").replaceChildren();
    save();
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ "Content-Type": "application/json" }, options.headers || {});
    if (state.token && options.auth !== false) headers.Authorization = "Bearer " + state.token;
    const response = await fetch(path, Object.assign({}, options, { headers }));
    return response;
  }

  async function problem(response) {
    let detail = response.statusText || "request failed";
    try {
      const body = await response.json();
      detail = body.detail || detail;
    } catch (_) { /* not JSON */ }
    if (response.status === 429) {
      const wait = response.headers.get("Retry-After");
      detail = "Too many attempts. Try again" + (wait ? " in " + wait + " s." : " later.");
    }
    return detail;
  }

  // ------------------------------------------------------------------------------------------ views

  function showStep(id) {
    for (const step of ["step-email", "step-code", "step-password"]) $(step).hidden = step !== id;
    const focus = { "step-email": "email", "step-code": "code", "step-password": "password" }[id];
    if (focus) $(focus).focus();
  }

  function showLogin(message) {
    window.RaceHubLive.close();
    $("chat").hidden = true;
    $("live").hidden = true;
    $("follows").hidden = true;
    $("views").hidden = true;
    $("login").hidden = false;
    $("logout").hidden = true;
    $("new-chat").hidden = true;
    $("who").textContent = "";
    $("login-error").textContent = message || "";
    showStep("step-email");
  }

  const context = { api: (path, options) => api(path, options) };

  function route() {
    if (!state.who) return;
    const hash = window.location.hash.replace(/^#\/?/, "");
    const parts = hash.split("/");
    const view = ["live", "follows"].includes(parts[0]) ? parts[0] : "chat";
    $("chat").hidden = view !== "chat";
    $("live").hidden = view !== "live";
    $("follows").hidden = view !== "follows";
    $("new-chat").hidden = view !== "chat";
    for (const link of document.querySelectorAll("#views a")) {
      link.classList.toggle("current", link.dataset.view === view);
    }
    if (view !== "live") window.RaceHubLive.close();
    if (view === "live") window.RaceHubLive.open(parts.slice(1), context);
    else if (view === "follows") window.RaceHubFollows.open(context);
    else $("question").focus();
  }

  window.addEventListener("hashchange", route);

  function showChat(who) {
    $("login").hidden = true;
    $("chat").hidden = false;
    $("logout").hidden = false;
    $("new-chat").hidden = false;
    $("views").hidden = false;
    const org = who.organization ? " · " + who.organization : "";
    $("who").textContent = (who.name || who.email || "") + org;
    $("messages").replaceChildren();
    for (const message of state.history) addMessage(message.role, message.content);
    if (!state.history.length) {
      addMessage("assistant", "Hello " + (who.name || "") + ". Ask me about your events, registrations and " +
        "results, for example *How many runners finished the Shamrock Marathon last year?* Say *show me " +
        "the Shamrock Marathon live* for live results, or *tell me when bib 1234 passes 30K* to be notified.");
    }
    route();
  }

  function addMessage(role, text) {
    const item = document.createElement("li");
    item.className = "msg " + role;
    fill(item, role, text);
    $("messages").appendChild(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function fill(item, role, text) {
    if (role === "user") item.textContent = text;
    else item.replaceChildren(window.RaceHubMarkdown.render(text));
  }

  async function enter(token) {
    state.token = token;
    const response = await api("/v1/auth/me");
    if (!response.ok) {
      state.token = null;
      save();
      showLogin(await problem(response));
      return;
    }
    const who = await response.json();
    if (!who.name) {
      state.token = null;
      save();
      showLogin("That key names no person: use a personal API key.");
      return;
    }
    state.who = who;
    if (!state.conversation) newConversation();
    save();
    showChat(who);
  }

  // ------------------------------------------------------------------------------------------ login

  $("step-email").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    const response = await api("/v1/auth/challenge", {
      method: "POST", auth: false, body: JSON.stringify({ email: $("email").value.trim() }),
    });
    if (!response.ok) { $("login-error").textContent = await problem(response); return; }
    const body = await response.json();
    state.challenge = body.challenge;
    $("code-message").textContent = body.message;
    $("code").value = "";
    showStep("step-code");
  });

  $("use-password").addEventListener("click", () => {
    $("login-error").textContent = "";
    if (!$("email").reportValidity()) return;
    showStep("step-password");
  });

  for (const back of document.querySelectorAll("[data-back]")) {
    back.addEventListener("click", () => showStep("step-email"));
  }

  async function signedIn(response) {
    if (!response.ok) { $("login-error").textContent = await problem(response); return; }
    const body = await response.json();
    newConversation();
    await enter(body.token);
  }

  $("step-code").addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await api("/v1/auth/verify", {
      method: "POST", auth: false,
      body: JSON.stringify({ challenge: state.challenge, code: $("code").value.trim() }),
    });
    await signedIn(response);
  });

  $("step-password").addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await api("/v1/auth/password", {
      method: "POST", auth: false,
      body: JSON.stringify({ email: $("email").value.trim(), password: $("password").value }),
    });
    $("password").value = "";
    await signedIn(response);
  });

  $("step-key").addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = $("apikey").value.trim();
    $("apikey").value = "";
    if (key) { newConversation(); await enter(key); }
  });

  $("logout").addEventListener("click", async () => {
    if (state.token && state.token.startsWith("rhs_")) {
      await api("/v1/auth/logout", { method: "POST" }).catch(() => undefined);
    }
    state.token = null;
    state.conversation = null;
    state.history = [];
    state.who = null;
    save();
    showLogin("You are signed out.");
  });

  $("new-chat").addEventListener("click", () => {
    newConversation();
    window.location.hash = "#chat";
    showChat(state.who || {});
  });

  // ------------------------------------------------------------------------------------------ chat

  async function readStream(response, onText) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split("\n")) {
          if (!line.startsWith("data:")) continue;
          const data = line.slice(5).trim();
          if (data === "[DONE]") return text;
          const chunk = JSON.parse(data);
          const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
          if (delta && delta.content) {
            text += delta.content;
            onText(text);
          }
        }
      }
    }
    return text;
  }

  async function ask(question) {
    state.busy = true;
    $("send").disabled = true;
    addMessage("user", question);
    state.history.push({ role: "user", content: question });
    const reply = addMessage("assistant", "");
    reply.classList.add("streaming");
    try {
      const response = await api("/v1/chat/completions", {
        method: "POST",
        headers: { Accept: "text/event-stream" },
        body: JSON.stringify({
          model: "racehub", stream: true, conversation_id: state.conversation,
          messages: state.history.slice(-MAX_HISTORY),
        }),
      });
      if (response.status === 401) {
        state.token = null;
        save();
        showLogin("Your session has ended: sign in again.");
        return;
      }
      if (!response.ok) {
        fill(reply, "assistant", "*" + (await problem(response)) + "*");
        state.history.pop();
        return;
      }
      const text = await readStream(response, (sofar) => {
        fill(reply, "assistant", sofar);
        reply.scrollIntoView({ block: "end" });
      });
      fill(reply, "assistant", text);
      state.history.push({ role: "assistant", content: text });
      save();
    } catch (error) {
      fill(reply, "assistant", "*The connection failed. Try again.*");
      state.history.pop();
    } finally {
      reply.classList.remove("streaming");
      state.busy = false;
      $("send").disabled = false;
      $("question").focus();
    }
  }

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = $("question").value.trim();
    if (!question || state.busy) return;
    $("question").value = "";
    $("question").style.height = "";
    ask(question);
  });

  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });

  $("question").addEventListener("input", () => {
    const box = $("question");
    box.style.height = "";
    box.style.height = Math.min(box.scrollHeight, 160) + "px";
  });

  window.RaceHubLive.init();
  window.RaceHubFollows.init();
  if (state.token) enter(state.token);
  else showLogin();
})();
