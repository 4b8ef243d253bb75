/*
 * Telescale sandbox: several simulated users side by side, each a chat window with one bot,
 * played through the emulator's /sim API (docs/emulator.md). Plain browser JavaScript, no build.
 *
 * What the bot did comes from the user's inbox (polled); what the user sent is recorded here when
 * the send call returns, and kept in localStorage with the list of users, so a reload keeps the
 * conversation. Text from the network is only ever put into the page as text nodes.
 *
 * Mini Apps (web_app buttons of messages and of the reply keyboard, a web_app menu button) open in
 * an overlay whose frame loads the launch URL the emulator signs (POST /sim/users/{id}/webapp):
 * the app is served by another origin, the bot's own server, so its data travels in the URL's hash
 * exactly as in Telegram Web, and it talks back with Telegram Web's postMessage protocol.
 */
(function () {
  'use strict';

  const USERS_KEY = 'telescale.sandbox.users';
  const CHAT_KEY_PREFIX = 'telescale.sandbox.chat.';
  const POLL_MS = 400;
  const ACTION_MS = 5000;
  /** The menu button is read again every this many polls (it changes without a message). */
  const MENU_POLLS = 10;
  const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
  const MAX_STORED_PHOTO_CHARS = 300000;
  const COMMANDS = ['/start', '/search', '/next', '/stop'];
  const REACTIONS = ['👍', '❤', '😂', '😮', '😢', '🔥'];
  const SPARE_NAMES = ['Cleo', 'Dan', 'Eve', 'Finn', 'Gia', 'Hugo', 'Iris', 'Jon', 'Kai', 'Lena'];
  const ACTION_TEXT = {
    typing: 'typing…',
    upload_photo: 'sending a photo…',
    record_video: 'recording a video…',
    upload_video: 'sending a video…',
    record_voice: 'recording a voice message…',
    upload_voice: 'sending a voice message…',
    record_audio: 'recording audio…',
    upload_audio: 'sending audio…',
    upload_document: 'sending a file…',
    choose_sticker: 'choosing a sticker…',
    find_location: 'finding a location…',
    pick_up_location: 'finding a location…',
    record_video_note: 'recording a video message…',
    upload_video_note: 'sending a video message…'
  };

  const chatsEl = document.getElementById('chats');
  const statusEl = document.getElementById('status');
  const formEl = document.getElementById('add-user-form');
  const nameInput = document.getElementById('new-user-name');
  const botSelect = document.getElementById('new-user-bot');
  const resetButton = document.getElementById('reset');

  /** The bots the emulator knows: [{id, username, first_name}]. */
  let bots = [];
  /** Open windows by user id, in the order they were opened. */
  const windows = new Map();
  /** Bumped by Reset: a boot that belongs to an older generation stops. */
  let generation = 0;

  // ---- small helpers ----

  /** A DOM element; attributes are set as attributes, text as text, never parsed as HTML. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [key, value] of Object.entries(attrs)) {
        if (value === null || value === undefined || value === false) {
          continue;
        }
        if (key === 'class') {
          node.className = value;
        } else if (key === 'text') {
          node.textContent = value;
        } else if (key.startsWith('on') && typeof value === 'function') {
          node.addEventListener(key.slice(2), value);
        } else {
          node.setAttribute(key, value === true ? '' : String(value));
        }
      }
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child);
      }
    }
    return node;
  }

  function sleep(ms) {
    return new Promise(resolve => setTimeout(resolve, ms));
  }

  function truncate(text, max) {
    const flat = String(text).replace(/\s+/g, ' ').trim();
    return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
  }

  function timeOf(millis) {
    const date = new Date(millis);
    return String(date.getHours()).padStart(2, '0') + ':' + String(date.getMinutes()).padStart(2, '0');
  }

  function load(key, fallback) {
    try {
      const raw = localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  /** Saves a value; false when the browser refused (storage full or disabled). */
  function save(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (e) {
      return false;
    }
  }

  function setStatus(text, isError) {
    statusEl.textContent = text || '';
    statusEl.hidden = !text;
    statusEl.classList.toggle('error', Boolean(isError));
  }

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  /** A /sim call; resolves to the JSON answer, rejects with the emulator's error text. */
  async function api(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        cache: 'no-store',
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (e) {
      throw new ApiError('the emulator is unreachable', 0);
    }
    let data = null;
    const type = response.headers.get('Content-Type') || '';
    if (type.includes('application/json')) {
      try {
        data = await response.json();
      } catch (e) {
        data = null;
      }
    }
    if (!response.ok || (data && data.ok === false)) {
      const reason = (data && (data.error || data.description)) || ('HTTP ' + response.status + ' ' + response.statusText);
      throw new ApiError(reason, response.status);
    }
    return data;
  }

  // ---- rendering messages ----

  function coordinate(value) {
    return String(Number(Number(value).toFixed(5)));
  }

  function bracket(...parts) {
    return '[' + parts.filter(part => part !== null && part !== undefined && part !== '').join(' ') + ']';
  }

  function seconds(duration) {
    return typeof duration === 'number' ? duration + ' s' : null;
  }

  /** A readable line for content the page does not show as such, or null. */
  function placeholder(m) {
    if (m.sticker) return bracket('sticker', m.sticker.emoji);
    if (m.voice) return bracket('voice', seconds(m.voice.duration));
    if (m.video_note) return bracket('video message', seconds(m.video_note.duration));
    if (m.animation) return bracket('GIF', seconds(m.animation.duration));
    if (m.video) return bracket('video', seconds(m.video.duration));
    if (m.audio) {
      const title = [m.audio.performer, m.audio.title].filter(Boolean).join(' – ') || m.audio.file_name;
      return bracket('audio', title, seconds(m.audio.duration));
    }
    if (m.document) return bracket('document', m.document.file_name);
    if (m.venue) return bracket('venue', [m.venue.title, m.venue.address].filter(Boolean).join(', '));
    if (m.location) return bracket('location', coordinate(m.location.latitude) + ',', coordinate(m.location.longitude));
    if (m.contact) return bracket('contact', [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' '),
      m.contact.phone_number);
    if (m.dice) return bracket('dice', m.dice.emoji, m.dice.value);
    if (m.poll) return bracket('poll', m.poll.question);
    if (m.invoice) return bracket('invoice', m.invoice.title + ':', m.invoice.total_amount, m.invoice.currency);
    if (m.successful_payment) return bracket('payment', m.successful_payment.total_amount,
      m.successful_payment.currency);
    if (m.paid_media) return bracket('paid media');
    if (m.photo || typeof m.text === 'string') return null;
    return bracket('service message');
  }

  /** One line that stands for a message, for quotes and the reply bar. */
  function summaryOf(m) {
    if (typeof m.text === 'string') return m.text;
    const head = m.photo ? '[photo]' : placeholder(m) || '';
    return typeof m.caption === 'string' && m.caption ? head + ' ' + m.caption : head;
  }

  /** A URL safe to link to, or null. */
  function safeUrl(raw) {
    try {
      const url = new URL(raw);
      return ['http:', 'https:', 'mailto:', 'tg:'].includes(url.protocol) ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(href, label) {
    return href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label)
      : el('span', null, label);
  }

  /** The element for one entity: {outer} is appended, {inner} receives the entity's text. */
  function entityNode(entity, slice, onCommand) {
    let node;
    switch (entity.type) {
      case 'bold': node = el('strong'); break;
      case 'italic': node = el('em'); break;
      case 'underline': node = el('u'); break;
      case 'strikethrough': node = el('s'); break;
      case 'code': node = el('code'); break;
      case 'pre': {
        const code = el('code', { 'data-language': entity.language || null });
        return { outer: el('pre', null, code), inner: code };
      }
      case 'blockquote':
      case 'expandable_blockquote': node = el('blockquote'); break;
      case 'spoiler':
        node = el('span', { class: 'spoiler', title: 'Spoiler: click to show' });
        node.addEventListener('click', () => node.classList.add('revealed'));
        break;
      case 'text_link': node = link(safeUrl(entity.url), ''); break;
      case 'url': node = link(safeUrl(/^[a-z][a-z0-9+.-]*:/i.test(slice) ? slice : 'http://' + slice), ''); break;
      case 'email': node = link('mailto:' + slice, ''); break;
      case 'mention':
      case 'text_mention': node = el('span', { class: 'mention' }); break;
      case 'hashtag':
      case 'cashtag': node = el('span', { class: 'hashtag' }); break;
      case 'bot_command':
        node = el('span', { class: 'command', role: 'button', tabindex: '0', title: 'Send ' + slice });
        node.addEventListener('click', () => onCommand(slice));
        break;
      default: node = el('span', { class: 'entity-' + String(entity.type || 'unknown').replace(/[^a-z_]/g, '') });
    }
    return { outer: node, inner: node };
  }

  function appendRange(parent, text, start, end, entities, onCommand) {
    let position = start;
    let i = 0;
    while (i < entities.length) {
      const entity = entities[i];
      const from = Math.max(entity.offset, position);
      const to = Math.min(entity.offset + entity.length, end);
      if (from >= to) {
        i++;
        continue;
      }
      if (from > position) {
        parent.append(text.slice(position, from));
      }
      let j = i + 1;
      const inside = [];
      while (j < entities.length && entities[j].offset < to) {
        inside.push(entities[j]);
        j++;
      }
      const node = entityNode(entity, text.slice(from, to), onCommand);
      appendRange(node.inner, text, from, to, inside, onCommand);
      parent.append(node.outer);
      position = to;
      i = j;
    }
    if (position < end) {
      parent.append(text.slice(position, end));
    }
  }

  /** Text with its entities (offsets in UTF-16 units, as JavaScript strings count) as DOM nodes. */
  function formatted(text, entities, onCommand) {
    const fragment = document.createDocumentFragment();
    const list = (Array.isArray(entities) ? entities : [])
      .filter(e => e && Number.isInteger(e.offset) && Number.isInteger(e.length) && e.offset >= 0 && e.length > 0
        && e.offset < text.length)
      .sort((a, b) => a.offset - b.offset || b.length - a.length);
    appendRange(fragment, text, 0, text.length, list, onCommand);
    return fragment;
  }

  // ---- one chat window ----

  class ChatWindow {
    constructor(user) {
      this.userId = user.id;
      this.botId = user.bot;
      this.name = user.name;
      this.bot = bots.find(bot => bot.id === user.bot) || { id: user.bot, username: 'bot' + user.bot, first_name: 'Bot' };
      this.lastSeq = 0;
      this.alive = true;
      this.caughtUp = false;
      this.keyboardStale = true;
      this.keyboardJson = '';
      this.keyboard = null;
      this.keyboardHidden = false;
      this.menuStale = true;
      this.polls = 0;
      this.replyTo = null;
      this.queue = Promise.resolve();
      this.botMessages = new Map();
      this.botReactions = new Map();
      this.pendingPresses = new Map();
      this.storageWarned = false;
      const stored = load(CHAT_KEY_PREFIX + this.userId, null);
      this.store = stored && stored.bot === this.botId && Array.isArray(stored.mine)
        ? { bot: this.botId, mine: stored.mine, reactions: stored.reactions || {} }
        : { bot: this.botId, mine: [], reactions: {} };
      this.build();
      for (const mine of this.store.mine) {
        this.insert(this.ownNode(mine));
      }
      this.updateEmptyHint();
      this.poll();
    }

    build() {
      this.actionEl = el('span', { class: 'chat-action' });
      this.problemEl = el('span', { class: 'problem', hidden: true });
      this.section = el('section', {
        class: 'chat', 'data-user': this.userId, 'data-bot': this.botId, 'data-name': this.name
      },
      el('header', { class: 'chat-header' },
        el('div', { class: 'avatar', style: 'background:' + avatarColor(this.userId), text: this.name.slice(0, 1) }),
        el('div', { class: 'who' },
          el('div', { class: 'name', text: this.name }),
          el('div', { class: 'subtitle' },
            el('span', { class: 'via', text: 'via @' + this.bot.username }), this.actionEl, this.problemEl)),
        el('button', {
          class: 'close', type: 'button', title: 'Close this window', 'aria-label': 'Close', text: '×',
          onclick: () => this.close()
        })));
      this.messagesEl = el('div', { class: 'messages' });
      // stays at the newest message while the user has not scrolled up, also when the window is resized
      this.pinned = true;
      this.messagesEl.addEventListener('scroll', () => { this.pinned = this.nearBottom(); });
      if (window.ResizeObserver) {
        new ResizeObserver(() => { if (this.pinned) this.scrollToBottom(); }).observe(this.messagesEl);
      }
      this.emptyHint = el('div', { class: 'empty-hint', text: 'Press /start below to talk to @' + this.bot.username + '.' });
      this.messagesEl.append(this.emptyHint);
      this.toastsEl = el('div', { class: 'toasts', 'aria-live': 'polite' });
      this.keyboardEl = el('div', { class: 'reply-keyboard', hidden: true });
      this.commandsEl = el('div', { class: 'commands' }, COMMANDS.map(command => el('button', {
        type: 'button', 'data-command': command, text: command, onclick: () => this.command(command)
      })));
      this.replyingLabel = el('span', { class: 'replying-text' });
      this.replyingEl = el('div', { class: 'replying', hidden: true },
        el('span', { class: 'replying-title', text: 'Reply to' }), this.replyingLabel,
        el('button', {
          class: 'cancel-reply', type: 'button', title: 'Cancel the reply', 'aria-label': 'Cancel the reply', text: '×',
          onclick: () => this.setReply(null)
        }));
      this.attachInput = el('input', { class: 'attach', type: 'file', accept: 'image/*', title: 'Send a picture' });
      this.attachInput.addEventListener('change', () => this.attachChosen());
      this.composer = el('input', { class: 'composer', type: 'text', placeholder: 'Message', maxlength: '4096',
        'aria-label': 'Message to @' + this.bot.username });
      this.composer.addEventListener('keydown', event => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.submitText();
        }
      });
      this.menuButtonEl = el('button', {
        class: 'menu-button', type: 'button', hidden: true, onclick: () => this.openMenuApp()
      });
      this.keyboardToggle = el('button', {
        class: 'keyboard-toggle', type: 'button', title: 'Show the bot\'s keyboard', text: '⌨', hidden: true,
        onclick: () => { this.keyboardHidden = !this.keyboardHidden; this.showKeyboard(); }
      });
      this.section.append(
        el('div', { class: 'body' }, this.messagesEl, this.toastsEl),
        this.keyboardEl,
        this.commandsEl,
        this.replyingEl,
        el('div', { class: 'composer-row' },
          this.menuButtonEl,
          el('label', { class: 'attach-label', title: 'Send a picture' }, this.attachInput,
            el('span', { class: 'clip', 'aria-hidden': 'true' })),
          this.composer,
          this.keyboardToggle,
          el('button', { class: 'send', type: 'button', text: 'Send', onclick: () => this.submitText() })));
      chatsEl.append(this.section);
    }

    close() {
      this.alive = false;
      miniApp.closeFor(this);
      this.section.remove();
      windows.delete(this.userId);
      localStorage.removeItem(CHAT_KEY_PREFIX + this.userId);
      saveUsers();
    }

    /** Stops polling and removes the window, keeping what is stored (Reset clears storage itself). */
    dispose() {
      this.alive = false;
      miniApp.closeFor(this);
      this.section.remove();
    }

    // -- polling --

    async poll() {
      while (this.alive) {
        try {
          const events = await api('GET', '/sim/users/' + this.userId + '/inbox?bot=' + this.botId
            + '&after=' + this.lastSeq);
          if (!this.alive) {
            return;
          }
          for (const event of events) {
            this.lastSeq = Math.max(this.lastSeq, event.seq);
            try {
              this.apply(event);
            } catch (e) {
              console.error('sandbox: cannot show inbox event', event, e);
            }
          }
          if (this.keyboardStale) {
            await this.refreshKeyboard();
            this.keyboardStale = false;
            this.menuStale = true;
          }
          if (this.menuStale || this.polls % MENU_POLLS === 0) {
            await this.refreshMenuButton();
            this.menuStale = false;
          }
          this.polls++;
          this.setProblem(null);
          if (!this.caughtUp) {
            this.caughtUp = true;
            this.scrollToBottom();
          }
        } catch (e) {
          this.setProblem(e.status === 404 ? 'this user is gone from the emulator (restarted?): press Reset'
            : 'offline: ' + e.message);
        }
        await sleep(POLL_MS);
      }
    }

    setProblem(text) {
      this.problemEl.textContent = text || '';
      this.problemEl.hidden = !text;
    }

    apply(event) {
      switch (event.event) {
        case 'message':
          this.clearAction();
          this.keyboardStale = true;
          this.insert(this.botNode(event.message));
          break;
        case 'edit':
          this.insert(this.botNode(event.message));
          break;
        case 'delete':
          this.remove(event.message_id);
          break;
        case 'reaction':
          this.botReactions.set(event.message_id, (event.reaction || [])
            .map(reaction => reaction.emoji || (reaction.type === 'paid' ? '⭐' : '✨')));
          this.renderReactions(event.message_id);
          break;
        case 'chat_action':
          if (this.caughtUp) {
            this.showAction(event.action);
          }
          break;
        case 'callback_answer': {
          const button = this.pendingPresses.get(event.callback_query_id);
          if (button) {
            button.classList.remove('pending');
            this.pendingPresses.delete(event.callback_query_id);
          }
          if (this.caughtUp && event.text) {
            this.toast(event.text, event.show_alert ? 'alert' : 'info');
          }
          if (this.caughtUp && event.url) {
            this.toast('The bot answered with a link: ' + event.url, 'info');
          }
          break;
        }
        case 'payment_declined':
          if (this.caughtUp) {
            this.toast('Payment declined: ' + (event.error_message || ''), 'error');
          }
          break;
        default:
          break;
      }
      this.updateEmptyHint();
    }

    async refreshKeyboard() {
      const answer = await api('GET', '/sim/users/' + this.userId + '/keyboard?bot=' + this.botId);
      const json = JSON.stringify(answer);
      if (json === this.keyboardJson) {
        return;
      }
      this.keyboardJson = json;
      this.keyboard = answer && Array.isArray(answer.keyboard) ? answer : null;
      this.keyboardHidden = false;
      this.keyboardEl.replaceChildren();
      if (this.keyboard) {
        for (const row of this.keyboard.keyboard) {
          this.keyboardEl.append(el('div', { class: 'key-row' }, row.map(key => el('button', {
            class: 'key', type: 'button', text: key.text, onclick: () => this.pressKey(key)
          }))));
        }
      }
      this.composer.placeholder = (this.keyboard && this.keyboard.input_field_placeholder) || 'Message';
      this.showKeyboard();
    }

    /** The bot's menu button: shown next to the composer when it opens a Mini App. */
    async refreshMenuButton() {
      const answer = await api('GET', '/sim/users/' + this.userId + '/menu-button?bot=' + this.botId);
      const webApp = answer && answer.type === 'web_app' && answer.web_app && typeof answer.web_app.url === 'string'
        ? answer : null;
      this.menuButton = webApp;
      this.menuButtonEl.hidden = !webApp;
      if (webApp) {
        this.menuButtonEl.textContent = String(webApp.text || 'Open');
        this.menuButtonEl.title = 'Open the Mini App ' + webApp.web_app.url;
      }
    }

    showKeyboard() {
      const has = Boolean(this.keyboard);
      this.keyboardEl.hidden = !has || this.keyboardHidden;
      this.keyboardToggle.hidden = !has;
      this.keyboardToggle.title = this.keyboardHidden ? 'Show the bot\'s keyboard' : 'Hide the bot\'s keyboard';
      this.keyboardToggle.classList.toggle('active', has && !this.keyboardHidden);
    }

    showAction(action) {
      clearTimeout(this.actionTimer);
      if (!action || action === 'cancel') {
        this.clearAction();
        return;
      }
      this.actionEl.textContent = ACTION_TEXT[action] || action.replace(/_/g, ' ') + '…';
      this.section.classList.add('acting');
      this.actionTimer = setTimeout(() => this.clearAction(), ACTION_MS);
    }

    clearAction() {
      clearTimeout(this.actionTimer);
      this.actionEl.textContent = '';
      this.section.classList.remove('acting');
    }

    // -- the message list --

    nodeOf(messageId) {
      return this.messagesEl.querySelector('.msg[data-message-id="' + Number(messageId) + '"]');
    }

    nearBottom() {
      const list = this.messagesEl;
      return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    }

    scrollToBottom() {
      this.messagesEl.scrollTop = this.messagesEl.scrollHeight;
      this.pinned = true;
    }

    /** Puts a message node in message_id order (ids are shared by both sides of a chat), replacing an older copy. */
    insert(node) {
      const stick = this.pinned || !this.caughtUp;
      const id = Number(node.dataset.messageId);
      const existing = this.nodeOf(id);
      if (existing) {
        existing.replaceWith(node);
      } else {
        let before = null;
        for (const other of this.messagesEl.querySelectorAll(':scope > .msg')) {
          if (Number(other.dataset.messageId) > id) {
            before = other;
            break;
          }
        }
        this.messagesEl.insertBefore(node, before);
      }
      this.renderReactions(id);
      this.updateEmptyHint();
      if (stick) {
        this.scrollToBottom();
      }
    }

    remove(messageId) {
      const node = this.nodeOf(messageId);
      if (node) {
        node.remove();
      }
      this.botMessages.delete(messageId);
      const before = this.store.mine.length;
      this.store.mine = this.store.mine.filter(mine => mine.id !== messageId);
      if (this.store.mine.length !== before) {
        this.persist();
      }
      if (this.replyTo && this.replyTo.id === messageId) {
        this.setReply(null);
      }
      this.updateEmptyHint();
    }

    updateEmptyHint() {
      this.emptyHint.hidden = Boolean(this.messagesEl.querySelector(':scope > .msg'));
    }

    quoteNode(quote) {
      const node = el('div', { class: 'quote', title: 'Show the message' },
        el('span', { class: 'quote-author', text: quote.author }),
        el('span', { class: 'quote-text', text: truncate(quote.text, 90) }));
      node.addEventListener('click', () => {
        const target = this.nodeOf(quote.id);
        if (target) {
          target.scrollIntoView({ block: 'center', behavior: 'smooth' });
          target.classList.remove('flash');
          void target.offsetWidth;
          target.classList.add('flash');
        }
      });
      return node;
    }

    authorOf(message) {
      if (message.from && message.from.id === this.userId) return 'You';
      if (message.from && message.from.id === this.botId) return this.bot.first_name || '@' + this.bot.username;
      return (message.from && message.from.first_name) || 'Message';
    }

    metaNode(edited, millis) {
      return el('div', { class: 'meta' },
        el('span', { class: 'reactions' }),
        edited ? el('span', { class: 'edited', text: 'edited' }) : null,
        el('span', { class: 'time', text: timeOf(millis) }));
    }

    botNode(message) {
      const id = message.message_id;
      this.botMessages.set(id, message);
      // a Mini App's answer (answerWebAppQuery) is the user's own message, sent via the bot
      const mine = Boolean(message.from && message.from.id === this.userId);
      const bubble = el('div', { class: 'bubble' });
      if (message.via_bot && message.via_bot.username) {
        bubble.append(el('div', { class: 'via-bot', text: 'via @' + message.via_bot.username }));
      }
      if (message.reply_to_message) {
        const replied = message.reply_to_message;
        bubble.append(this.quoteNode({ id: replied.message_id, author: this.authorOf(replied), text: summaryOf(replied) }));
      }
      if (message.forward_origin) {
        bubble.append(el('div', { class: 'forwarded', text: 'Forwarded message' }));
      }
      const onCommand = command => this.enqueue(() => this.sendText(command, false));
      if (Array.isArray(message.photo) && message.photo.length) {
        const largest = message.photo[message.photo.length - 1];
        bubble.append(this.photoNode('/sim/files/' + encodeURIComponent(largest.file_id) + '?bot=' + this.botId,
          message.has_media_spoiler));
      }
      const line = placeholder(message);
      if (line) {
        bubble.append(el('div', { class: 'placeholder', text: line }));
      }
      if (typeof message.text === 'string') {
        bubble.append(el('div', { class: 'text' }, formatted(message.text, message.entities, onCommand)));
      }
      if (typeof message.caption === 'string' && message.caption) {
        bubble.append(el('div', { class: 'caption' }, formatted(message.caption, message.caption_entities, onCommand)));
      }
      bubble.append(this.metaNode(Boolean(message.edit_date), (message.date || 0) * 1000));
      const node = el('div', { class: 'msg ' + (mine ? 'from-me' : 'from-bot'), 'data-message-id': id }, bubble);
      const rows = message.reply_markup && message.reply_markup.inline_keyboard;
      if (Array.isArray(rows) && rows.length) {
        node.append(this.inlineKeyboard(message, rows));
      }
      node.append(this.actionsNode(id, { react: !mine }));
      return node;
    }

    photoNode(src, spoiler) {
      const image = el('img', { class: 'photo' + (spoiler ? ' spoiler-media' : ''), src, alt: 'photo' });
      image.addEventListener('load', () => {
        if (this.pinned) {
          this.scrollToBottom();
        }
      });
      if (spoiler) {
        image.addEventListener('click', () => image.classList.remove('spoiler-media'));
      }
      return image;
    }

    /** What this user sent, as recorded locally: {id, kind: text|photo|other, text, caption, photo, summary, replyTo, edited, at}. */
    ownNode(mine) {
      const bubble = el('div', { class: 'bubble' });
      if (mine.replyTo) {
        bubble.append(this.quoteNode(mine.replyTo));
      }
      if (mine.kind === 'photo') {
        bubble.append(mine.photo ? this.photoNode(mine.photo, false) : el('div', { class: 'placeholder', text: '[photo]' }));
      } else if (mine.kind === 'other') {
        bubble.append(el('div', { class: 'placeholder', text: mine.summary || '[message]' }));
      }
      if (mine.kind === 'text') {
        bubble.append(el('div', { class: 'text', text: mine.text }));
      }
      if (mine.caption) {
        bubble.append(el('div', { class: 'caption', text: mine.caption }));
      }
      bubble.append(this.metaNode(mine.edited, mine.at));
      return el('div', { class: 'msg from-me', 'data-message-id': mine.id }, bubble,
        this.actionsNode(mine.id, { edit: mine.kind === 'text' }));
    }

    actionsNode(id, options) {
      const actions = el('div', { class: 'msg-actions' },
        el('button', {
          class: 'reply-action', type: 'button', title: 'Reply', 'aria-label': 'Reply', text: '↩',
          onclick: () => this.replyToMessage(id)
        }));
      if (options.edit) {
        actions.append(el('button', {
          class: 'edit-action', type: 'button', title: 'Edit', 'aria-label': 'Edit', text: '✎',
          onclick: () => this.editOwn(id)
        }));
      }
      if (options.react) {
        const picker = el('div', { class: 'react-picker', hidden: true }, REACTIONS.map(emoji => el('button', {
          class: 'react-choice', type: 'button', 'data-emoji': emoji, title: 'React with ' + emoji, text: emoji,
          onclick: () => { picker.hidden = true; this.react(id, emoji); }
        })));
        actions.append(el('button', {
          class: 'react-action', type: 'button', title: 'React', 'aria-label': 'React', text: '☺',
          onclick: event => {
            event.stopPropagation();
            const open = picker.hidden;
            closePickers();
            picker.hidden = !open;
          }
        }), picker);
      }
      return actions;
    }

    renderReactions(messageId) {
      const node = this.nodeOf(messageId);
      const holder = node && node.querySelector('.reactions');
      if (!holder) {
        return;
      }
      holder.replaceChildren();
      for (const emoji of this.botReactions.get(messageId) || []) {
        holder.append(el('span', { class: 'reaction bot-reaction', title: 'Reaction from the bot', text: emoji }));
      }
      const mine = this.store.reactions[messageId];
      if (mine) {
        holder.append(el('span', { class: 'reaction my-reaction', title: 'Your reaction', text: mine }));
      }
    }

    inlineKeyboard(message, rows) {
      return el('div', { class: 'inline-keyboard' }, rows.map(row => el('div', { class: 'inline-row' },
        (Array.isArray(row) ? row : []).map(button => {
          const node = el('button', { class: 'inline-button', type: 'button', text: String(button.text || '') });
          if (typeof button.callback_data === 'string') {
            node.dataset.data = button.callback_data;
            node.addEventListener('click', () => this.press(message.message_id, button.callback_data, node));
          } else if (button.url) {
            node.classList.add('link');
            node.title = button.url;
            node.addEventListener('click', () => {
              const href = safeUrl(button.url);
              if (href) {
                window.open(href, '_blank', 'noopener');
              } else {
                this.toast('Link: ' + button.url, 'info');
              }
            });
          } else if (button.web_app && typeof button.web_app.url === 'string') {
            node.classList.add('webapp');
            node.title = 'Open the Mini App ' + button.web_app.url;
            node.addEventListener('click', () => this.openWebApp(
              { message_id: message.message_id, url: button.web_app.url }, String(button.text || ''), null));
          } else if (button.pay) {
            node.addEventListener('click', () => this.pay(message.message_id));
          } else if (button.copy_text && typeof button.copy_text.text === 'string') {
            node.addEventListener('click', () => this.copy(button.copy_text.text));
          } else {
            node.addEventListener('click', () => this.toast('This kind of button does nothing in the sandbox', 'info'));
          }
          return node;
        }))));
    }

    // -- what the user does --

    /** Runs user actions one after another, so messages go out in the order they were made. */
    enqueue(task) {
      this.queue = this.queue.then(task).catch(e => this.toast(e.message || String(e), 'error'));
      return this.queue;
    }

    submitText() {
      const text = this.composer.value;
      if (!text.trim()) {
        this.composer.focus();
        return;
      }
      this.composer.value = '';
      this.enqueue(async () => {
        const sent = await this.sendText(text, true);
        if (!sent && !this.composer.value) {
          this.composer.value = text;
        }
      });
    }

    command(command) {
      this.enqueue(() => command === '/start' ? this.start() : this.sendText(command, false));
    }

    pressKey(key) {
      if (this.keyboard && this.keyboard.one_time_keyboard) {
        this.keyboardHidden = true;
        this.showKeyboard();
      }
      if (key.request_contact) {
        const phone = '+1555' + String(this.userId).slice(-7).padStart(7, '0');
        const contact = { phone_number: phone, first_name: this.name, user_id: this.userId };
        this.enqueue(() => this.sendOther({ contact }, bracket('contact', this.name, phone)));
      } else if (key.request_location) {
        const location = { latitude: 55.7558, longitude: 37.6173 };
        this.enqueue(() => this.sendOther({ location }, bracket('location', '55.7558,', '37.6173')));
      } else if (key.web_app && typeof key.web_app.url === 'string') {
        // a keyboard Mini App may send data back with Telegram.WebApp.sendData
        this.openWebApp({ url: key.web_app.url }, key.text, key.text);
      } else {
        this.enqueue(() => this.sendText(key.text, true));
      }
    }

    /** The reply target for the next message, if the user chose one: {reply_to} and the quote to show. */
    takeReply(withReply) {
      return withReply && this.replyTo ? this.replyTo : null;
    }

    async start() {
      try {
        const answer = await api('POST', '/sim/users/' + this.userId + '/start', { bot: this.botId });
        this.addOwn({ id: answer.message_id, kind: 'text', text: '/start' });
        return true;
      } catch (e) {
        this.toast(e.message, 'error');
        return false;
      }
    }

    async sendText(text, withReply) {
      const reply = this.takeReply(withReply);
      const body = { bot: this.botId, text };
      if (reply) {
        body.reply_to = reply.id;
      }
      try {
        const answer = await api('POST', '/sim/users/' + this.userId + '/send', body);
        this.addOwn({ id: answer.message_id, kind: 'text', text, replyTo: reply });
        if (reply) {
          this.setReply(null);
        }
        return true;
      } catch (e) {
        this.toast(e.message, 'error');
        return false;
      }
    }

    async sendOther(content, summary) {
      try {
        const answer = await api('POST', '/sim/users/' + this.userId + '/send', Object.assign({ bot: this.botId }, content));
        this.addOwn({ id: answer.message_id, kind: 'other', summary });
        return true;
      } catch (e) {
        this.toast(e.message, 'error');
        return false;
      }
    }

    attachChosen() {
      const file = this.attachInput.files && this.attachInput.files[0];
      this.attachInput.value = '';
      if (!file) {
        return;
      }
      if (!file.type.startsWith('image/')) {
        this.toast('Choose a picture (' + file.name + ' is not one)', 'error');
        return;
      }
      if (file.size > MAX_PHOTO_BYTES) {
        this.toast('Pictures up to 10 MB, please', 'error');
        return;
      }
      const caption = this.composer.value.trim();
      this.composer.value = '';
      const reader = new FileReader();
      reader.onload = () => this.enqueue(() => this.sendPhoto(String(reader.result), caption));
      reader.onerror = () => this.toast('Cannot read ' + file.name, 'error');
      reader.readAsDataURL(file);
    }

    async sendPhoto(dataUrl, caption) {
      const reply = this.takeReply(true);
      const body = { bot: this.botId, photo: dataUrl };
      if (caption) {
        body.caption = caption;
      }
      if (reply) {
        body.reply_to = reply.id;
      }
      try {
        const answer = await api('POST', '/sim/users/' + this.userId + '/send', body);
        this.addOwn({ id: answer.message_id, kind: 'photo', photo: dataUrl, caption: caption || null, replyTo: reply });
        if (reply) {
          this.setReply(null);
        }
        return true;
      } catch (e) {
        if (caption && !this.composer.value) {
          this.composer.value = caption;
        }
        this.toast(e.message, 'error');
        return false;
      }
    }

    addOwn(mine) {
      mine.at = Date.now();
      this.store.mine = this.store.mine.filter(other => other.id !== mine.id);
      this.store.mine.push(mine);
      this.persist();
      this.insert(this.ownNode(mine));
      this.scrollToBottom();
    }

    /** Keeps this user's side of the conversation; pictures too, while they are small and the storage has room. */
    persist() {
      const withoutPhotos = limit => Object.assign({}, this.store, {
        mine: this.store.mine.map(mine => mine.photo && mine.photo.length > limit
          ? Object.assign({}, mine, { photo: null }) : mine)
      });
      if (save(CHAT_KEY_PREFIX + this.userId, withoutPhotos(MAX_STORED_PHOTO_CHARS))) {
        return;
      }
      const saved = save(CHAT_KEY_PREFIX + this.userId, withoutPhotos(0));
      if (!this.storageWarned) {
        this.storageWarned = true;
        this.toast(saved ? 'The browser\'s storage is full: pictures you sent will not survive a reload'
          : 'The browser\'s storage is full: this conversation will not survive a reload', 'error');
      }
    }

    summaryOfId(id) {
      const bot = this.botMessages.get(id);
      if (bot) {
        return { id, author: this.authorOf(bot), text: summaryOf(bot) };
      }
      const mine = this.store.mine.find(other => other.id === id);
      if (mine) {
        const text = mine.kind === 'text' ? mine.text
          : (mine.kind === 'photo' ? '[photo]' : mine.summary || '') + (mine.caption ? ' ' + mine.caption : '');
        return { id, author: 'You', text };
      }
      return { id, author: 'Message', text: '#' + id };
    }

    replyToMessage(id) {
      this.setReply(this.summaryOfId(id));
      this.composer.focus();
    }

    setReply(reply) {
      this.replyTo = reply;
      this.replyingEl.hidden = !reply;
      this.replyingLabel.textContent = reply ? reply.author + ': ' + truncate(reply.text, 70) : '';
    }

    async editOwn(id) {
      const mine = this.store.mine.find(other => other.id === id);
      if (!mine || mine.kind !== 'text') {
        return;
      }
      const text = window.prompt('Edit your message', mine.text);
      if (text === null || !text.trim() || text === mine.text) {
        return;
      }
      this.enqueue(async () => {
        try {
          await api('POST', '/sim/users/' + this.userId + '/edit', { bot: this.botId, message_id: id, text });
          mine.text = text;
          mine.edited = true;
          this.persist();
          this.insert(this.ownNode(mine));
        } catch (e) {
          this.toast(e.message, 'error');
        }
      });
    }

    react(id, emoji) {
      const next = this.store.reactions[id] === emoji ? '' : emoji;
      this.enqueue(async () => {
        try {
          await api('POST', '/sim/users/' + this.userId + '/react', { bot: this.botId, message_id: id, emoji: next });
          if (next) {
            this.store.reactions[id] = next;
          } else {
            delete this.store.reactions[id];
          }
          this.persist();
          this.renderReactions(id);
        } catch (e) {
          this.toast(e.message, 'error');
        }
      });
    }

    async press(messageId, data, button) {
      button.classList.add('pending');
      try {
        const answer = await api('POST', '/sim/users/' + this.userId + '/press',
          { bot: this.botId, message_id: messageId, data });
        if (answer && answer.query_id) {
          this.pendingPresses.set(answer.query_id, button);
          setTimeout(() => {
            button.classList.remove('pending');
            this.pendingPresses.delete(answer.query_id);
          }, ACTION_MS);
        } else {
          button.classList.remove('pending');
        }
      } catch (e) {
        button.classList.remove('pending');
        this.toast(e.message, 'error');
      }
    }

    openMenuApp() {
      if (this.menuButton) {
        this.openWebApp({ url: this.menuButton.web_app.url }, String(this.menuButton.text || ''), null);
      }
    }

    /**
     * Opens a Mini App: the emulator starts the session and signs its initData; the overlay loads
     * the launch URL. keyboardButton is the text of the reply-keyboard button that opened
     * it (only such a Mini App may send data back), or null.
     */
    async openWebApp(request, title, keyboardButton) {
      try {
        const launch = await api('POST', '/sim/users/' + this.userId + '/webapp',
          Object.assign({ bot: this.botId }, request));
        if (this.alive) {
          miniApp.open(this, launch, title, keyboardButton);
        }
      } catch (e) {
        this.toast(e.message, 'error');
      }
    }

    /** What a keyboard Mini App sent with sendData: a web_app_data message from the user to the bot. */
    async sendWebAppData(buttonText, data) {
      try {
        const answer = await api('POST', '/sim/users/' + this.userId + '/webapp-data',
          { bot: this.botId, button_text: buttonText, data });
        this.addOwn({ id: answer.message_id, kind: 'other',
          summary: 'Data from the "' + buttonText + '" button was transferred to the bot.' });
      } catch (e) {
        this.toast(e.message, 'error');
      }
    }

    async pay(messageId) {
      try {
        await api('POST', '/sim/users/' + this.userId + '/pay', { bot: this.botId, message_id: messageId });
        this.toast('Payment sent to the bot for confirmation', 'info');
      } catch (e) {
        this.toast(e.message, 'error');
      }
    }

    copy(text) {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(() => this.toast('Copied', 'info'),
          () => this.toast('Copy: ' + text, 'info'));
      } else {
        this.toast('Copy: ' + text, 'info');
      }
    }

    toast(text, kind) {
      const node = el('div', { class: 'toast ' + (kind || 'info'), role: kind === 'error' ? 'alert' : 'status', text });
      const ms = kind === 'alert' ? 8000 : kind === 'error' ? 6000 : 4000;
      this.toastsEl.append(node);
      setTimeout(() => node.classList.add('leaving'), ms);
      setTimeout(() => node.remove(), ms + 400);
    }
  }

  function avatarColor(id) {
    const colors = ['#e17076', '#7bc862', '#e5ca77', '#65aadd', '#a695e7', '#ee7aae', '#6ec9cb', '#faa774'];
    return colors[Math.abs(Number(id)) % colors.length];
  }

  // ---- Mini Apps ----

  /** The theme the emulator passed in the launch URL (tgWebAppThemeParams), or {}. */
  function themeOf(launchUrl) {
    const match = /[#?&]tgWebAppThemeParams=([^&]*)/.exec(launchUrl);
    try {
      return match ? JSON.parse(decodeURIComponent(match[1])) : {};
    } catch (e) {
      return {};
    }
  }

  /**
   * The Mini App overlay, one at a time over the page like Telegram Web's popup. The frame loads
   * the launch URL; the app posts Telegram Web's events to this page
   * (window.parent.postMessage(JSON.stringify({eventType, eventData}), '*')) and gets its answers
   * the same way: web_app_close closes the overlay, web_app_data_send (keyboard Mini Apps only)
   * sends the data to the bot and closes it, theme and viewport requests are answered.
   */
  const miniApp = {
    overlay: null,
    frame: null,
    owner: null,
    keyboardButton: null,
    theme: {},

    open(owner, launch, title, keyboardButton) {
      this.close();
      this.owner = owner;
      this.keyboardButton = keyboardButton || null;
      this.theme = themeOf(launch.launch_url);
      // the sandbox flags are set before src, and the frame loads when it joins the page
      this.frame = el('iframe', {
        class: 'webapp-frame', title: 'Mini App: ' + title,
        sandbox: 'allow-scripts allow-same-origin allow-forms allow-popups allow-modals allow-downloads',
        allow: 'clipboard-read; clipboard-write; fullscreen', referrerpolicy: 'no-referrer', src: launch.launch_url
      });
      const closeButton = el('button', {
        class: 'close webapp-close', type: 'button', title: 'Close the Mini App', 'aria-label': 'Close the Mini App',
        text: '×', onclick: () => this.close()
      });
      this.overlay = el('div', { class: 'webapp-overlay', role: 'dialog', 'aria-modal': 'true', 'aria-label': title },
        el('div', { class: 'webapp-panel', 'data-user': owner.userId, 'data-bot': owner.botId },
          el('header', { class: 'webapp-header' },
            el('div', { class: 'who' },
              el('div', { class: 'name', text: title || 'Mini App' }),
              el('div', { class: 'subtitle' },
                el('span', { text: owner.name + ' · @' + owner.bot.username + ' · ' + launch.url }))),
            closeButton),
          this.frame));
      this.overlay.addEventListener('click', event => {
        if (event.target === this.overlay) {
          this.close();
        }
      });
      document.body.append(this.overlay);
      closeButton.focus();
    },

    close() {
      if (this.overlay) {
        this.overlay.remove();
      }
      this.overlay = null;
      this.frame = null;
      this.owner = null;
      this.keyboardButton = null;
    },

    closeFor(owner) {
      if (this.owner === owner) {
        this.close();
      }
    },

    post(eventType, eventData) {
      if (this.frame && this.frame.contentWindow) {
        this.frame.contentWindow.postMessage(JSON.stringify({ eventType, eventData }), '*');
      }
    },

    receive(event) {
      if (!this.frame || event.source !== this.frame.contentWindow) {
        return;
      }
      let message;
      try {
        message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
      } catch (e) {
        return;
      }
      if (!message || typeof message.eventType !== 'string') {
        return;
      }
      const data = message.eventData || {};
      switch (message.eventType) {
        case 'web_app_close':
          this.close();
          break;
        case 'web_app_data_send':
          // Telegram takes data only from a Mini App opened by a reply-keyboard button, then closes it
          if (this.keyboardButton && typeof data.data === 'string') {
            const owner = this.owner;
            const button = this.keyboardButton;
            this.close();
            owner.enqueue(() => owner.sendWebAppData(button, data.data));
          }
          break;
        case 'web_app_request_theme':
          this.post('theme_changed', { theme_params: this.theme });
          break;
        case 'web_app_request_viewport':
          this.post('viewport_changed', {
            height: this.frame.clientHeight, width: this.frame.clientWidth, is_expanded: true, is_state_stable: true
          });
          break;
        case 'web_app_open_link': {
          const href = safeUrl(data.url);
          if (href) {
            window.open(href, '_blank', 'noopener');
          }
          break;
        }
        default:
          break;
      }
    }
  };

  window.addEventListener('message', event => miniApp.receive(event));
  document.addEventListener('keydown', event => {
    if (event.key === 'Escape' && miniApp.overlay) {
      miniApp.close();
    }
  });

  function closePickers() {
    for (const picker of document.querySelectorAll('.react-picker')) {
      picker.hidden = true;
    }
  }

  // ---- users ----

  function saveUsers() {
    save(USERS_KEY, Array.from(windows.values(), w => ({ id: w.userId, name: w.name, bot: w.botId })));
  }

  function storedUsers() {
    const list = load(USERS_KEY, []);
    return Array.isArray(list) ? list.filter(user => user && Number.isFinite(user.id) && Number.isFinite(user.bot)
      && typeof user.name === 'string') : [];
  }

  function openWindow(user) {
    if (!windows.has(user.id)) {
      windows.set(user.id, new ChatWindow(user));
    }
  }

  async function addUser(name, botId) {
    const created = await api('POST', '/sim/users', { first_name: name });
    localStorage.removeItem(CHAT_KEY_PREFIX + created.id);
    openWindow({ id: created.id, name, bot: botId });
    saveUsers();
  }

  function fillBotSelect() {
    const chosen = botSelect.value;
    botSelect.replaceChildren(...bots.map(bot => el('option', { value: bot.id, text: '@' + bot.username })));
    if (bots.some(bot => String(bot.id) === chosen)) {
      botSelect.value = chosen;
    }
  }

  async function boot() {
    const mine = ++generation;
    try {
      bots = await api('GET', '/sim/bots');
    } catch (e) {
      setStatus('Cannot read the bots from the emulator (' + e.message + '); retrying…', true);
      setTimeout(() => { if (mine === generation) boot(); }, 2000);
      return;
    }
    if (mine !== generation) {
      return;
    }
    if (!bots.length) {
      setStatus('The emulator knows no bot yet: run the demo (bin/telescale run without BOT_TOKENS), or register '
        + 'a bot with POST /sim/bots. Waiting…', false);
      setTimeout(() => { if (mine === generation) boot(); }, 2000);
      return;
    }
    setStatus('');
    fillBotSelect();
    const kept = [];
    for (const user of storedUsers()) {
      if (!bots.some(bot => bot.id === user.bot)) {
        localStorage.removeItem(CHAT_KEY_PREFIX + user.id);
        continue;
      }
      try {
        // ids start over when the emulator restarts: the same id with another name is someone else
        const known = await api('GET', '/sim/users/' + user.id);
        if (known && known.first_name === user.name) {
          kept.push(user);
        } else {
          localStorage.removeItem(CHAT_KEY_PREFIX + user.id);
        }
      } catch (e) {
        if (e.status === 404) {
          localStorage.removeItem(CHAT_KEY_PREFIX + user.id);
        } else {
          kept.push(user);
        }
      }
    }
    if (mine !== generation) {
      return;
    }
    if (kept.length) {
      kept.forEach(openWindow);
      saveUsers();
      return;
    }
    try {
      await addUser('Ann', bots[0].id);
      if (mine === generation) {
        await addUser('Bob', (bots[1] || bots[0]).id);
      }
      if (mine === generation && bots[2]) {
        await addUser('Cleo', bots[2].id); // a third bot (the demo's airdrop): one user to try it with
      }
    } catch (e) {
      setStatus('Cannot create the demo users: ' + e.message, true);
    }
  }

  function forgetEverything() {
    for (const w of windows.values()) {
      w.dispose();
    }
    windows.clear();
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key && key.startsWith('telescale.sandbox.')) {
        keys.push(key);
      }
    }
    keys.forEach(key => localStorage.removeItem(key));
  }

  formEl.addEventListener('submit', async event => {
    event.preventDefault();
    if (!bots.length) {
      setStatus('No bot to talk to yet', true);
      return;
    }
    const taken = new Set(Array.from(windows.values(), w => w.name));
    const name = nameInput.value.trim() || SPARE_NAMES.find(spare => !taken.has(spare)) || 'User ' + (windows.size + 1);
    const botId = Number(botSelect.value) || bots[0].id;
    try {
      await addUser(name, botId);
      nameInput.value = '';
      setStatus('');
    } catch (e) {
      setStatus('Cannot add ' + name + ': ' + e.message, true);
    }
  });

  resetButton.addEventListener('click', async () => {
    resetButton.disabled = true;
    try {
      forgetEverything();
      await boot();
    } finally {
      resetButton.disabled = false;
    }
  });

  document.addEventListener('click', event => {
    if (!event.target.closest || !event.target.closest('.react-picker')) {
      closePickers();
    }
  });

  boot();
}());
