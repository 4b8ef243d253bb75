// The airdrop Mini App. Works inside Telegram (with telegram-web-app.js) and without it (the
// sandbox, tests, an offline page): initData comes from Telegram.WebApp.initData when the script
// is there, else from the address's #tgWebAppData=..., which is what Telegram clients pass and
// the script reads. The page trades initData once for a session (POST api/session) and sends
// "Authorization: Bearer <session>" from then on. User-provided text goes in as text, never HTML.
"use strict";

(function () {
  const SCRIPT = document.currentScript;
  const API = new URL("../api/", SCRIPT ? SCRIPT.src : location.href).href;
  const HASH = new URLSearchParams(location.hash.replace(/^#/, ""));

  const TEXTS = {
    en: {
      title: "Airdrop", loading: "Loading…", captcha_title: "Prove you are human",
      captcha_hint: "Type the result of the sum in the picture.", captcha_placeholder: "Answer", verify: "Verify",
      new_picture: "Another picture", points: "Points", rank: "Rank", invites: "Invites", invite_title: "Invite friends",
      invite_hint: "You get points for every friend who passes the check.", copy: "Copy", copied: "Copied.",
      tasks_title: "Tasks", tasks_hint: "Do the tasks in the chat with the bot: /tasks.", no_tasks: "No tasks yet.",
      wallet_title: "Wallet", wallet_placeholder: "Your wallet address", save: "Save", wallet_saved: "Saved.",
      wallet_current: "Your wallet: {0} ({1})", wallet_none: "No wallet yet.", top_title: "Top 100", no_leaders: "Nobody yet.",
      you: "you", user: "User #{0}", pts: "{0} pts",
      status_todo: "to do", status_done: "done", status_pending: "in review", status_rejected: "rejected",
      wrong: "Wrong answer. Attempts left: {0}. Here is a new picture.", expired: "The picture expired. Here is a new one.",
      no_init: "Open this page from the bot: its menu button or the verification link.",
      reopen: "Your session has ended: close this page and open it again from the bot.",
      used: "This link was used already: close this page and open it again from the bot.",
      slow: "Too many requests: slow down and try again in a minute.",
      network: "The server cannot be reached. Check your connection and try again.",
      verified: "You are verified!", held: "Your account is held for review", blocked: "Your account is blocked",
      banned: "Your account is banned", reason: "Reason: {0}",
    },
    ru: {
      title: "Аирдроп", loading: "Загрузка…", captcha_title: "Докажите, что вы человек",
      captcha_hint: "Введите результат суммы с картинки.", captcha_placeholder: "Ответ", verify: "Проверить",
      new_picture: "Другая картинка", points: "Очки", rank: "Место", invites: "Приглашения", invite_title: "Пригласите друзей",
      invite_hint: "Вы получаете очки за каждого друга, прошедшего проверку.", copy: "Копировать", copied: "Скопировано.",
      tasks_title: "Задания", tasks_hint: "Выполняйте задания в чате с ботом: /tasks.", no_tasks: "Заданий пока нет.",
      wallet_title: "Кошелёк", wallet_placeholder: "Адрес вашего кошелька", save: "Сохранить", wallet_saved: "Сохранено.",
      wallet_current: "Ваш кошелёк: {0} ({1})", wallet_none: "Кошелёк не указан.", top_title: "Топ-100", no_leaders: "Пока никого.",
      you: "вы", user: "Участник №{0}", pts: "{0} оч.",
      status_todo: "сделать", status_done: "готово", status_pending: "на проверке", status_rejected: "отклонено",
      wrong: "Неверный ответ. Осталось попыток: {0}. Вот новая картинка.", expired: "Картинка устарела. Вот новая.",
      no_init: "Откройте эту страницу из бота: кнопкой меню или ссылкой на проверку.",
      reopen: "Сессия закончилась: закройте страницу и откройте её снова из бота.",
      used: "Эта ссылка уже использована: закройте страницу и откройте её снова из бота.",
      slow: "Слишком много запросов: подождите минуту и попробуйте снова.",
      network: "Сервер недоступен. Проверьте соединение и попробуйте снова.",
      verified: "Вы прошли проверку!", held: "Ваш аккаунт на проверке", blocked: "Ваш аккаунт заблокирован",
      banned: "Ваш аккаунт забанен", reason: "Причина: {0}",
    },
  };
  let lang = "en";
  let session = null;
  let me = { no: 0 };

  const $ = id => document.getElementById(id);
  function t(key, ...args) {
    const text = (TEXTS[lang] && TEXTS[lang][key]) || TEXTS.en[key] || key;
    return text.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
  }
  function setLang(code) {
    lang = TEXTS[code] ? code : (String(code || "").toLowerCase().startsWith("ru") ? "ru" : "en");
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-t]").forEach(node => { node.textContent = t(node.dataset.t); });
    document.querySelectorAll("[data-ph]").forEach(node => { node.placeholder = t(node.dataset.ph); });
    document.title = t("title");
  }
  function show(id, visible) { $(id).hidden = !visible; }
  function say(id, text, cls) {
    const node = $(id);
    node.textContent = text || "";
    node.hidden = !text;
    if (cls !== undefined) node.className = cls;
  }

  // ---- Telegram ----

  function webApp() { return window.Telegram && window.Telegram.WebApp; }
  function applyTheme(params) {
    if (!params) return;
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === "string" && /^#[0-9a-f]{3,8}$/i.test(value)) {
        document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    }
  }
  function telegramReady() {
    const tg = webApp();
    if (!tg) return;
    try {
      tg.ready();
      tg.expand();
      applyTheme(tg.themeParams);
      if (tg.onEvent) tg.onEvent("themeChanged", () => applyTheme(tg.themeParams));
    } catch (e) { /* an old client: the page works without */ }
  }
  function initData() {
    const tg = webApp();
    if (tg && tg.initData) return tg.initData;
    return HASH.get("tgWebAppData") || "";
  }
  try { applyTheme(JSON.parse(HASH.get("tgWebAppThemeParams") || "null")); } catch (e) { /* no theme */ }
  const tgScript = $("tg-script");
  if (webApp()) telegramReady(); else if (tgScript) tgScript.addEventListener("load", telegramReady);

  // ---- the API ----

  class ApiError extends Error {
    constructor(status, message, body) { super(message); this.status = status; this.body = body || {}; }
  }
  async function api(path, body) {
    const init = { method: body === undefined ? "GET" : "POST", headers: {}, cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (session) init.headers.Authorization = "Bearer " + session;
    let response;
    try {
      response = await fetch(API + path, init);
    } catch (e) {
      throw new ApiError(0, t("network"));
    }
    let json = {};
    try { json = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) throw new ApiError(response.status, json.error || ("HTTP " + response.status), json);
    return json;
  }
  /** The message for an API error: the common cases in the user's language, else the server's words. */
  function problem(error) {
    if (error.status === 401) return t("reopen");
    if (error.status === 429) return t("slow");
    return error.message;
  }
  function fail(error) {
    show("loading", false);
    say("error", problem(error));
  }

  // ---- fingerprint: hex SHA-256 of stable browser properties ----

  function canvasPrint() {
    try {
      const canvas = document.createElement("canvas");
      canvas.width = 200; canvas.height = 40;
      const g = canvas.getContext("2d");
      g.textBaseline = "top";
      g.font = "16px Arial";
      g.fillStyle = "#f60"; g.fillRect(100, 1, 62, 20);
      g.fillStyle = "#069"; g.fillText("Airdrop \u{1F680} 0xAbc", 2, 15);
      g.fillStyle = "rgba(102, 204, 0, 0.7)"; g.fillText("Airdrop \u{1F680} 0xAbc", 4, 17);
      return canvas.toDataURL();
    } catch (e) {
      return "no-canvas";
    }
  }
  function deviceDescription() {
    const nav = navigator;
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* none */ }
    return JSON.stringify([nav.userAgent, (nav.languages || [nav.language]).join(","), nav.platform,
      screen.width + "x" + screen.height, screen.colorDepth, zone, new Date().getTimezoneOffset(),
      nav.hardwareConcurrency || 0, nav.deviceMemory || 0, canvasPrint()]);
  }
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  /** SHA-256 in plain JavaScript, for browsers without crypto.subtle (pages not in a secure context). */
  function sha256Fallback(bytes) {
    const length = bytes.length;
    const padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
    view.setUint32(padded.length - 4, (length << 3) >>> 0);
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let offset = 0; offset < padded.length; offset += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    return Array.from(h, x => x.toString(16).padStart(8, "0")).join("");
  }
  async function sha256Hex(text) {
    const bytes = new TextEncoder().encode(text);
    if (window.crypto && crypto.subtle && crypto.subtle.digest) {
      try {
        const digest = await crypto.subtle.digest("SHA-256", bytes);
        return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, "0")).join("");
      } catch (e) { /* fall through */ }
    }
    return sha256Fallback(bytes);
  }
  window.airdropSha256 = sha256Fallback; // for tests: the fallback must agree with crypto.subtle

  // ---- the captcha ----

  function svgDataUrl(svg) {
    const bytes = new TextEncoder().encode(svg);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return "data:image/svg+xml;base64," + btoa(binary);
  }
  async function newCaptcha() {
    const answer = await api("captcha", {});
    $("captcha-image").src = svgDataUrl(answer.svg);
    $("captcha-answer").value = "";
    $("captcha-form").dataset.ready = "true";
  }
  async function showCaptcha() {
    show("captcha", true);
    try {
      await newCaptcha();
      $("captcha-answer").focus();
    } catch (error) {
      say("captcha-error", problem(error));
    }
  }
  $("captcha-new").addEventListener("click", async () => {
    say("captcha-error", "");
    try { await newCaptcha(); } catch (error) { say("captcha-error", problem(error)); }
  });
  $("captcha-form").addEventListener("submit", async event => {
    event.preventDefault();
    const button = $("captcha-verify");
    const answer = $("captcha-answer").value.trim();
    if (!/^\d{1,4}$/.test(answer)) return;
    button.disabled = true;
    say("captcha-error", "");
    try {
      const result = await api("verify", { answer, fingerprint: await sha256Hex(deviceDescription()) });
      if (result.ok === false) {
        if (Number(result.attempts_left) > 0) await newCaptcha();
        say("captcha-error", result.attempts_left > 0 ? t("wrong", result.attempts_left) : result.error);
        return;
      }
      show("captcha", false);
      await showState(result, true);
    } catch (error) {
      if (error.status === 409 && /expired/.test(error.message)) {
        try { await newCaptcha(); } catch (e) { /* shown below */ }
        say("captcha-error", t("expired"));
      } else {
        say("captcha-error", problem(error));
      }
    } finally {
      button.disabled = false;
    }
  });

  // ---- the user's page ----

  function fill(state) {
    me = state;
    $("user-no").textContent = state.no ? t("user", state.no) : "";
    $("points").textContent = Number(state.points || 0).toLocaleString(lang);
    $("rank").textContent = state.rank ? "#" + state.rank : "–";
    $("invites").textContent = String(state.invites || 0);
    $("wallet-current").textContent = state.wallet ? t("wallet_current", state.wallet, state.wallet_chain) : t("wallet_none");
  }
  function renderTasks(tasks) {
    const list = $("tasks");
    list.replaceChildren();
    if (!tasks.length) {
      list.append(Object.assign(document.createElement("li"), { className: "muted", textContent: t("no_tasks") }));
    }
    for (const task of tasks) {
      const item = document.createElement("li");
      item.dataset.task = task.id;
      const title = document.createElement("span");
      title.textContent = task.title + " · +" + task.points;
      const badge = document.createElement("span");
      badge.className = "badge " + task.status;
      badge.textContent = t("status_" + task.status);
      item.append(title, badge);
      list.append(item);
    }
  }
  function renderTop(top) {
    const board = $("leaderboard");
    board.replaceChildren();
    if (!top.length) {
      board.append(Object.assign(document.createElement("li"), { className: "muted", textContent: t("no_leaders") }));
    }
    for (const leader of top) {
      const item = document.createElement("li");
      if (leader.no === me.no) item.className = "me";
      const place = Object.assign(document.createElement("span"), { className: "place", textContent: leader.rank + "." });
      const who = Object.assign(document.createElement("span"), {
        className: "who", textContent: t("user", leader.no) + (leader.no === me.no ? " (" + t("you") + ")" : "") });
      const points = Object.assign(document.createElement("span"), { textContent: t("pts", leader.points) });
      item.append(place, who, points);
      board.append(item);
    }
  }
  async function loadHome() {
    const data = await api("me");
    setLang(data.lang || lang);
    fill(data);
    $("invite-link").value = data.invite_link || "";
    renderTasks(data.tasks || []);
    renderTop(data.top || []);
    show("home", true);
  }
  /** Shows what the state calls for: the captcha, the held notice or the user's page. */
  async function showState(state, justVerified) {
    setLang(state.lang || lang);
    fill(state);
    show("loading", false);
    if (state.banned || state.status === "held" || state.status === "blocked") {
      $("held-title").textContent = t(state.banned ? "banned" : state.status);
      $("held-reason").textContent = state.reason ? t("reason", state.reason) : "";
      show("held", true);
      show("captcha", false);
      show("home", false);
      return;
    }
    if (state.status === "new") {
      await showCaptcha();
      return;
    }
    if (justVerified) {
      say("error", "");
      const node = $("verified-note") || document.createElement("p");
      node.id = "verified-note";
      node.className = "ok";
      node.textContent = t("verified");
      $("error").after(node);
    }
    const tg = webApp();
    if (justVerified && tg && tg.HapticFeedback) { try { tg.HapticFeedback.notificationOccurred("success"); } catch (e) { /* none */ } }
    await loadHome();
  }

  $("invite-copy").addEventListener("click", async () => {
    const link = $("invite-link").value;
    let copied = false;
    try {
      if (navigator.clipboard) { await navigator.clipboard.writeText(link); copied = true; }
    } catch (e) { /* try the old way */ }
    if (!copied) {
      $("invite-link").select();
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    }
    $("invite-result").textContent = copied ? t("copied") : link;
  });
  $("wallet-form").addEventListener("submit", async event => {
    event.preventDefault();
    const address = $("wallet-address").value.trim();
    if (!address) return;
    $("wallet-save").disabled = true;
    try {
      fill(await api("wallet", { address }));
      $("wallet-address").value = "";
      say("wallet-result", t("wallet_saved"), "ok");
    } catch (error) {
      say("wallet-result", problem(error), "error");
    } finally {
      $("wallet-save").disabled = false;
    }
  });

  // ---- start ----

  async function start() {
    setLang((navigator.language || "en").slice(0, 2));
    const data = initData();
    if (!data) {
      fail({ message: t("no_init") });
      return;
    }
    try {
      try {
        const user = JSON.parse(new URLSearchParams(data).get("user") || "{}");
        if (user.language_code) setLang(user.language_code);
      } catch (e) { /* no user field: the server says */ }
      // Telegram hands a reloaded page the same initData, which the server accepts only once: the
      // session it was traded for is kept for this tab and used again while it is valid.
      const key = "airdrop-session:" + (await sha256Hex(data));
      const saved = sessionStorage.getItem(key);
      if (saved) {
        session = saved;
        try {
          await showState(await api("me"), false);
          return;
        } catch (error) {
          if (error.status !== 401) throw error;
          session = null;
          sessionStorage.removeItem(key);
        }
      }
      const state = await api("session", { init_data: data });
      session = state.session;
      sessionStorage.setItem(key, session);
      await showState(state, false);
    } catch (error) {
      if (error.status === 409) error.message = t("used");
      fail(error);
    }
  }
  start();
})();
