// RaceHub's service worker: shows the Web Push notifications the server sends (decrypted by the browser),
// and opens the live view of the race a notification is about when it is clicked.
"use strict";

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (_) {
    message = { title: "RaceHub", body: event.data ? event.data.text() : "" };
  }
  const data = message.data || {};
  event.waitUntil(self.registration.showNotification(message.title || "RaceHub", {
    body: message.body || "",
    data,
    tag: data.seq ? "racehub-" + data.seq : undefined,
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const url = data.race_id ? "/#live/race/" + data.race_id : "/#follows";
  event.waitUntil(self.clients.openWindow(url));
});
