// The airdrop's admin page: figures and switches, the task editor, the review queue, held
// accounts, user lookup and claims, over /admin/apps/airdrop/api/ with the dashboard's session
// cookie. Writes are JSON. User-provided text goes in as text nodes, never as HTML.
"use strict";

const BASE = "/admin/apps/airdrop/";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else if (key.startsWith("data-")) node.setAttribute(key, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value); else node[key] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const init = { credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    init.method = "POST";
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(BASE + "api/" + path, init);
  if (response.status === 401) { location.href = "/admin"; throw new Error("logged out"); }
  let json = {};
  try { json = await response.json(); } catch (e) { /* not JSON */ }
  if (!response.ok || json.ok === false) throw new Error(json.error || ("HTTP " + response.status));
  return json;
}

function say(id, text, bad) {
  const node = document.getElementById(id);
  node.textContent = text;
  node.className = "result " + (bad ? "error" : "muted");
}

/** Runs an action and reports its result (or its error) in the given status line. */
async function act(resultId, work) {
  try {
    const answer = await work();
    if (answer && answer.result) say(resultId, answer.result, false);
    return answer;
  } catch (e) {
    say(resultId, e.message, true);
    return null;
  }
}

function when(millis) {
  if (!millis) return "";
  return new Date(millis).toISOString().replace("T", " ").slice(0, 16);
}
function label(name) { return name.replace(/_/g, " ").replace(/^./, c => c.toUpperCase()); }
function $(id) { return document.getElementById(id); }

// ---- figures and switches ----

async function loadFigures() {
  const figures = await api("figures");
  const container = $("figures");
  for (const [name, value] of Object.entries(figures)) {
    if (typeof value !== "number") continue;
    let tile = container.querySelector(`[data-figure="${name}"]`);
    if (!tile) {
      tile = el("div", { class: "tile", "data-figure": name }, el("div", { class: "label" }, label(name)), el("div", { class: "value" }));
      container.append(tile);
    }
    tile.querySelector(".value").textContent = value.toLocaleString("en");
  }
  $("maintenance").checked = !!figures.maintenance;
  $("claims-open").checked = !!figures.claims_open;
  $("status").textContent = figures.maintenance ? "maintenance is on" : "";
}

$("maintenance").addEventListener("change", async event => {
  await act("action-result", () => api("settings", { maintenance: event.target.checked }));
  await loadFigures();
});
$("claims-open").addEventListener("change", async event => {
  if (event.target.checked && !confirm("Open claims? Every verified user is told.")) { event.target.checked = false; return; }
  await act("action-result", () => api("settings", { claims_open: event.target.checked }));
  await loadFigures();
});

// ---- tasks ----

const TASK_FIELDS = ["kind", "title", "points", "chat", "url", "pattern", "target", "position", "active"];

function taskForm() {
  const body = {};
  for (const field of TASK_FIELDS) {
    const input = $("task-" + field);
    if (input.type === "checkbox") body[field] = input.checked;
    else if (input.type === "number") { if (input.value !== "") body[field] = Number(input.value); }
    else body[field] = input.value;
  }
  return body;
}

function editTask(task) {
  $("task-id").value = task.id;
  for (const field of TASK_FIELDS) {
    const input = $("task-" + field);
    const value = task[field];
    if (input.type === "checkbox") input.checked = !!value; else input.value = value === null || value === undefined ? "" : value;
  }
  $("task-kind").disabled = true; // a task keeps its kind
  $("task-save").textContent = "Save task #" + task.id;
  $("task-cancel").hidden = false;
  $("task-title").focus();
}

function resetTaskForm() {
  $("task-form").reset();
  $("task-id").value = "";
  $("task-kind").disabled = false;
  $("task-save").textContent = "Create task";
  $("task-cancel").hidden = true;
}

async function loadTasks() {
  const { tasks } = await api("tasks");
  const body = $("tasks").querySelector("tbody");
  body.replaceChildren(...tasks.map(task => {
    const details = [task.chat, task.url, task.pattern && ("/" + task.pattern + "/"), task.target && ("target " + task.target)]
      .filter(Boolean).join(" · ");
    return el("tr", { "data-task": task.id, class: task.active ? "" : "inactive" },
      el("td", {}, task.id), el("td", {}, task.kind), el("td", { class: "title" }, task.title), el("td", {}, task.points),
      el("td", {}, details), el("td", {}, task.position), el("td", {}, task.active ? "yes" : "no"),
      el("td", { class: "actions" },
        el("button", { class: "secondary edit", type: "button", onclick: () => editTask(task) }, "Edit"),
        el("button", { class: "secondary toggle", type: "button", onclick: async () => {
          await act("task-result", () => api("tasks/" + task.id, { ...task, active: !task.active }));
          await loadTasks();
        } }, task.active ? "Disable" : "Enable")));
  }));
}

