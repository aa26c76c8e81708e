package messenger_test

import (
	"context"
	"testing"
	"time"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
)

// A send its lane held back does not move the pacing's line: the sends booked after it keep a quarter of an
// interval from it and then the line, not an interval behind it. At 2 msg/s (two lanes, 500 ms apart) the first
// booking's second lane comes free 950 ms on, after the line's 500 ms; the next booking's sends then leave at
// 1,075 ms (a quarter after it) and at the line's 1,500 ms, where a line moved to the late send put them at 1,075
// and 1,575 ms, and lost 75 ms of the pace for good.
func TestASendItsLaneHeldBackDoesNotMoveThePacingsLine(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	bot := registerBot(t, pool, messenger.Telegram, "1")
	lanes := func(free ...string) {
		t.Helper()
		for lane, at := range free {
			if _, err := pool.Exec(ctx, `INSERT INTO send_lanes (bot_id, lane, free_at) VALUES ($1, $2, clock_timestamp() + $3::interval)
				ON CONFLICT (bot_id, lane) DO UPDATE SET free_at = excluded.free_at`, bot.ID, lane, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := pool.Exec(ctx, `INSERT INTO send_pacing (bot_id) VALUES ($1)`, bot.ID); err != nil {
		t.Fatal(err)
	}
	lanes("-1 s", "950 ms")
	p := messenger.NewPacing(pool, bot.ID, 2)
	first, err := p.Book(ctx, 2, time.Second)
	if err != nil || len(first) != 2 {
		t.Fatalf("the first booking: %v, %v", first, err)
	}
	lanes("-1 s", "-1 s") // both answered since, as far as this booking is concerned
	next, err := p.Book(ctx, 2, time.Second)
	if err != nil || len(next) != 2 {
		t.Fatalf("the next booking: %v, %v", next, err)
	}
	const slack = 30 * time.Millisecond // the clock estimate's error, both ways
	for i, want := range []time.Duration{950 * time.Millisecond, 1075 * time.Millisecond, 1500 * time.Millisecond} {
		got := append(first[1:], next...)[i].At.Sub(first[0].At)
		if got < want-slack || got > want+slack {
			t.Errorf("send %d leaves %v after the first; want %v", i+2, got, want)
		}
	}
}
