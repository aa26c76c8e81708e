package imports_test

import (
	"testing"

	"dozvon/campaigns/imports"
	"dozvon/internal/pg/pgtest"
)

// PostgreSQL stores no NUL character in text or jsonb. A NUL in a cell of the bank's file — a mapped field, or a
// column kept as an extra attribute — is a problem of that row, reported like any other (the value shown with
// the NUL as U+FFFD), not a failed import: the other rows load.
func TestANULInACellIsAProblemOfItsRow(t *testing.T) {
	pool := pgtest.NewDB(t)
	file := csvText(
		"external_id;inn;company_name;phone;manager_note",
		"C-1;"+innSber+";ООО «Ромашка»;+79181234567;VIP",
		"C-2;"+innPiter+";ООО «Лю\x00тик»;+79181234568;",
		"C-3;"+innPrimorye+";ООО «Василёк»;+79181234569;звонить\x00 после 15",
	)
	rep := load(t, pool, file, imports.Options{Dataset: imports.Clients})
	checkReport(t, rep, counts{rows: 3, inserted: 1, rejected: 2})
	sameLines(t, "problems", problemLines(rep), []string{
		"line 3, field company_name: \"ООО «Лю\uFFFDтик»\" is not valid text (is the file in another encoding?)",
		"line 4, field manager_note: \"звонить\uFFFD после 15\" is not valid text (is the file in another encoding?)",
	})
	if n := countRows(t, pool, "clients"); n != 1 {
		t.Errorf("%d clients loaded, want C-1", n)
	}
}