$("task-form").addEventListener("submit", async event => {
  event.preventDefault();
  const id = $("task-id").value;
  const answer = await act("task-result", () => api(id ? "tasks/" + id : "tasks", taskForm()));
  if (answer) {
    resetTaskForm();
    await loadTasks();
  }
});
$("task-cancel").addEventListener("click", resetTaskForm);

// ---- review queue ----

async function loadReviews() {
  const { reviews } = await api("reviews");
  const body = $("reviews").querySelector("tbody");
  body.replaceChildren(...reviews.map(review => el("tr", { "data-user": review.userNo, "data-task": review.taskId },
    el("td", {}, el("input", { type: "checkbox", class: "pick" })),
    el("td", {}, el("a", { href: "#", onclick: e => { e.preventDefault(); lookUp(review.userNo); } }, "#" + review.userNo)),
    el("td", {}, review.title || ("task " + review.taskId)),
    el("td", {}, review.proof || ""), el("td", {}, when(review.createdAt)))));
  if (!reviews.length) body.append(el("tr", {}, el("td", { colSpan: 5, class: "muted" }, "Nothing to review.")));
  $("review-all").checked = false;
}

async function decide(decision) {
  const items = [...$("reviews").querySelectorAll("tbody tr")].filter(row => row.querySelector(".pick:checked"))
    .map(row => ({ user: Number(row.dataset.user), task: Number(row.dataset.task) }));
  if (!items.length) { say("review-result", "Select submissions first.", true); return; }
  const answer = await act("review-result", () => api("reviews", { items, decision, reason: $("review-reason").value }));
  if (answer) await Promise.all([loadReviews(), loadFigures()]);
}
$("review-approve").addEventListener("click", () => decide("approve"));
$("review-reject").addEventListener("click", () => decide("reject"));
$("review-all").addEventListener("change", event => {
  $("reviews").querySelectorAll(".pick").forEach(box => { box.checked = event.target.checked; });
});

// ---- held accounts ----

async function loadHeld() {
  const { users } = await api("held");
  const body = $("held").querySelector("tbody");
  body.replaceChildren(...users.map(user => el("tr", { "data-user": user.no },
    el("td", {}, el("a", { href: "#", onclick: e => { e.preventDefault(); lookUp(user.no); } }, "#" + user.no)),
    el("td", {}, user.status), el("td", {}, user.flag_reason || ""), el("td", {}, user.points),
    el("td", { class: "actions" },
      el("button", { class: "approve", type: "button", onclick: async () => {
        await act("held-result", () => api("users/" + user.no + "/approve", {}));
        await Promise.all([loadHeld(), loadFigures()]);
      } }, "Approve"),
      user.status === "blocked" ? null : el("button", { class: "danger block", type: "button", onclick: async () => {
        const reason = prompt("Why is #" + user.no + " blocked? (the user is told)", user.flag_reason || "farming");
        if (reason === null) return;
        await act("held-result", () => api("users/" + user.no + "/block", { reason }));
        await Promise.all([loadHeld(), loadFigures()]);
      } }, "Block")))));
  if (!users.length) body.append(el("tr", {}, el("td", { colSpan: 5, class: "muted" }, "No held accounts.")));
}

// ---- user lookup ----

function inviteeTree(invitees) {
  if (!invitees || !invitees.length) return null;
  return el("ul", {}, ...invitees.map(invitee => el("li", {},
    el("a", { href: "#", onclick: e => { e.preventDefault(); lookUp(invitee.no); } }, "#" + invitee.no),
    " " + invitee.status + ", " + invitee.points + " points", inviteeTree(invitee.invitees))));
}

function table(headers, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...headers.map(h => el("th", {}, h)))),
    el("tbody", {}, ...rows.map(row => el("tr", {}, ...row.map(cell => el("td", {}, cell ?? ""))))));
}

