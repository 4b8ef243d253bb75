-- File ids a file got in each bot after a cross-bot transfer (FileTransfers): uploaded once per bot.
-- Same in sqlite/ and postgresql/.
CREATE TABLE transferred_files (
    bot_id         BIGINT NOT NULL,
    file_unique_id TEXT   NOT NULL,
    file_id        TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (bot_id, file_unique_id)
);
