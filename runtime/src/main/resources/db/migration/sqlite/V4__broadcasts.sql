-- Broadcasts of every application: what to send (the application's message JSON), to which of its
-- segments, and how far the broadcasts task got (the last recipient's cursor, in the order the
-- application lists its recipients). A crash resumes from the cursor; nobody gets a message twice.
CREATE TABLE broadcasts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    app            TEXT NOT NULL,
    segment        TEXT NOT NULL,
    message        TEXT NOT NULL,
    origin_bot_id  BIGINT NOT NULL,
    origin_chat_id BIGINT NOT NULL DEFAULT 0,     -- the admin's chat: copied from, told when done (0: none)
    cursor_value   BIGINT NOT NULL DEFAULT 0,
    queued         BIGINT NOT NULL DEFAULT 0,
    total          BIGINT NOT NULL DEFAULT 0,     -- the segment's size when it started
    status         TEXT NOT NULL,                 -- running, done, cancelled
    created_at     BIGINT NOT NULL,
    finished_at    BIGINT
);
CREATE INDEX broadcasts_app_status ON broadcasts (app, status, id);
