-- The airdrop application's tables (prefix ad_). Points live in an append-only ledger (ad_ledger)
-- whose idem_key makes every credit happen at most once; ad_users.points is its running sum,
-- updated in the same transaction as the ledger row.

CREATE TABLE ad_users (
    no                INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id           BIGINT NOT NULL,
    bot_id            BIGINT NOT NULL,
    lang              TEXT NOT NULL DEFAULT 'en',
    referral_code     TEXT NOT NULL,
    referrer_no       BIGINT,
    status            TEXT NOT NULL DEFAULT 'new',      -- new, verified, held, blocked
    flag_reason       TEXT,
    verified_at       BIGINT,
    verified_via      TEXT,                             -- webapp, chat, admin
    fingerprint       TEXT,
    client_ip         TEXT,
    premium           INTEGER NOT NULL DEFAULT 0,
    wallet            TEXT,
    wallet_key        TEXT,
    wallet_chain      TEXT,
    wallet_changed_at BIGINT,
    points            BIGINT NOT NULL DEFAULT 0,
    ranked_points     BIGINT NOT NULL DEFAULT 0,         -- what ad_rank_counts holds for this user
    invites           INTEGER NOT NULL DEFAULT 0,        -- verified invitees
    streak            INTEGER NOT NULL DEFAULT 0,
    last_checkin_day  BIGINT,
    captcha_answer    TEXT,
    captcha_expires   BIGINT,
    captcha_failures  INTEGER NOT NULL DEFAULT 0,
    awaiting_proof    BIGINT,                            -- task id whose proof the next message carries
    banned            INTEGER NOT NULL DEFAULT 0,
    ban_reason        TEXT,
    blocked_bot       INTEGER NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    last_active_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX ad_users_user_id ON ad_users (user_id);
CREATE UNIQUE INDEX ad_users_referral_code ON ad_users (referral_code);
CREATE UNIQUE INDEX ad_users_wallet_key ON ad_users (wallet_key);  -- sparse: NULLs do not collide
CREATE INDEX ad_users_fingerprint_ip ON ad_users (fingerprint, client_ip);
CREATE INDEX ad_users_client_ip ON ad_users (client_ip);
CREATE INDEX ad_users_points ON ad_users (points DESC, no);
CREATE INDEX ad_users_referrer ON ad_users (referrer_no);
CREATE INDEX ad_users_unranked ON ad_users (no) WHERE points <> ranked_points;
CREATE INDEX ad_users_status ON ad_users (status, no);

CREATE TABLE ad_ledger (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_no    BIGINT NOT NULL,
    amount     BIGINT NOT NULL,
    kind       TEXT NOT NULL,     -- verify, referral, referral2, task, checkin, admin, claim, claim_refund
    idem_key   TEXT NOT NULL,
    note       TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ad_ledger_idem_key ON ad_ledger (idem_key);
CREATE INDEX ad_ledger_user ON ad_ledger (user_no, id);
CREATE INDEX ad_ledger_kind_time ON ad_ledger (kind, created_at);

-- How many users hold each positive points value, as of their ranked_points: a rank is
-- 1 + the users above, summed over the distinct values above (no scan of ad_users).
CREATE TABLE ad_rank_counts (
    points BIGINT PRIMARY KEY,
    users  BIGINT NOT NULL
);

CREATE TABLE ad_tasks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,     -- channel, checkin, invite, premium, submission, custom
    title      TEXT NOT NULL,
    points     BIGINT NOT NULL,
    chat       TEXT,              -- channel: @username or chat id
    url        TEXT,              -- a link to open
    pattern    TEXT,              -- submission: the regex a proof link must match (empty: a screenshot)
    target     INTEGER,           -- invite: friends needed
    active     INTEGER NOT NULL DEFAULT 1,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE ad_task_done (
    user_no     BIGINT NOT NULL,
    task_id     BIGINT NOT NULL,
    period      TEXT NOT NULL,    -- 'once', or the UTC day for a daily check-in
    status      TEXT NOT NULL,    -- done, pending, rejected
    proof       TEXT,
    reason      TEXT,
    created_at  BIGINT NOT NULL,
    reviewed_at BIGINT,
    PRIMARY KEY (user_no, task_id, period)
);
CREATE INDEX ad_task_done_status ON ad_task_done (status, created_at);

CREATE TABLE ad_claims (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_no     BIGINT NOT NULL,
    points      BIGINT NOT NULL,
    wallet      TEXT NOT NULL,
    chain       TEXT NOT NULL,
    status      TEXT NOT NULL,    -- open, exported, paid, rejected
    open_user   BIGINT,           -- user_no while open or exported: one open request each
    reason      TEXT,
    created_at  BIGINT NOT NULL,
    exported_at BIGINT,
    paid_at     BIGINT
);
CREATE UNIQUE INDEX ad_claims_open_user ON ad_claims (open_user);
CREATE INDEX ad_claims_status ON ad_claims (status, id);
CREATE INDEX ad_claims_user ON ad_claims (user_no, id);

CREATE TABLE ad_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Mini App initData already exchanged for a session: the same initData is refused again.
CREATE TABLE ad_initdata_used (
    hash       TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX ad_initdata_used_expires ON ad_initdata_used (expires_at);
