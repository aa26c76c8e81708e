package imports_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"dozvon/campaigns/imports"
	"dozvon/internal/pg/pgtest"
)

var msk = time.FixedZone("MSK", 3*60*60)

type application struct {
	Client, Product, Status, Channel, FieldManager string
	SubmittedAt                                    time.Time
}

func applicationByExternalID(t *testing.T, pool *pgxpool.Pool, id string) application {
	t.Helper()
	var a application
	err := pool.QueryRow(context.Background(), `
		SELECT c.external_id, a.product, a.status, a.channel, a.field_manager, a.submitted_at
		FROM applications a JOIN clients c ON c.id = a.client_id WHERE a.external_id = $1`, id).
		Scan(&a.Client, &a.Product, &a.Status, &a.Channel, &a.FieldManager, &a.SubmittedAt)
	if err != nil {
		t.Fatalf("application %s: %v", id, err)
	}
	return a
}

func TestApplicationsNameKnownClientsAndBadRowsAreReported(t *testing.T) {
	pool := pgtest.NewDB(t)
	load(t, pool, twoClients, imports.Options{Dataset: imports.Clients})
	file := cp1251(t,
		"Номер заявки;Код клиента;Продукт;Статус;Дата заявки;Канал;Выездной менеджер",
		"A-1;C-1;РКО;В работе;02.03.2026 14:05;сайт;Кузнецов",
		"A-2;C-2;Эквайринг;;2026-03-02T09:30:00+05:00;;",
		"A-3;C-404;РКО;Новая;02.03.2026;;",
		"A-4;C-1;Кредит;Новая;02.03.2026;;",
		"A-5;C-2;РКО;Новая;31.02.2026;;",
		"A-6;;РКО;Новая;02.03.2026;;",
	)
	rep := load(t, pool, file, imports.Options{Dataset: imports.Applications})
	checkReport(t, rep, counts{rows: 6, inserted: 2, rejected: 4})
	sameLines(t, "problems", problemLines(rep), []string{
		`line 4, field client_external_id: "C-404" is not a known client`,
		`line 5, field product: "Кредит" is not one of acquiring, rko`,
		`line 6, field submitted_at: "31.02.2026" is not a date (e.g. 02.01.2006, 02.01.2006 15:04 or 2006-01-02T15:04:05+03:00)`,
		`line 7, field client_external_id: is required but empty`,
	})
	if p := rep.Problems[0]; p.Column != "Код клиента" || p.Value != "C-404" {
		t.Errorf("the unknown client's problem names column %q, value %q", p.Column, p.Value)
	}
	want := map[string]application{
		// A date without a zone is Moscow time; Russian values map to the stored codes.
		"A-1": {Client: "C-1", Product: "rko", Status: "in_progress", Channel: "сайт", FieldManager: "Кузнецов",
			SubmittedAt: time.Date(2026, 3, 2, 14, 5, 0, 0, msk)},
		// An empty status is a new application.
		"A-2": {Client: "C-2", Product: "acquiring", Status: "new",
			SubmittedAt: time.Date(2026, 3, 2, 7, 30, 0, 0, msk)},
	}
	for id, w := range want {
		if got := applicationByExternalID(t, pool, id); got.Client != w.Client || got.Product != w.Product ||
			got.Status != w.Status || got.Channel != w.Channel || got.FieldManager != w.FieldManager ||
			!got.SubmittedAt.Equal(w.SubmittedAt) {
			t.Errorf("%s = %+v\nwant %+v", id, got, w)
		}
	}
}

func TestCallLogWithoutEventIDsIsNotDoubledOnReimport(t *testing.T) {
	pool := pgtest.NewDB(t)
	load(t, pool, twoClients, imports.Options{Dataset: imports.Clients})
	load(t, pool, csvText(
		"external_id,client_external_id,product,submitted_at",
		"A-1,C-1,rko,01.03.2026 10:00",
	), imports.Options{Dataset: imports.Applications})

	calls := csvText(
		"Заявка,Тип события,Результат,Дата и время,Оператор",
		"A-1,Звонок,Нет ответа,02.03.2026 10:00,Орлова",
		"A-1,звонок,занято,02.03.2026 12:00,Орлова",
		"A-1,call_answered,,02.03.2026 15:00,Орлова",
		"A-1,Встреча назначена,,02.03.2026 15:05,Орлова",
		"A-9,Звонок,Нет ответа,02.03.2026 10:00,Орлова",
	)
	rep := load(t, pool, calls, imports.Options{Dataset: imports.Events})
	checkReport(t, rep, counts{rows: 5, inserted: 4, rejected: 1})
	sameLines(t, "problems", problemLines(rep), []string{
		`line 6, field application_external_id: "A-9" is not a known application`,
	})
	checkReport(t, load(t, pool, calls, imports.Options{Dataset: imports.Events}), counts{rows: 5, unchanged: 4, rejected: 1})

	rows, err := pool.Query(context.Background(), `
		SELECT kind, result, to_char(occurred_at AT TIME ZONE 'Europe/Moscow', 'DD.MM HH24:MI'), payload->>'Оператор'
		FROM application_events ORDER BY occurred_at`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var kind, result, at, operator string
		if err := rows.Scan(&kind, &result, &at, &operator); err != nil {
			t.Fatal(err)
		}
		got = append(got, kind+" "+result+" "+at+" "+operator)
	}
	sameLines(t, "events", got, []string{
		"call_attempt no_answer 02.03 10:00 Орлова",
		"call_attempt busy 02.03 12:00 Орлова",
		"call_answered  02.03 15:00 Орлова",
		"meeting_booked  02.03 15:05 Орлова",
	})
}

