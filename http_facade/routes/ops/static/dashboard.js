// The TopicsFlow ops dashboard: polls /ops/status (and the listings) once a second and
// draws what it gets. Every value is written with textContent: nothing received is ever
// parsed as HTML. The ops token, when used, lives in sessionStorage and travels only in
// the Authorization header; an admin's session cookie works too.
"use strict";

(() => {
  const TOKEN_KEY = "topicsflow.opsToken";
  const POLL_MS = 1000;
  const RATE_WINDOW = 5; // samples a per-second rate is averaged over
  const KEPT = 120; // samples kept for the sparklines (two minutes)
  const samples = []; // {t: seconds, status}
  const openPaths = new Set(["actors"]);
  const drawn = new Map(); // table id -> JSON of what it shows (redraw only on change)
  let selectedKind = "";
  let timer = null;

  const $ = (id) => document.getElementById(id);

  class AuthError extends Error {}

  function authHeaders() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? { Authorization: "Bearer " + token } : {};
  }

  async function api(path, method = "GET") {
    const response = await fetch(path, {
      method, headers: authHeaders(), credentials: "same-origin", cache: "no-store",
    });
    if (response.status === 401 || response.status === 403) {
      throw new AuthError(response.status === 401 ? "credentials refused" : "not an operator");
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const message = body && body.error ? body.error.message : "HTTP " + response.status;
      throw new Error(message);
    }
    return body;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function cell(row, text, numeric) {
    row.appendChild(element("td", text, numeric ? "num" : undefined));
  }

  function fixed(value, digits = 1) {
    return Number.isFinite(value) ? value.toFixed(digits) : "–";
  }

  function duration(seconds) {
    if (seconds < 120) return `${Math.floor(seconds)} s`;
    if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
    return `${fixed(seconds / 3600)} h`;
  }

  function when(milliseconds) {
    return new Date(milliseconds).toLocaleString();
  }

  // ---------------------------------------------------------------- rates from samples

  function rate(read) {
    if (samples.length < 2) return 0;
    const last = samples[samples.length - 1];
    const first = samples[Math.max(0, samples.length - 1 - RATE_WINDOW)];
    const seconds = last.t - first.t;
    if (seconds <= 0) return 0;
    return Math.max(0, (read(last.status) - read(first.status)) / seconds);
  }

  // A counter's increase per second over each interval between two polls (never < 0).
  function perInterval(read) {
    return samples.slice(1).map((sample, index) =>
      Math.max(0, read(sample.status) - read(samples[index].status)) /
      Math.max(1e-3, sample.t - samples[index].t));
  }

  function kinds(supervisor, found = []) {
    if (supervisor.kind) found.push(supervisor.kind);
    for (const child of supervisor.children) {
      if (child.supervisor) kinds(child.supervisor, found);
    }
    return found;
  }

  function kindFigure(status, name, field) {
    const kind = kinds(status.supervisor).find((candidate) => candidate.kind === name);
    return kind ? kind[field] : 0;
  }

  function gcTotal(status) {
    return status.gc ? status.gc.total_ms.reduce((sum, value) => sum + value, 0) : 0;
  }

  // Loop batches longer than 10 ms since start: every task that became ready meanwhile
  // waited on one (supervisors/loop_load.py).
  function slowBatches(status) {
    const batches = status.loop_lag.batches;
    if (!batches) return 0;
    const index = batches.bounds_s.indexOf(0.01);
    return index < 0 ? 0 : batches.count - batches.at_most[index];
  }

  function storeCalls(status, operation) {
    const found = status.store.find((figure) => figure.operation === operation);
    return found ? found.calls : 0;
  }

  // ---------------------------------------------------------------- drawing

  function spark(svgId, values) {
    const svg = $(svgId);
    svg.replaceChildren();
    if (values.length < 2) return;
    const top = Math.max(...values, 1e-9);
    const step = 120 / (KEPT - 1);
    const offset = 120 - step * (values.length - 1);
    const points = values.map((value, index) =>
      `${(offset + index * step).toFixed(1)},${(29 - (value / top) * 28).toFixed(1)}`);
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("points", points.join(" "));
    svg.appendChild(line);
  }

  function redraw(tableId, rows, fill) {
    const key = JSON.stringify(rows);
    if (drawn.get(tableId) === key) return;
    drawn.set(tableId, key);
    const body = $(tableId).tBodies[0];
    body.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      fill(tr, row);
      return tr;
    }));
  }

  function actionButton(label, onClick) {
    const button = element("button", label, "small");
    button.type = "button";
    button.addEventListener("click", onClick);
    const td = document.createElement("td");
    td.appendChild(button);
    return td;
  }

  function failureLine(failure) {
    return element("p", `last failure ${when(failure.at * 1000)}: ${failure.error_type}: ${failure.message}`,
      "failure");
  }

  function treeNode(supervisor, path, childMeta) {
    const details = document.createElement("details");
    details.open = openPaths.has(path);
    details.dataset.path = path;
    details.addEventListener("toggle", () => {
      if (details.open) openPaths.add(path); else openPaths.delete(path);
    });
    const summary = element("summary", supervisor.name);
    const facts = [childMeta, supervisor.strategy, `restarts ${supervisor.restarts}`];
    if (supervisor.kind) {
      const kind = supervisor.kind;
      facts.push(`active ${kind.active}`, `activations ${kind.activations}`,
        `passivations ${kind.passivations}`, `escalations ${kind.escalations}`);
    }
    summary.appendChild(element("span", facts.filter(Boolean).join(" · "), "meta"));
    details.appendChild(summary);
    if (supervisor.last_failure) details.appendChild(failureLine(supervisor.last_failure));
    if (supervisor.kind) {
      for (const failure of supervisor.kind.last_failures.slice(-3).reverse()) {
        if (failure !== supervisor.last_failure) details.appendChild(failureLine(failure));
      }
    }
    for (const child of supervisor.children) {
      const childPath = path + "/" + child.name;
      const meta = `${child.state}, ${child.restart}`;
      if (child.supervisor) {
        details.appendChild(treeNode(child.supervisor, childPath, meta));
      } else {
        const leaf = element("details", null);
        leaf.appendChild(element("summary", child.name));
        leaf.firstChild.appendChild(
          element("span", `${meta} · restarts ${child.restarts}`, "meta"));
        if (child.last_failure) leaf.appendChild(failureLine(child.last_failure));
        details.appendChild(leaf);
      }
    }
    return details;
  }

  function drawTree(status) {
    const key = JSON.stringify(status.supervisor);
    if (drawn.get("tree") === key) return;
    drawn.set("tree", key);
    $("tree").replaceChildren(treeNode(status.supervisor, status.supervisor.name, ""));
  }

  function drawStatus(status) {
    $("node-name").textContent = status.node;
    $("node-facts").textContent =
      `up ${duration(status.uptime_s)} · storage ${status.storage_backend} · ` +
      `realtime ${status.realtime_backend}` + (status.draining ? " · DRAINING" : "");
    $("connections").textContent = status.connections;
    $("deliveries-rate").textContent = fixed(rate((s) => s.hub.delivered));
    $("published-rate").textContent = fixed(rate((s) => s.hub.published));
    $("slow-dropped").textContent = status.hub.dropped_slow;
    $("loop-lag").textContent = fixed(status.loop_lag.last_ms);
    spark("lag-spark", samples.map((sample) => sample.status.loop_lag.last_ms));
    // The loop's busy seconds grow by its busy share of each interval between two polls.
    const busyPercent = perInterval((s) => s.loop_lag.busy_seconds_total)
      .map((share) => Math.min(100, 100 * share));
    $("loop-busy").textContent = fixed(busyPercent.length ? busyPercent[busyPercent.length - 1] : 0);
    spark("busy-spark", busyPercent);
    const slowPerSecond = perInterval(slowBatches);
    $("slow-batches").textContent =
      fixed(slowPerSecond.length ? slowPerSecond[slowPerSecond.length - 1] : 0, 1);
    spark("slow-batches-spark", slowPerSecond);
    const gcPerSecond = perInterval(gcTotal);
    $("gc-pause").textContent = fixed(gcPerSecond.length ? gcPerSecond[gcPerSecond.length - 1] : 0, 2);
    spark("gc-spark", gcPerSecond);
    drawTree(status);

    const allKinds = kinds(status.supervisor);
    redraw("kinds", allKinds.map((kind) => [
      kind.kind, kind.active,
      fixed(rate((s) => kindFigure(s, kind.kind, "activations"))),
      fixed(rate((s) => kindFigure(s, kind.kind, "passivations"))),
      kind.restarts, kind.escalations,
      Math.max(0, ...kind.top_mailboxes.map((mailbox) => mailbox.depth)),
    ]), (tr, row) => row.forEach((value, index) => cell(tr, value, index > 0)));

    const mailboxes = allKinds.flatMap((kind) => kind.top_mailboxes.map((mailbox) =>
      [kind.kind, mailbox.id, mailbox.depth, mailbox.senders_waiting, mailbox.state]));
    mailboxes.sort((a, b) => b[2] - a[2]);
    $("mailboxes-empty").hidden = mailboxes.length > 0;
    redraw("mailboxes", mailboxes.slice(0, 20), (tr, [kind, id, depth, waiting, state]) => {
      tr.dataset.actor = kind + "/" + id;
      cell(tr, kind + "/" + id);
      cell(tr, depth, true);
      cell(tr, waiting, true);
      cell(tr, state);
      tr.appendChild(actionButton("Passivate", () => passivate(kind, id)));
    });

    const select = $("kind-select");
    const names = allKinds.map((kind) => kind.kind);
    if (select.options.length - 1 !== names.length) {
      select.replaceChildren(element("option", "choose a kind"),
        ...names.map((name) => element("option", name)));
      select.options[0].value = "";
      select.value = selectedKind;
    }

    redraw("store", status.store.slice(0, 20).map((figure) => [
      figure.operation, figure.calls, fixed(rate((s) => storeCalls(s, figure.operation))),
      fixed(figure.total_ms / figure.calls, 2),
    ]), (tr, row) => row.forEach((value, index) => cell(tr, value, index > 0)));

    const cluster = status.cluster;
    $("cluster").hidden = !cluster;
    if (cluster) {
      $("cluster-facts").textContent =
        `this node holds ${cluster.held_leases} leases (lost ${cluster.lost_leases}) · ` +
        `forwarded ${fixed(rate((s) => s.cluster ? s.cluster.forwarded : 0))}/s · ` +
        `relayed in ${fixed(rate((s) => s.cluster ? s.cluster.relayed_in : 0))}/s · ` +
        `relay dropped ${cluster.relay_dropped} · gaps ${cluster.relay_gaps} · ` +
        `links accepted ${cluster.links_accepted} · wire v${cluster.wire_version}`;
      redraw("cluster-nodes", cluster.nodes.map((node) =>
        [node.node_id, node.peer_address, node.http_url, when(node.started_at * 1000)]),
      (tr, row) => row.forEach((value) => cell(tr, value)));
      redraw("cluster-links", (cluster.links || []).map((link) =>
        [link.node_id, link.state, link.up_for_s, link.pending_asks, link.queued_frames]),
      (tr, row) => {
        tr.dataset.state = row[1];
        row.forEach((value, index) => cell(tr, value, index > 1));
      });
    }
  }

  function drawActors(listing) {
    redraw("actors", listing ? listing.actors.map((actor) =>
      [actor.kind, actor.id, actor.state, actor.mailbox_depth, actor.processed, actor.restarts])
      : [], (tr, [kind, id, state, depth, processed, restarts]) => {
      tr.dataset.actor = kind + "/" + id;
      cell(tr, id);
      cell(tr, state);
      cell(tr, depth, true);
      cell(tr, processed, true);
      cell(tr, restarts, true);
      tr.appendChild(actionButton("Passivate", () => passivate(kind, id)));
    });
  }

  function drawConnections(listing) {
    redraw("connection-list", listing.connections.map((connection) =>
      [connection.id, connection.user_id || "(anonymous)", when(connection.connected_at),
        connection.ephemeral_dropped]), (tr, [id, user, since, dropped]) => {
      tr.dataset.connection = id;
      cell(tr, id);
      cell(tr, user);
      cell(tr, since);
      cell(tr, dropped, true);
      tr.appendChild(actionButton("Evict", () => evict(id)));
    });
  }

  // ---------------------------------------------------------------- actions

  async function act(question, path) {
    if (!window.confirm(question)) return;
    try {
      const done = await api(path, "POST");
      $("action-result").textContent = `done: ${done.action} ${done.target}`;
    } catch (error) {
      $("action-result").textContent = `refused: ${error.message}`;
    }
    await poll();
  }

  function passivate(kind, id) {
    return act(`Passivate ${kind}/${id}?`,
      `/ops/actors/${encodeURIComponent(kind)}/${encodeURIComponent(id)}/passivate`);
  }

  function evict(id) {
    return act(`Close connection ${id}?`, `/ops/connections/${encodeURIComponent(id)}/evict`);
  }

  // ---------------------------------------------------------------- polling

  async function poll() {
    try {
      const [status, connections, actors] = await Promise.all([
        api("/ops/status"),
        api("/ops/connections"),
        selectedKind ? api(`/ops/actors/${encodeURIComponent(selectedKind)}`) : null,
      ]);
      samples.push({ t: performance.now() / 1000, status });
      if (samples.length > KEPT) samples.shift();
      showDashboard();
      drawStatus(status);
      drawActors(actors);
      drawConnections(connections);
      $("live").textContent = "live · updated " + new Date().toLocaleTimeString();
      $("live").classList.remove("stale");
    } catch (error) {
      if (error instanceof AuthError) {
        showSignIn(error.message);
        return;
      }
      $("live").textContent = "stale: " + error.message;
      $("live").classList.add("stale");
    }
  }

  function start() {
    if (timer === null) timer = window.setInterval(poll, POLL_MS);
    return poll();
  }

  function showDashboard() {
    $("sign-in").hidden = true;
    $("dashboard").hidden = false;
    $("drain").hidden = false;
    $("sign-out").hidden = !sessionStorage.getItem(TOKEN_KEY);
  }

  function showSignIn(reason) {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
    $("dashboard").hidden = true;
    $("drain").hidden = true;
    $("sign-in").hidden = false;
    $("live").textContent = "signed out";
    $("sign-in-error").textContent = sessionStorage.getItem(TOKEN_KEY) ? reason : "";
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("use-token").addEventListener("click", () => {
      sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
      $("token").value = "";
      start();
    });
    $("token").addEventListener("keydown", (event) => {
      if (event.key === "Enter") $("use-token").click();
    });
    $("sign-out").addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn("");
    });
    $("drain").addEventListener("click", () => act(
      "Drain this node? It refuses and closes WebSockets and reports not ready.", "/ops/drain"));
    $("kind-select").addEventListener("change", (event) => {
      selectedKind = event.target.value;
      drawn.delete("actors");
      poll();
    });
    start();
  });
})();
