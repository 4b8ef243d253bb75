// The admin dashboard: polls /admin/api/overview every 2 s, reports and broadcasts every 3 s.
// Everything user-provided is put into the page as text nodes, never as HTML.
"use strict";

const LIVE = [
  ["messages_out_total", "Messages sent"], ["messages_out_per_s", "Sent / s"],
  ["updates_in_total", "Updates received"], ["updates_in_per_s", "Received / s"],
  ["p99_delivery_ms", "p99 delivery ms"], ["p99_handle_ms", "p99 handling ms"],
  ["telegram_429_total", "429 answers"], ["failed_total", "Failed calls"],
];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else if (key.startsWith("data-")) node.setAttribute(key, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value); else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function api(path, body) {
  const init = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch("/admin/api/" + path, init);
  if (response.status === 401) { location.reload(); throw new Error("logged out"); }
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || ("HTTP " + response.status));
  return json;
}

const LABELS = { vip: "VIP", active_24h: "Active in 24 h", in_chat: "In a chat", matches_last_hour: "Matches in the last hour" };
function label(name) { return LABELS[name] || name.replace(/_/g, " ").replace(/^./, c => c.toUpperCase()); }
function show(value) {
  if (value === null || value === undefined) return "–";
  return Number.isInteger(value) ? value.toLocaleString("en") : (Math.round(value * 10) / 10).toLocaleString("en");
}

function tile(container, key, name, value, attribute) {
  let node = container.querySelector(`[${attribute}="${key}"]`);
  if (!node) {
    node = el("div", { class: "tile", [attribute]: key }, el("div", { class: "label" }, name), el("div", { class: "value" }, ""));
    container.append(node);
  }
  node.querySelector(".value").textContent = value;
}

function chart(svg, points, series) {
  svg.replaceChildren();
  const ns = "http://www.w3.org/2000/svg";
  const values = points.flatMap(p => series.map(s => s(p))).filter(v => typeof v === "number");
  const max = Math.max(1, ...values);
  for (const fraction of [0, 0.5, 1]) {
    const y = 110 - fraction * 100;
    const line = document.createElementNS(ns, "line");
    Object.entries({ x1: 30, x2: 400, y1: y, y2: y, class: "grid" }).forEach(([k, v]) => line.setAttribute(k, v));
    const text = document.createElementNS(ns, "text");
    Object.entries({ x: 0, y: y + 3, class: "axis" }).forEach(([k, v]) => text.setAttribute(k, v));
    text.textContent = show(max * fraction);
    svg.append(line, text);
  }
  if (points.length < 2) return;
  const t0 = points[0].t, t1 = points[points.length - 1].t;
  series.forEach((value, index) => {
    const coordinates = points.filter(p => typeof value(p) === "number")
      .map(p => `${30 + 370 * (p.t - t0) / Math.max(1, t1 - t0)},${110 - 100 * value(p) / max}`);
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", coordinates.join(" "));
    line.setAttribute("class", index === 0 ? "line" : "line second");
    svg.append(line);
  });
}

let segmentsFilled = false;

