-- Telescale runtime schema, SQLite. Times are epoch milliseconds; payloads are JSON text.
-- Keep in step with ../postgresql/V1__runtime.sql: same tables, columns and index names.

-- The update journal. The primary key is the deduplication: an update Telegram delivers twice
-- is stored once. Handled rows keep only their keys (payload NULL) until purged.
CREATE TABLE inbound_updates (
    bot_id      BIGINT   NOT NULL,
    update_id   BIGINT   NOT NULL,
    chat_key    TEXT     NOT NULL,
    shard       INTEGER  NOT NULL,
    type        TEXT     NOT NULL,
    payload     TEXT,
    status      SMALLINT NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)), -- 0 pending, 1 done, 2 failed
    attempts    INTEGER  NOT NULL DEFAULT 0,
    received_at BIGINT   NOT NULL,
    handled_at  BIGINT,
    error       TEXT,
    PRIMARY KEY (bot_id, update_id)
);
CREATE INDEX inbound_updates_pending_by_shard ON inbound_updates (shard, received_at, bot_id, update_id) WHERE status = 0;
CREATE INDEX inbound_updates_pending_by_chat ON inbound_updates (bot_id, chat_key, update_id) WHERE status = 0;
CREATE INDEX inbound_updates_handled_at ON inbound_updates (handled_at) WHERE handled_at IS NOT NULL;

-- Bot API calls waiting to be sent; one (bot, chat) is sent strictly in id order.
CREATE TABLE outbox (
    id         INTEGER  PRIMARY KEY AUTOINCREMENT, -- never reused, so ids only grow
    bot_id     BIGINT   NOT NULL,
    chat_id    BIGINT   NOT NULL,
    shard      INTEGER  NOT NULL,
    lane       SMALLINT NOT NULL, -- 0 conversation, 1 broadcast
    method     TEXT     NOT NULL,
    payload    TEXT     NOT NULL,
    attempts   INTEGER  NOT NULL DEFAULT 0,
    not_before BIGINT   NOT NULL,
    origin     TEXT,
    created_at BIGINT   NOT NULL
);
CREATE INDEX outbox_by_shard ON outbox (shard, lane, id);
CREATE INDEX outbox_by_chat ON outbox (bot_id, chat_id, id);
CREATE INDEX outbox_by_lane ON outbox (lane);

-- Calls given up on, kept for failure reports.
CREATE TABLE outbox_failed (
    id         BIGINT   PRIMARY KEY,
    bot_id     BIGINT   NOT NULL,
    chat_id    BIGINT   NOT NULL,
    shard      INTEGER  NOT NULL,
    lane       SMALLINT NOT NULL,
    method     TEXT     NOT NULL,
    payload    TEXT     NOT NULL,
    attempts   INTEGER  NOT NULL,
    not_before BIGINT   NOT NULL,
    origin     TEXT,
    created_at BIGINT   NOT NULL,
    error      TEXT     NOT NULL,
    failed_at  BIGINT   NOT NULL
);

-- Named leases (shard ownership and singletons), held by one instance until expires_at.
CREATE TABLE leases (
    name       TEXT   PRIMARY KEY,
    owner      TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Telegram users as last seen in updates, shared by every bot of the deployment.
CREATE TABLE telegram_users (
    user_id       BIGINT  PRIMARY KEY,
    first_name    TEXT    NOT NULL,
    last_name     TEXT,
    username      TEXT,
    language_code TEXT,
    is_premium    BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    BIGINT  NOT NULL
);

-- Whether one bot can still reach one user; no row means reachable.
CREATE TABLE bot_user_status (
    bot_id     BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    status     TEXT   NOT NULL CHECK (status IN ('reachable', 'blocked', 'deactivated', 'never_started')),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (bot_id, user_id)
);
