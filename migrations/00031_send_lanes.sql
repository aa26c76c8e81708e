-- Owned by messenger: Telegram counts a bot's sends in a strict sliding window (no rolling second may hold more
-- than the limit), so a bot's limit is kept as that many lanes, each good for one send a second. A lane is free
-- again one second after its last send was answered (the answer comes after Telegram counted the send, whatever
-- the network's delays), so however late a worker sends, the second after it holds no more than the limit. A
-- sender books lanes with its slots (send_pacing) and says when each send was answered.

-- +goose Up
CREATE TABLE send_lanes (
    bot_id  bigint NOT NULL REFERENCES bots (id),
    lane    integer NOT NULL,
    -- From when the lane may carry a send; while a send is booked or under way, the latest moment its answer
    -- could bring it to (so that a sender that died holding it gives it back by itself).
    free_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot_id, lane)
);

-- +goose Down
DROP TABLE send_lanes;
