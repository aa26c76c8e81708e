package dialog_test

import (
	"testing"
	"time"
)

func TestEventsOlderThanTheRetentionArePrunedAndRecentOnesKept(t *testing.T) {
	d := newDesk(t)
	d.operator("anna", 5)
	c := d.client("Клиент", "missed_call")
	d.write(c, "Здравствуйте")
	d.write(c, "Есть кто?")
	all := d.int(`SELECT count(*) FROM events`)
	if all < 2 {
		t.Fatalf("%d events after two messages", all)
	}
	last := d.int(`SELECT max(id) FROM events`)
	// Everything but the newest event is from eight days ago.
	d.exec(`UPDATE events SET created_at = $1 WHERE id < $2`, d.clock.Now().Add(-8*24*time.Hour), last)

	n, err := d.svc.PruneEvents(d.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != int(all-1) {
		t.Fatalf("pruned %d events, want %d", n, all-1)
	}
	if left := d.int(`SELECT count(*) FROM events`); left != 1 || d.int(`SELECT max(id) FROM events`) != last {
		t.Fatalf("%d events left, want the newest (%d) only", left, last)
	}
	if n, _ := d.svc.PruneEvents(d.ctx); n != 0 {
		t.Fatalf("a second prune deleted %d events", n)
	}

	d.svc.EventRetention = 0
	d.exec(`UPDATE events SET created_at = $1`, d.clock.Now().Add(-365*24*time.Hour))
	if n, _ := d.svc.PruneEvents(d.ctx); n != 0 {
		t.Fatalf("with no retention set, a prune deleted %d events", n)
	}
}
