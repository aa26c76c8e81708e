package imports_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"dozvon/campaigns/imports"
	"dozvon/internal/pg/pgtest"
)

// TestAClientAnotherWriterInsertsMeanwhileIsUpdatedNotDuplicated: imports lock each other out, but any other
// writer may insert a client between the import's update and its insert. The import then updates that client
// instead of failing on the duplicate key.
func TestAClientAnotherWriterInsertsMeanwhileIsUpdatedNotDuplicated(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := context.Background()
	other, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx)
	if _, err := other.Exec(ctx, `INSERT INTO clients (external_id, company_name) VALUES ('C-1', 'ООО «Старое имя»')`); err != nil {
		t.Fatal(err)
	}

	type result struct {
		rep imports.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		file := csvText("external_id,company_name", "C-1,ООО «Новое имя»", "C-2,ООО «Лютик»")
		rep, err := imports.Import(ctx, pool, bytes.NewReader(file), imports.Options{Dataset: imports.Clients})
		done <- result{rep, err}
	}()
	// The import's insert of C-1 waits for the other transaction; let it commit then.
	waitFor(t, func() bool {
		var waiting bool
		_ = pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted AND locktype = 'transactionid')`).Scan(&waiting)
		return waiting
	})
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkCounts(t, r.rep)
	checkReport(t, r.rep, counts{rows: 2, inserted: 1, updated: 1})
	if c := clientByExternalID(t, pool, "C-1"); c.CompanyName != "ООО «Новое имя»" {
		t.Errorf("C-1 is named %q, want the import's name", c.CompanyName)
	}
	if n := countRows(t, pool, "clients"); n != 2 {
		t.Errorf("%d clients, want 2", n)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out waiting")
}

// TestTwoDryRunsAtOnceBothFinish: two managers check files of the same clients at the same moment.
func TestTwoDryRunsAtOnceBothFinish(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	lines := []string{"external_id,company_name"}
	for i := 1; i <= 40; i++ {
		lines = append(lines, fmt.Sprintf("C-%d,Клиент %d", i, i))
	}
	file := csvText(lines...)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			rep, err := imports.Import(ctx, pool, bytes.NewReader(file), imports.Options{Dataset: imports.Clients,
				DryRun: true, BatchSize: 1})
			if err == nil && rep.Inserted != 40 {
				err = fmt.Errorf("a dry run counted %d inserts, want 40", rep.Inserted)
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
