// The live results view: a race's results as they come in, from GET /v1/live (Server-Sent Events).
// EventSource cannot send an Authorization header, so the stream is read with fetch(); a dropped stream
// reconnects with Last-Event-ID and gets exactly what it missed. Rows that change are marked for a while.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const MAX_ROWS = 2000;
  const state = {
    ctx: null, editionId: null, raceId: null, race: null, rows: new Map(), fresh: new Map(),
    lastId: null, controller: null, retry: 1000, renderQueued: false, editions: [], alarms: [],
  };

  function text(tag, value, cls) {
    const node = document.createElement(tag);
    node.textContent = value == null ? "" : String(value);
    if (cls) node.className = cls;
    return node;
  }

  async function json(path) {
    const response = await state.ctx.api(path);
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).detail || response.statusText);
    return response.json();
  }

  function setConn(on, message) {
    const conn = $("live-conn");
    conn.className = "conn " + (on ? "live-on" : "live-off");
    conn.textContent = message;
  }

  // ------------------------------------------------------------------------------------------ choosing

  async function loadEditions() {
    if (state.editions.length) return;
    const page = await json("/v1/events?limit=200");
    state.editions = page.items;
    const select = $("live-edition");
    select.replaceChildren();
    for (const edition of state.editions) {
      const option = text("option", edition.event_name + " " + edition.year);
      option.value = String(edition.id);
      select.appendChild(option);
    }
  }

  function nearestEdition() {
    // Today's edition, else the next one, else the latest (the list is newest first).
    const today = new Date().toISOString().slice(0, 10);
    const editions = state.editions.slice();
    return editions.find((e) => e.start_date === today)
      || editions.filter((e) => e.start_date > today).sort((a, b) => a.start_date.localeCompare(b.start_date))[0]
      || editions[0];
  }

  async function loadRaces(editionId) {
    const races = await json("/v1/events/" + editionId + "/races");
    const select = $("live-race");
    select.replaceChildren();
    for (const race of races) {
      const option = text("option", race.name);
      option.value = String(race.id);
      select.appendChild(option);
    }
    return races;
  }

  // ------------------------------------------------------------------------------------------ rows

  function rowOf(result) {
    return {
      entry_id: result.entry_id, bib: result.bib, name: result.name, sex: result.sex, status: result.status,
      overall_place: result.overall_place, sex_place: result.sex_place,
      time: state.race && state.race.rules.placement_basis === "chip"
        ? (result.chip_time || result.gun_time) : (result.gun_time || result.chip_time),
      split: null,
    };
  }

  function mark(entryId) {
    state.fresh.set(entryId, Date.now());
  }

  function apply(event) {
    if (event.kind === "race") {
      if (event.race && event.race.reloaded) return reload();
      state.race.official = event.race ? event.race.official : state.race.official;
      showOfficial();
      return;
    }
    if (event.kind === "alarm") { loadAlarms(); return; }
    if (event.kind === "removed") { state.rows.delete(event.entry_id); queueRender(); return; }
    if (!event.result) return;
    const current = state.rows.get(event.entry_id);
    const row = rowOf(event.result);
    row.split = current ? current.split : null;
    if (event.split && !event.split.removed) row.split = event.split.name + " " + (event.split.chip_time || "");
    state.rows.set(event.entry_id, row);
    if (event.kind !== "places") mark(event.entry_id);
    queueRender();
  }

  function visible() {
    const query = $("live-search").value.trim().toLowerCase();
    const sex = $("live-sex").value;
    const who = $("live-status").value;
    const rows = [];
    for (const row of state.rows.values()) {
      if (sex && row.sex !== sex) continue;
      if (who === "FIN" && row.status !== "FIN") continue;
      if (who === "course" && !onCourse(row)) continue;
      if (query && !matchesQuery(row, query)) continue;
      rows.push(row);
    }
    const rank = { FIN: 0, DQ: 1, DNF: 2, DNS: 3 };
    rows.sort((a, b) => (a.overall_place || 1e9) - (b.overall_place || 1e9)
      || (rank[a.status] - rank[b.status]) || (a.bib || "").localeCompare(b.bib || "", undefined, { numeric: true }));
    return rows;
  }

  function matchesQuery(row, query) {
    // A number is a bib (exactly); words are part of a name.
    if (/^\d+$/.test(query)) return (row.bib || "") === query;
    return row.name.toLowerCase().includes(query) || (row.bib || "").toLowerCase() === query;
  }

  function onCourse(row) {
    // Until the race is official a runner with splits and no finish is still out there.
    return !state.race.official && row.status === "DNF";
  }

  function queueRender() {
    if (state.renderQueued) return;
    state.renderQueued = true;
    window.requestAnimationFrame(() => { state.renderQueued = false; render(); });
  }

  function render() {
    const body = $("live-table").querySelector("tbody");
    const rows = visible();
    const now = Date.now();
    const provisional = !state.race.official;
    const fragment = document.createDocumentFragment();
    for (const row of rows.slice(0, MAX_ROWS)) {
      const tr = document.createElement("tr");
      const freshAt = state.fresh.get(row.entry_id);
      if (freshAt && now - freshAt < 6000) tr.className = "fresh";
      const status = row.status === "FIN" ? "" : (onCourse(row) ? "on course" : row.status);
      const place = row.overall_place ? String(row.overall_place) : status;
      tr.appendChild(text("td", place, "num" + (provisional && row.overall_place ? " place-prov" : "")));
      tr.appendChild(text("td", row.bib, "num"));
      tr.appendChild(text("td", row.name));
      tr.appendChild(text("td", row.sex + (row.sex_place ? " " + row.sex_place : "")));
      tr.appendChild(text("td", row.status === "FIN" ? row.time : "", "num"));
      tr.appendChild(text("td", row.split || "", "num"));
      fragment.appendChild(tr);
    }
    body.replaceChildren(fragment);
    const shown = Math.min(rows.length, MAX_ROWS);
    $("live-note").textContent = state.rows.size
      ? shown + " of " + state.rows.size + " runners shown" + (provisional ? "; places are provisional until the race is official." : ".")
      : "No results yet: they appear here as the timing mats read them.";
  }

  function showOfficial() {
    const badge = $("live-official");
    badge.textContent = state.race.official ? "Official" : "Provisional";
    badge.className = "badge" + (state.race.official ? " official" : "");
  }

  async function loadAlarms() {
    const list = $("live-alarms");
    let found;
    try {
      found = await json("/v1/alarms?race_id=" + state.raceId);
    } catch (_) { return; }
    list.replaceChildren();
    for (const alarm of found.alarms) {
      const item = document.createElement("li");
      item.className = "alarm";
      item.appendChild(text("strong", alarm.title));
      item.appendChild(text("div", alarm.why));
      if (alarm.rows.length) {
        const rows = document.createElement("ul");
        for (const row of alarm.rows.slice(0, 5)) rows.appendChild(text("li", row.text));
        item.appendChild(rows);
      }
      list.appendChild(item);
    }
  }

  async function reload() {
    state.rows.clear();
    let offset = 0;
    for (;;) {
      const page = await json("/v1/races/" + state.raceId + "/results?limit=500&offset=" + offset);
      for (const result of page.items) {
        state.rows.set(result.entry_id, rowOf({ ...result, name: result.name }));
      }
      offset += page.items.length;
      if (!page.items.length || offset >= page.total || offset >= MAX_ROWS * 3) break;
    }
    queueRender();
  }

  // ------------------------------------------------------------------------------------------ the stream

  async function stream(raceId) {
    const controller = new AbortController();
    state.controller = controller;
    while (!controller.signal.aborted && state.raceId === raceId) {
      try {
        const headers = { Accept: "text/event-stream" };
        if (state.lastId != null) headers["Last-Event-ID"] = String(state.lastId);
        const response = await state.ctx.api("/v1/live?race_id=" + raceId, { headers, signal: controller.signal });
        if (response.status === 401) { setConn(false, "signed out"); return; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        setConn(true, "live");
        state.retry = 1000;
        await readEvents(response, controller);
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      setConn(false, "reconnecting…");
      await new Promise((resolve) => window.setTimeout(resolve, state.retry));
      state.retry = Math.min(state.retry * 2, 15000);
    }
  }

  async function readEvents(response, controller) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done || controller.signal.aborted) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = {};
        for (const line of block.split("\n")) {
          if (!line || line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const name = colon < 0 ? line : line.slice(0, colon);
          fields[name] = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        }
        if (fields.id) state.lastId = Number(fields.id);
        if (!fields.data) continue;
        if (fields.event === "reset") { await reload(); continue; }
        const event = JSON.parse(fields.data);
        $("live-conn").textContent = "live · updated " + new Date().toLocaleTimeString();
        apply(event);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ opening

  function stop() {
    if (state.controller) state.controller.abort();
    state.controller = null;
  }

  async function openRace(raceId) {
    stop();
    state.raceId = raceId;
    state.lastId = null;
    state.race = await json("/v1/races/" + raceId);
    state.editionId = state.race.edition_id;
    $("live-edition").value = String(state.editionId);
    if ($("live-race").dataset.edition !== String(state.editionId)) {
      await loadRaces(state.editionId);
      $("live-race").dataset.edition = String(state.editionId);
    }
    $("live-race").value = String(raceId);
    $("live-title").textContent = state.race.event_name + " " + state.race.year + " · " + state.race.name;
    showOfficial();
    setConn(false, "connecting…");
    stream(raceId);  // registers at the head first, so nothing between the page load and it is lost
    await reload();
    loadAlarms();
  }

  async function open(route, ctx) {
    state.ctx = ctx;
    try {
      await loadEditions();
      const [kind, id] = route;
      if (kind === "race" && id) return await openRace(Number(id));
      let editionId = kind === "edition" && id ? Number(id) : null;
      if (editionId == null) {
        const edition = nearestEdition();
        if (!edition) { $("live-note").textContent = "No events yet."; return; }
        editionId = edition.id;
      }
      const races = await loadRaces(editionId);
      $("live-race").dataset.edition = String(editionId);
      if (races.length) await openRace(races[0].id);
    } catch (error) {
      $("live-note").textContent = "Could not open the live view: " + error.message;
    }
  }

  function init() {
    $("live-edition").addEventListener("change", () => { window.location.hash = "#live/edition/" + $("live-edition").value; });
    $("live-race").addEventListener("change", () => { window.location.hash = "#live/race/" + $("live-race").value; });
    for (const id of ["live-search", "live-sex", "live-status"]) $(id).addEventListener("input", queueRender);
    window.setInterval(() => { if (state.fresh.size) queueRender(); }, 3000);
  }

  window.RaceHubLive = { open, close: stop, init };
})();
