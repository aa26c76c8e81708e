package imports_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"dozvon/campaigns/imports"
	"dozvon/internal/pg/pgtest"
)

// decode reads a JSON array the way an API handler does: numbers stay exact.
func decode(t *testing.T, body string) []map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber()
	var records []map[string]any
	if err := d.Decode(&records); err != nil {
		t.Fatal(err)
	}
	return records
}

func TestJSONRecordsGoThroughTheSameChecksAndUpsert(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := context.Background()
	records := decode(t, `[
		{"external_id": "C-1", "inn": 7707083893, "company_name": "ООО «Ромашка»", "phone": "8 918 123-45-67",
		 "region": "Новосибирская обл.", "attributes": {"source": "crm", "score": 87}},
		{"external_id": "C-2", "inn": "77071234", "company_name": "ООО «Лютик»"},
		{"external_id": "C-3", "company_name": "ООО «Ландыш»", "colour": "green"},
		{"external_id": "C-4", "company_name": {"ru": "ООО"}}
	]`)
	rep, err := imports.ImportRecords(ctx, pool, records, imports.Options{Dataset: imports.Clients, DryRun: false})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, rep)
	checkReport(t, rep, counts{rows: 4, inserted: 1, rejected: 3})
	sameLines(t, "problems", problemLines(rep), []string{
		`line 2, field inn: "77071234" is not 10 or 12 digits`,
		`line 3, field colour: is not a field of clients (external_id, inn, company_name, legal_form, contact_name, phone, email, okved, okved_extra, region, timezone, segment, attributes)`,
		`line 4, field company_name: is not a string, number or boolean`,
	})
	got := clientByExternalID(t, pool, "C-1")
	if str(got.INN) != innSber || str(got.Phone) != "+79181234567" || got.Timezone != "Asia/Novosibirsk" ||
		got.LegalForm != "ООО" || !reflect.DeepEqual(got.Attributes, map[string]any{"source": "crm", "score": float64(87)}) {
		t.Errorf("C-1 = %+v", got)
	}

	// The same record again is unchanged; a changed one is updated.
	records = decode(t, `[{"external_id": "C-1", "company_name": "ООО «Ромашка»", "phone": "+79181234567"},
	                      {"external_id": "C-5", "company_name": "ИП Орлов"}]`)
	rep, err = imports.ImportRecords(ctx, pool, records, imports.Options{Dataset: imports.Clients})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, counts{rows: 2, inserted: 1, unchanged: 1})
	// Fields no record carried (inn, region) are kept.
	if c := clientByExternalID(t, pool, "C-1"); str(c.INN) != innSber || c.Region != "Новосибирская обл." {
		t.Errorf("C-1 after a partial record = %+v; want inn and region kept", c)
	}
}

func TestJSONEventsForUnknownApplicationsAreRejectedByRecord(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := context.Background()
	load(t, pool, twoClients, imports.Options{Dataset: imports.Clients})
	_, err := imports.ImportRecords(ctx, pool, decode(t, `[
		{"external_id": "A-1", "client_external_id": "C-1", "product": "rko", "submitted_at": "2026-03-01T10:00:00+03:00"}
	]`), imports.Options{Dataset: imports.Applications})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := imports.ImportRecords(ctx, pool, decode(t, `[
		{"application_external_id": "A-1", "kind": "account_opened", "occurred_at": "2026-03-05T12:00:00+03:00",
		 "payload": {"account": "40702810900000000001"}},
		{"application_external_id": "A-2", "kind": "account_opened", "occurred_at": "2026-03-05T12:00:00+03:00"}
	]`), imports.Options{Dataset: imports.Events, TokenID: 0})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, counts{rows: 2, inserted: 1, rejected: 1})
	sameLines(t, "problems", problemLines(rep), []string{`line 2, field application_external_id: "A-2" is not a known application`})
	var account string
	if err := pool.QueryRow(ctx, `SELECT payload->>'account' FROM application_events`).Scan(&account); err != nil ||
		account != "40702810900000000001" {
		t.Errorf("payload account = %q, %v", account, err)
	}
}