func TestEventsWithIDsAreUpdatedByID(t *testing.T) {
	pool := pgtest.NewDB(t)
	load(t, pool, twoClients, imports.Options{Dataset: imports.Clients})
	load(t, pool, csvText("external_id,client_external_id,product,submitted_at", "A-1,C-1,rko,2026-03-01"),
		imports.Options{Dataset: imports.Applications})
	events := func(result string) []byte {
		return csvText("external_id,application_external_id,kind,result,occurred_at",
			"E-1,A-1,call_attempt,"+result+",2026-03-02 10:00:00")
	}
	checkReport(t, load(t, pool, events("busy"), imports.Options{Dataset: imports.Events}), counts{rows: 1, inserted: 1})
	checkReport(t, load(t, pool, events("no_answer"), imports.Options{Dataset: imports.Events}), counts{rows: 1, updated: 1})
	var result string
	if err := pool.QueryRow(context.Background(), `SELECT result FROM application_events WHERE external_id = 'E-1'`).
		Scan(&result); err != nil || result != "no_answer" {
		t.Errorf("E-1 result = %q, %v; want no_answer", result, err)
	}
}

// workbook builds an XLSX file the way Excel saves one: numbers as numbers, dates as day numbers with a format.
func workbook(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		if row == nil {
			continue // a blank row
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXWorkbooksImportClientsAndApplications(t *testing.T) {
	pool := pgtest.NewDB(t)
	clients := workbook(t, [][]any{
		{"ИНН", "Наименование", "Телефон", "Регион", "Код клиента"},
		{105123458, "ИП Хачемизов А.Р.", 79180001122, "Адыгея", "X-1"},
		nil,
		{7707083894, "ООО «Опечатка»", 79180001123, "Москва", "X-2"},
		{innPrimorye, "АО «Приморский рыбак»", "8 924 123-45-67", "Приморский край", "X-3"},
	})
	rep := load(t, pool, clients, imports.Options{Dataset: imports.Clients, FileName: "clients.xlsx"})
	checkReport(t, rep, counts{rows: 3, inserted: 2, rejected: 1})
	if rep.Format != imports.FormatXLSX {
		t.Errorf("format = %q, want xlsx", rep.Format)
	}
	// Line numbers are the sheet's row numbers, blank rows included.
	sameLines(t, "problems", problemLines(rep), []string{`line 4, field inn: "7707083894" has a wrong check digit`})
	if c := clientByExternalID(t, pool, "X-1"); str(c.INN) != innAdygea || str(c.Phone) != "+79180001122" {
		t.Errorf("X-1 inn, phone = %s, %s; want %s, +79180001122", str(c.INN), str(c.Phone), innAdygea)
	}

	applications := workbook(t, [][]any{
		{"Номер заявки", "Код клиента", "Продукт", "Дата заявки"},
		{"A-1", "X-1", "РКО", time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC)}, // a date cell: Excel has no zones
		{"A-2", "X-3", "эквайринг", "03.03.2026 09:15"},                     // a date typed as text
	})
	rep = load(t, pool, applications, imports.Options{Dataset: imports.Applications})
	checkReport(t, rep, counts{rows: 2, inserted: 2})
	if a := applicationByExternalID(t, pool, "A-1"); !a.SubmittedAt.Equal(time.Date(2026, 3, 2, 14, 5, 0, 0, msk)) {
		t.Errorf("A-1 submitted at %s, want 2026-03-02 14:05 Moscow time", a.SubmittedAt)
	}
	if a := applicationByExternalID(t, pool, "A-2"); !a.SubmittedAt.Equal(time.Date(2026, 3, 3, 9, 15, 0, 0, msk)) ||
		a.Product != "acquiring" {
		t.Errorf("A-2 = %+v, want acquiring submitted 2026-03-03 09:15 Moscow time", a)
	}
}
