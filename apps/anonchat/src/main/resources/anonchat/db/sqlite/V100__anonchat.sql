-- Anonymous chat schema, SQLite. Keep in step with ../postgresql/V100__anonchat.sql (same tables,
-- columns and index names). Times are epoch milliseconds. "no" is the internal user number shown
-- to moderators instead of any Telegram identifier.

-- Versions 100 and up: the runtime's migrations (V1, V2, ...) share one history with these.
CREATE TABLE ac_users (
    no               INTEGER  PRIMARY KEY AUTOINCREMENT,
    user_id          BIGINT   NOT NULL UNIQUE,
    bot_id           BIGINT   NOT NULL,            -- the bot the user last talked to: where their messages go
    lang             TEXT     NOT NULL,
    gender           TEXT,                         -- 'm' or 'f'
    age              INTEGER,
    step             TEXT,                         -- onboarding: 'gender', 'age'; NULL when done
    onboarded_at     BIGINT,
    want_gender      TEXT,                         -- VIP filter
    want_age_min     INTEGER,
    want_age_max     INTEGER,
    vip_until        BIGINT   NOT NULL DEFAULT 0,
    banned_until     BIGINT   NOT NULL DEFAULT 0,
    ban_reason       TEXT,
    penalty_level    INTEGER  NOT NULL DEFAULT 0,
    warnings         INTEGER  NOT NULL DEFAULT 0,
    referrer_no      BIGINT,
    referral_counted SMALLINT NOT NULL DEFAULT 0,
    invites          INTEGER  NOT NULL DEFAULT 0,
    rate_window      BIGINT   NOT NULL DEFAULT 0,
    rate_count       INTEGER  NOT NULL DEFAULT 0,
    blocked          SMALLINT NOT NULL DEFAULT 0,
    created_at       BIGINT   NOT NULL,
    last_active_at   BIGINT   NOT NULL
);
CREATE INDEX ac_users_last_active ON ac_users (last_active_at);

-- Who waits for a partner. Matching reads it in (priority, enqueued_at) order and stops at the
-- first compatible entry: its cost depends on the queue, never on the number of users.
CREATE TABLE ac_queue (
    user_id      BIGINT   PRIMARY KEY,
    bot_id       BIGINT   NOT NULL,
    priority     SMALLINT NOT NULL,                -- 1 VIP, 0 others
    gender       TEXT,
    age          INTEGER,
    want_gender  TEXT,
    want_age_min INTEGER,
    want_age_max INTEGER,
    enqueued_at  BIGINT   NOT NULL,
    expires_at   BIGINT   NOT NULL
);
CREATE INDEX ac_queue_order ON ac_queue (priority DESC, enqueued_at, user_id);
CREATE INDEX ac_queue_expiry ON ac_queue (expires_at);

CREATE TABLE ac_conversations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_a     BIGINT  NOT NULL,
    bot_a      BIGINT  NOT NULL,
    user_b     BIGINT  NOT NULL,
    bot_b      BIGINT  NOT NULL,
    started_at BIGINT  NOT NULL,
    ended_at   BIGINT,
    ended_by   BIGINT,
    end_reason TEXT
);
CREATE INDEX ac_conversations_started ON ac_conversations (started_at);
CREATE INDEX ac_conversations_user_a ON ac_conversations (user_a, started_at);
CREATE INDEX ac_conversations_user_b ON ac_conversations (user_b, started_at);

-- One row per user in a conversation now: the primary key is what keeps anyone out of two chats.
CREATE TABLE ac_active (
    user_id      BIGINT PRIMARY KEY,
    conversation BIGINT NOT NULL,
    own_bot      BIGINT NOT NULL,
    partner_id   BIGINT NOT NULL,
    partner_bot  BIGINT NOT NULL,
    started_at   BIGINT NOT NULL
);

-- Recent partners, both directions, not matched again until until_at.
CREATE TABLE ac_recent (
    user_id    BIGINT NOT NULL,
    partner_id BIGINT NOT NULL,
    until_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, partner_id)
);
CREATE INDEX ac_recent_until ON ac_recent (until_at);

-- A message and its copy in the partner's chat, both directions; kept MESSAGE_MAP_TTL.
CREATE TABLE ac_messages (
    bot_id          BIGINT   NOT NULL,
    chat_id         BIGINT   NOT NULL,
    message_id      BIGINT   NOT NULL,
    peer_bot        BIGINT   NOT NULL,
    peer_chat       BIGINT   NOT NULL,
    peer_message_id BIGINT   NOT NULL,
    conversation    BIGINT   NOT NULL,
    created_at      BIGINT   NOT NULL,
    PRIMARY KEY (bot_id, chat_id, message_id)
);
CREATE INDEX ac_messages_created ON ac_messages (created_at);

-- Parts of an album (media group) waiting to be relayed together.
CREATE TABLE ac_album_parts (
    bot_id         BIGINT NOT NULL,
    user_id        BIGINT NOT NULL,
    media_group_id TEXT   NOT NULL,
    message_id     BIGINT NOT NULL,
    payload        TEXT   NOT NULL,
    received_at    BIGINT NOT NULL,
    PRIMARY KEY (bot_id, user_id, message_id)
);
CREATE INDEX ac_album_parts_received ON ac_album_parts (received_at);

CREATE TABLE ac_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation BIGINT  NOT NULL,
    reporter     BIGINT  NOT NULL,
    reported     BIGINT  NOT NULL,
    reason       TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'open',  -- open, actioned, dismissed
    created_at   BIGINT  NOT NULL,
    UNIQUE (conversation, reporter)
);
CREATE INDEX ac_reports_reported ON ac_reports (reported, created_at);
CREATE INDEX ac_reports_status ON ac_reports (status, id);

CREATE TABLE ac_ratings (
    conversation BIGINT   NOT NULL,
    rater        BIGINT   NOT NULL,
    rated        BIGINT   NOT NULL,
    score        SMALLINT NOT NULL,                -- 1 or -1
    created_at   BIGINT   NOT NULL,
    PRIMARY KEY (conversation, rater)
);
CREATE INDEX ac_ratings_rated ON ac_ratings (rated);

CREATE TABLE ac_payments (
    charge_id   TEXT    PRIMARY KEY,
    user_id     BIGINT  NOT NULL,
    bot_id      BIGINT  NOT NULL,
    amount      INTEGER NOT NULL,
    days        INTEGER NOT NULL,
    paid_at     BIGINT  NOT NULL,
    refunded_at BIGINT
);
CREATE INDEX ac_payments_user ON ac_payments (user_id);

-- Broadcasts progress by cursor (the last ac_users.no queued), so a restart resumes where it stopped.
CREATE TABLE ac_broadcasts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_id    BIGINT  NOT NULL,
    bot_id      BIGINT  NOT NULL,
    chat_id     BIGINT  NOT NULL,
    message     TEXT    NOT NULL,                  -- the admin's message JSON
    segment     TEXT    NOT NULL,
    cursor_no   BIGINT  NOT NULL DEFAULT 0,
    queued      INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL,                  -- running, done, cancelled
    created_at  BIGINT  NOT NULL,
    finished_at BIGINT
);