async function refreshOverview() {
  const overview = await api("overview");
  document.getElementById("instance").textContent = "instance " + overview.instance
    + (overview.application ? " · " + overview.application : "");
  const pages = document.getElementById("pages");
  if (pages.childElementCount !== (overview.pages || []).length) {
    pages.replaceChildren(...(overview.pages || []).map(p => el("a", { href: p.path, class: "page-link" }, p.title)));
  }
  const figures = document.getElementById("figures");
  for (const [name, value] of Object.entries(overview.figures || {})) tile(figures, name, label(name), show(value), "data-figure");
  const live = document.getElementById("live");
  for (const [key, name] of LIVE) tile(live, key, name, show(overview.live[key]), "data-live");
  for (const [tier, rate] of Object.entries(overview.live.cache_hit_rate || {})) {
    tile(live, "cache_" + tier, "Cache hits " + tier, rate === null ? "–" : Math.round(rate * 100) + " %", "data-live");
  }
  for (const [queue, depth] of Object.entries(overview.live.queues || {})) tile(live, "queue_" + queue, "Queue: " + label(queue), show(depth), "data-live");
  const history = overview.history;
  chart(document.getElementById("chart-out"), history, [p => p.messages_out_per_s]);
  chart(document.getElementById("chart-in"), history, [p => p.updates_in_per_s]);
  chart(document.getElementById("chart-p99"), history, [p => p.p99_delivery_ms]);
  chart(document.getElementById("chart-app"), history, [p => p.app && p.app.waiting, p => p.app && p.app.in_chat]);
  if (!segmentsFilled && overview.segments) {
    document.getElementById("broadcast-segment").replaceChildren(...overview.segments.map(s => el("option", { value: s }, s)));
    segmentsFilled = true;
  }
}

async function act(path, body) {
  const result = document.getElementById("action-result");
  try {
    const outcome = await api(path, body);
    result.textContent = outcome.result;
    result.className = "muted";
  } catch (e) {
    result.textContent = e.message;
    result.className = "error";
  }
  await refreshReports();
}

async function refreshReports() {
  const rows = await api("reports");
  const body = document.querySelector("#reports tbody");
  body.replaceChildren(...rows.map(report => {
    const duration = el("select", { class: "duration" }, ...["24h", "7d", "30d", "forever"].map(d => el("option", { value: d }, d)));
    const actions = report.reported_banned
      ? [el("button", { class: "unban secondary", onclick: () => act(`users/${report.reported}/unban`, {}) }, "Unban")]
      : [duration, " ", el("button", { class: "ban danger",
          onclick: () => act(`users/${report.reported}/ban`, { duration: duration.value, reason: "report #" + report.id + ": " + report.reason }) }, "Ban")];
    return el("tr", { "data-report": report.id, "data-reported": report.reported },
      el("td", {}, report.id), el("td", {}, new Date(report.at).toLocaleString()), el("td", {}, "#u" + report.reporter),
      el("td", { class: report.reported_banned ? "status-banned" : "" }, "#u" + report.reported + (report.reported_banned ? " (banned)" : "")),
      el("td", {}, report.reason), el("td", {}, report.status), el("td", { class: "actions" }, ...actions));
  }));
}

async function refreshBroadcasts() {
  const rows = await api("broadcasts");
  document.getElementById("broadcasts").replaceChildren(...rows.map(b => el("div", { class: "broadcast", "data-id": b.id },
    el("div", {}, `#${b.id} · ${b.segment} · ${b.status} · ${b.queued} of ${b.total}`),
    el("div", { class: "muted" }, b.preview),
    el("progress", { max: Math.max(1, b.total), value: Math.min(b.queued, Math.max(1, b.total)) }))));
}

document.getElementById("broadcast-form").addEventListener("submit", async event => {
  event.preventDefault();
  const result = document.getElementById("broadcast-result");
  try {
    const started = await api("broadcasts", { text: document.getElementById("broadcast-text").value,
      segment: document.getElementById("broadcast-segment").value });
    result.textContent = "Broadcast #" + started.id + " started.";
    result.className = "muted";
    document.getElementById("broadcast-text").value = "";
    await refreshBroadcasts();
  } catch (e) {
    result.textContent = e.message;
    result.className = "error";
  }
});

function every(ms, refresh) {
  const status = document.getElementById("status");
  const run = async () => {
    try { await refresh(); status.textContent = "updated " + new Date().toLocaleTimeString(); status.className = "muted"; }
    catch (e) { status.textContent = "update failed: " + e.message; status.className = "error"; }
    setTimeout(run, ms);
  };
  run();
}

every(2000, refreshOverview);
every(3000, refreshReports);
every(3000, refreshBroadcasts);
