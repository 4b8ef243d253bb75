-- The anonymous chat's broadcasts move to the runtime's table (V4, broadcasts): the same columns
-- under the runtime's names, so running ones resume where they stopped.
INSERT INTO broadcasts (app, segment, message, origin_bot_id, origin_chat_id, cursor_value, queued, total, status,
                        created_at, finished_at)
SELECT 'anonchat', segment, message, bot_id, chat_id, cursor_no, queued, queued, status, created_at, finished_at
FROM ac_broadcasts ORDER BY id;
DROP TABLE ac_broadcasts;
