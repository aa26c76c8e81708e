-- Owned by messenger (pacing.go): the latest send slot a booking gave, apart from the pacing's line (next_slot).
-- A send whose lane held it back used to move the line to itself, and every send after it then kept the line's
-- interval behind it although their lanes were free: the time was lost for good (2-4 % of the paid rate on a
-- loaded machine). The line now goes on at the rate; the sends after a late one keep a quarter of an interval
-- from it and catch the line up as their lanes allow.

-- +goose Up
ALTER TABLE send_pacing ADD COLUMN last_slot timestamptz NOT NULL DEFAULT '-infinity';

-- +goose Down
ALTER TABLE send_pacing DROP COLUMN last_slot;