async function lookUp(number) {
  $("lookup-no").value = number;
  say("lookup-result", "");
  const target = $("user");
  try {
    const user = await api("users/" + number);
    const facts = [["Number", "#" + user.no], ["Status", user.status + (user.banned ? ", banned" : "")],
      ["Points", user.points + " (ledger " + user.ledger_sum + ")"], ["Verified invites", user.invites],
      ["Invited by", user.referrer ? "#" + user.referrer : "–"], ["Wallet", user.wallet ? user.wallet + " (" + user.wallet_chain + ")" : "–"],
      ["Flag", user.flag_reason || "–"], ["Ban reason", user.ban_reason || "–"], ["Language", user.lang],
      ["Joined", when(user.created_at)], ["Verified", when(user.verified_at) || "–"]];
    target.replaceChildren(
      el("div", { class: "user-summary", id: "user-summary", "data-user": user.no },
        ...facts.map(([name, value]) => el("div", {}, el("span", { class: "muted" }, name + ": "), String(value)))),
      el("h3", {}, "Invitees (two levels)"), el("div", { class: "tree" }, inviteeTree(user.invitees) || el("p", { class: "muted" }, "None.")),
      el("h3", {}, "Ledger (latest 100)"),
      table(["When", "Amount", "Kind", "Note"], user.ledger.map(e => [when(e.createdAt), e.amount, e.kind, e.note])),
      el("h3", {}, "Submissions"),
      table(["Task", "Period", "Status", "Proof", "Reason"], user.submissions.map(s => [s.title || s.taskId, s.period, s.status, s.proof, s.reason])),
      el("h3", {}, "Claims"),
      table(["#", "Points", "Wallet", "Status", "When"], user.claims.map(c => [c.id, c.points, c.wallet, c.status, when(c.createdAt)])));
  } catch (e) {
    target.replaceChildren();
    say("lookup-result", e.message, true);
  }
}
$("lookup-form").addEventListener("submit", event => {
  event.preventDefault();
  lookUp(Number($("lookup-no").value));
});

// ---- claims ----

async function loadClaims() {
  const status = $("claims-status").value;
  const { claims } = await api("claims?status=" + encodeURIComponent(status));
  const body = $("claims").querySelector("tbody");
  body.replaceChildren(...claims.map(claim => el("tr", { "data-claim": claim.id },
    el("td", {}, claim.id),
    el("td", {}, el("a", { href: "#", onclick: e => { e.preventDefault(); lookUp(claim.userNo); } }, "#" + claim.userNo)),
    el("td", {}, claim.points), el("td", {}, (claim.wallet || "") + (claim.chain ? " (" + claim.chain + ")" : "")),
    el("td", {}, claim.status + (claim.reason ? ": " + claim.reason : "")), el("td", {}, when(claim.createdAt)),
    el("td", { class: "actions" },
      claim.status === "exported" ? el("button", { class: "paid", type: "button", onclick: async () => {
        await act("claims-result", () => api("claims/paid", { ids: [claim.id] }));
        await Promise.all([loadClaims(), loadFigures()]);
      } }, "Paid") : null,
      claim.status === "open" || claim.status === "exported" ? el("button", { class: "danger reject", type: "button", onclick: async () => {
        const reason = prompt("Why is claim #" + claim.id + " rejected? (the user is told; the points return)");
        if (!reason) return;
        await act("claims-result", () => api("claims/" + claim.id + "/reject", { reason }));
        await Promise.all([loadClaims(), loadFigures()]);
      } }, "Reject") : null))));
  if (!claims.length) body.append(el("tr", {}, el("td", { colSpan: 7, class: "muted" }, "No claims.")));
}
$("claims-status").addEventListener("change", loadClaims);
$("claims-export").addEventListener("click", () => {
  // the download marks the open claims exported; show them as such once it has started
  setTimeout(() => { $("claims-status").value = "exported"; loadClaims(); }, 1500);
});
$("claims-paid").addEventListener("click", async () => {
  if (!confirm("Mark every exported claim paid? Each user is told.")) return;
  await act("claims-result", () => api("claims/paid", { all_exported: true }));
  await Promise.all([loadClaims(), loadFigures()]);
});

// ---- start: load everything, then refresh the figures and queues now and then ----

async function loadAll() {
  const parts = [loadFigures, loadTasks, loadReviews, loadHeld, loadClaims];
  const results = await Promise.allSettled(parts.map(part => part()));
  const failed = results.find(result => result.status === "rejected");
  $("status").textContent = failed ? "could not load: " + failed.reason.message : $("status").textContent;
}
loadAll();
setInterval(() => { loadFigures().catch(() => {}); }, 10_000);
