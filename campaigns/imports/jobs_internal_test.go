package imports

import (
	"context"
	"testing"

	"dozvon/internal/pg/pgtest"
)

// An instance killed mid-import cannot record how the import ended; the history must not show it running
// forever, nor mark as dead an import another instance is still running.
func TestAnImportWhoseInstanceDiedIsRecordedAsFailed(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := context.Background()
	started := func() int64 {
		var id int64
		if err := pool.QueryRow(ctx, `
			INSERT INTO imports (dataset, source, started_at) VALUES ('clients', 'file', now() - interval '5 minutes')
			RETURNING id`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	dead, alive, fresh := started(), started(), started()
	if _, err := pool.Exec(ctx, `UPDATE imports SET started_at = now() WHERE id = $1`, fresh); err != nil {
		t.Fatal(err)
	}
	// Another instance runs "alive": it holds the import's lock on its connection.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if err := lockJob(ctx, conn, alive); err != nil {
		t.Fatal(err)
	}

	jobs, err := ListJobs(ctx, pool, 10)
	if err != nil {
		t.Fatal(err)
	}
	status := map[int64]Job{}
	for _, j := range jobs {
		status[j.ID] = j
	}
	if j := status[dead]; j.Status != JobFailed || j.Error == "" || j.FinishedAt == nil {
		t.Errorf("the dead import: %s %q finished %v, want failed with a reason", j.Status, j.Error, j.FinishedAt)
	}
	if j := status[alive]; j.Status != JobRunning {
		t.Errorf("the import another instance runs: %s, want running", j.Status)
	}
	if j := status[fresh]; j.Status != JobRunning {
		t.Errorf("an import recorded a moment ago: %s, want running (it may not hold its lock yet)", j.Status)
	}

	unlockJob(ctx, conn, alive)
	if j, err := GetJob(ctx, pool, alive); err != nil || j.Status != JobFailed {
		t.Errorf("once its lock is gone: %s (%v), want failed", j.Status, err)
	}
}

func TestAFinishedImportLetsItsLockGo(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := context.Background()
	rep, err := ImportRecords(ctx, pool, []map[string]any{{"external_id": "C-1", "company_name": "ООО «Ромашка»"}},
		Options{Dataset: Clients})
	if err != nil || rep.Inserted != 1 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	var held int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int::oid`,
		jobLocks).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Fatalf("%d import locks held after the import ended", held)
	}
	if j, _ := GetJob(ctx, pool, rep.JobID); j.Status != JobDone {
		t.Fatalf("the import is %s, want done", j.Status)
	}
}
