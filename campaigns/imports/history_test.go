package imports_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"dozvon/campaigns/imports"
	"dozvon/internal/pg/pgtest"
)

func TestDryRunCountsExactlyAndSavesNothing(t *testing.T) {
	pool := pgtest.NewDB(t)
	load(t, pool, twoClients, imports.Options{Dataset: imports.Clients})
	file := csvText(
		"external_id,company_name,phone",
		"C-1,ООО «Ромашка»,+79181234567",
		"C-2,ИП Петров П.П.,+79990000000",
		"C-3,ООО «Ландыш»,",
		"C-4,,",
	)
	rep := load(t, pool, file, imports.Options{Dataset: imports.Clients, DryRun: true, BatchSize: 2})
	checkReport(t, rep, counts{rows: 4, inserted: 1, updated: 1, unchanged: 1, rejected: 1})
	if !rep.DryRun {
		t.Error("the report does not say it was a dry run")
	}
	if n := countRows(t, pool, "clients"); n != 2 {
		t.Errorf("a dry run left %d clients, want the 2 there were", n)
	}
	if c := clientByExternalID(t, pool, "C-2"); str(c.Phone) != "+79167654321" {
		t.Errorf("a dry run changed C-2's phone to %s", str(c.Phone))
	}
}

func TestHistoryRecordsProgressCountsAndProblems(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := context.Background()
	var lines []string
	lines = append(lines, "external_id;company_name;phone")
	for i := 1; i <= 7; i++ {
		phone := fmt.Sprintf("+7918000000%d", i)
		if i == 5 {
			phone = "нет"
		}
		lines = append(lines, fmt.Sprintf("C-%d;Клиент %d;%s", i, i, phone))
	}
	file := csvText(lines...)
	var progress []string
	var started int64
	rep := load(t, pool, file, imports.Options{Dataset: imports.Clients, FileName: "clients.csv", BatchSize: 3,
		Progress: func(rows, bytes int64) { progress = append(progress, fmt.Sprintf("%d rows %d bytes", rows, bytes)) },
		Started:  func(id int64) { started = id }})
	checkReport(t, rep, counts{rows: 7, inserted: 6, rejected: 1})
	sameLines(t, "progress", progress, []string{
		fmt.Sprintf("3 rows %d bytes", len(file)), // the whole small file was read at the first batch
		fmt.Sprintf("6 rows %d bytes", len(file)),
		fmt.Sprintf("7 rows %d bytes", len(file)),
	})
	if started == 0 || started != rep.JobID {
		t.Errorf("Started got %d, the report says job %d", started, rep.JobID)
	}

	jobs, err := imports.ListJobs(ctx, pool, 10)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("ListJobs = %d jobs, %v", len(jobs), err)
	}
	j := jobs[0]
	if j.ID != rep.JobID || j.Dataset != imports.Clients || j.Source != "file" || j.FileName != "clients.csv" ||
		j.Status != imports.JobDone || j.RowsDone != 7 || j.BytesDone != int64(len(file)) || j.Inserted != 6 ||
		j.Rejected != 1 || j.ProblemCount != 1 || j.FinishedAt == nil || j.UserID != nil || j.Problems != nil {
		t.Errorf("job = %+v", j)
	}
	j, err = imports.GetJob(ctx, pool, rep.JobID)
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "stored problems", problemLines(imports.Report{Problems: j.Problems}), []string{
		`line 6, field phone: "нет" is not a phone number`,
	})
	if _, err := imports.GetJob(ctx, pool, rep.JobID+1); err != imports.ErrJobNotFound {
		t.Errorf("GetJob of an unknown id: %v", err)
	}
}

func TestOnlyTheFirstThousandProblemsAreKeptButAllAreCounted(t *testing.T) {
	pool := pgtest.NewDB(t)
	var b strings.Builder
	b.WriteString("external_id,company_name,inn\n")
	for i := 1; i <= 1200; i++ {
		fmt.Fprintf(&b, "C-%d,Клиент %d,12345\n", i, i)
	}
	rep := load(t, pool, []byte(b.String()), imports.Options{Dataset: imports.Clients, BatchSize: 500})
	checkReport(t, rep, counts{rows: 1200, rejected: 1200})
	if len(rep.Problems) != imports.MaxProblems || rep.ProblemCount != 1200 {
		t.Errorf("%d problems kept, %d counted; want %d and 1200", len(rep.Problems), rep.ProblemCount, imports.MaxProblems)
	}
	if first, last := rep.Problems[0].Line, rep.Problems[len(rep.Problems)-1].Line; first != 2 || last != 1001 {
		t.Errorf("kept lines %d…%d, want 2…1001", first, last)
	}
	j, err := imports.GetJob(context.Background(), pool, rep.JobID)
	if err != nil || len(j.Problems) != imports.MaxProblems || j.ProblemCount != 1200 {
		t.Errorf("stored %d problems of %d, %v", len(j.Problems), j.ProblemCount, err)
	}
}

func TestAFailedImportIsRecordedAsFailed(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	file := csvText("external_id,company_name", "C-1,ООО «Ромашка»", "C-2,ООО «Лютик»")
	_, err := imports.Import(ctx, pool, strings.NewReader(string(file)), imports.Options{Dataset: imports.Clients,
		BatchSize: 1, Progress: func(int64, int64) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("an import cancelled after its first batch returned %v", err)
	}
	jobs, err := imports.ListJobs(context.Background(), pool, 1)
	if err != nil || len(jobs) != 1 || jobs[0].Status != imports.JobFailed || jobs[0].Error != "imports: clients: stopped: context canceled" ||
		jobs[0].FinishedAt == nil {
		t.Fatalf("jobs = %+v, %v; want one failed with context canceled", jobs, err)
	}
	// What the batches before the cancellation committed stays (the first, and perhaps the other loader's share
	// of the second), and running the import again finishes it.
	n := int64(countRows(t, pool, "clients"))
	if n < 1 {
		t.Errorf("%d clients after the cancelled import, want at least the first batch's", n)
	}
	checkReport(t, load(t, pool, file, imports.Options{Dataset: imports.Clients}), counts{rows: 2, inserted: 2 - n, unchanged: n})
	if n := countRows(t, pool, "clients"); n != 2 {
		t.Errorf("%d clients after running the import again, want 2", n)
	}
}
