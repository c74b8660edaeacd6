// Follows and notifications: say what to be told in plain English, see and stop follows, turn on Web Push
// for this browser (a service worker and the server's VAPID key), see devices and what was sent.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let ctx = null;

  function item(label, buttonText, onClick, note) {
    const li = document.createElement("li");
    const span = document.createElement("span");
    span.textContent = label;
    li.appendChild(span);
    if (note) {
      const small = document.createElement("span");
      small.className = "muted";
      small.textContent = note;
      li.appendChild(small);
    }
    if (buttonText) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = buttonText;
      button.addEventListener("click", onClick);
      li.appendChild(button);
    }
    return li;
  }

  async function load() {
    const [follows, devices, messages] = await Promise.all([
      ctx.api("/v1/follows").then((r) => r.json()),
      ctx.api("/v1/devices").then((r) => r.json()),
      ctx.api("/v1/devices/messages?limit=20").then((r) => r.json()),
    ]);
    const list = $("follow-list");
    list.replaceChildren();
    for (const follow of follows.follows || []) {
      list.appendChild(item(follow.description, "Stop", async () => {
        await ctx.api("/v1/follows/" + follow.id, { method: "DELETE" });
        load();
      }));
    }
    if (!list.children.length) list.appendChild(item("Nothing yet. Try: tell me when bib 1234 passes 30K."));
    const deviceList = $("device-list");
    deviceList.replaceChildren();
    for (const device of devices.devices || []) {
      const note = device.disabled_at ? "off: " + device.disabled_reason : (device.alarms ? "with race-day alarms" : "");
      deviceList.appendChild(item((device.label || device.kind) + " · " + device.shown, "Remove", async () => {
        await ctx.api("/v1/devices/" + device.id, { method: "DELETE" });
        load();
      }, note));
    }
    const active = (devices.devices || []).filter((d) => !d.disabled_at).length;
    $("push-state").textContent = active
      ? "Notifications go to " + active + " device" + (active > 1 ? "s" : "") + "."
      : "No device gets notifications yet.";
    const messageList = $("message-list");
    messageList.replaceChildren();
    for (const message of Array.isArray(messages) ? messages : []) {
      messageList.appendChild(item(message.body, null, null, message.state));
    }
    if (!messageList.children.length) messageList.appendChild(item("Nothing sent yet."));
  }

  async function say(event) {
    event.preventDefault();
    const said = $("follow-text").value.trim();
    if (!said) return;
    const response = await ctx.api("/v1/follows", { method: "POST", body: JSON.stringify({ text: said }) });
    const body = await response.json().catch(() => ({}));
    let reply = body.reply || body.detail || response.statusText;
    if (body.options && body.options.length) reply += "\n" + body.options.map((o) => "• " + o).join("\n");
    $("follow-reply").textContent = reply;
    if (body.live && body.live.path) window.location.hash = body.live.path.replace(/^\/#/, "#");
    if (response.ok && body.kind !== "question") $("follow-text").value = "";
    load();
  }

  function b64ToBytes(value) {
    const padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(window.atob(padded), (c) => c.charCodeAt(0));
  }

  async function turnOn() {
    const say = (message) => { $("push-state").textContent = message; };
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      say("This browser cannot receive push notifications.");
      return;
    }
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") { say("Notifications are blocked for this site in the browser's settings."); return; }
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      const config = await ctx.api("/v1/push/config").then((r) => r.json());
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: b64ToBytes(config.vapid_public_key),
      });
      const response = await ctx.api("/v1/devices", {
        method: "POST",
        body: JSON.stringify({ kind: "webpush", subscription: subscription.toJSON(), label: "Browser · " + navigator.platform }),
      });
      if (!response.ok) throw new Error((await response.json()).detail);
      await load();
    } catch (error) {
      say("This browser could not subscribe to notifications: " + error.message);
    }
  }

  async function open(context) {
    ctx = context;
    try { await load(); } catch (error) { $("follow-reply").textContent = "Could not load your follows."; }
    $("follow-text").focus();
  }

  function init() {
    $("follow-form").addEventListener("submit", say);
    $("push-on").addEventListener("click", turnOn);
  }

  window.RaceHubFollows = { open, init };
})();
