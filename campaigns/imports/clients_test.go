package imports_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"dozvon/campaigns/imports"
	"dozvon/internal/pg/pgtest"
)

func TestUTF8CommaFileLoadsClientsWithDerivedFieldsAndExtraColumns(t *testing.T) {
	pool := pgtest.NewDB(t)
	file := csvText(
		"external_id,inn,company_name,legal_form,contact_name,phone,email,okved,region,timezone,segment,manager_note",
		`C-1,`+innSber+`,"Ромашка, ООО",ООО,Ирина Иванова,8 (918) 123-45-67,info@romashka.ru,47.91,г. Москва,,small,VIP`,
		`C-2,`+innIPPrimore+`,ИП Петров Пётр Петрович,,Пётр Петров,+7 916 765 43 21,,"47.91, 62.01",Приморский край,,micro,`,
	)
	rep := load(t, pool, file, imports.Options{Dataset: imports.Clients, FileName: "clients.csv"})
	checkReport(t, rep, counts{rows: 2, inserted: 2})
	if rep.Format != imports.FormatCSV || rep.Encoding != imports.UTF8 || rep.Delimiter != "," {
		t.Errorf("detected %s, %s, %q; want csv, utf-8, \",\"", rep.Format, rep.Encoding, rep.Delimiter)
	}

	got := clientByExternalID(t, pool, "C-1")
	want := client{INN: ptr(innSber), Phone: ptr("+79181234567"), CompanyName: "Ромашка, ООО", LegalForm: "ООО",
		ContactName: "Ирина Иванова", Email: "info@romashka.ru", Okved: "47.91", OkvedExtra: []string{},
		Region: "г. Москва", Timezone: "Europe/Moscow", Segment: "small", Attributes: map[string]any{"manager_note": "VIP"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("C-1 = %+v\nwant %+v", got, want)
	}
	// The legal form comes from the name, the second OKVED goes to okved_extra, the region gives the time zone.
	got = clientByExternalID(t, pool, "C-2")
	want = client{INN: ptr(innIPPrimore), Phone: ptr("+79167654321"), CompanyName: "ИП Петров Пётр Петрович",
		LegalForm: "ИП", ContactName: "Пётр Петров", Okved: "47.91", OkvedExtra: []string{"62.01"},
		Region: "Приморский край", Timezone: "Asia/Vladivostok", Segment: "micro", Attributes: map[string]any{}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("C-2 = %+v\nwant %+v", got, want)
	}
}

func TestWindows1251SemicolonExportWithRussianHeadersKeepsCyrillic(t *testing.T) {
	pool := pgtest.NewDB(t)
	file := cp1251(t,
		"Код клиента;ИНН;Наименование;Контактное лицо;Телефон;ОКВЭД;Регион;Часовой пояс",
		"К-100;"+innPiter+";ООО «Северная верфь»;Анна Смирнова;8-921-555-12-34;30,11;Санкт-Петербург;",
		"К-101;105123458;ИП Хачемизов А.Р.;Аслан Хачемизов;+7 (918) 000-11-22;01.11.1;Республика Адыгея;МСК",
		`К-102;`+innPrimorye+`;"АО ""Приморский рыбак""";Олег Ким;89241234567;03.11;Приморский край;МСК+7`,
	)
	rep := load(t, pool, file, imports.Options{Dataset: imports.Clients})
	checkReport(t, rep, counts{rows: 3, inserted: 3})
	if rep.Encoding != imports.CP1251 || rep.Delimiter != ";" {
		t.Errorf("detected %s, %q; want windows-1251, \";\"", rep.Encoding, rep.Delimiter)
	}
	for id, want := range map[string]client{
		"К-100": {INN: ptr(innPiter), CompanyName: "ООО «Северная верфь»", LegalForm: "ООО", ContactName: "Анна Смирнова",
			Phone: ptr("+79215551234"), Okved: "30.11", Region: "Санкт-Петербург", Timezone: "Europe/Moscow"},
		// Excel stored the INN as a number and dropped its leading zero; the check digits confirm it back.
		"К-101": {INN: ptr(innAdygea), CompanyName: "ИП Хачемизов А.Р.", LegalForm: "ИП", ContactName: "Аслан Хачемизов",
			Phone: ptr("+79180001122"), Okved: "01.11.1", Region: "Республика Адыгея", Timezone: "Europe/Moscow"},
		"К-102": {INN: ptr(innPrimorye), CompanyName: `АО "Приморский рыбак"`, LegalForm: "АО", ContactName: "Олег Ким",
			Phone: ptr("+79241234567"), Okved: "03.11", Region: "Приморский край", Timezone: "Asia/Vladivostok"},
	} {
		got := clientByExternalID(t, pool, id)
		want.OkvedExtra, want.Attributes = []string{}, map[string]any{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %+v\nwant %+v", id, got, want)
		}
	}
}

func TestBadClientRowsAreReportedByLineAndFieldWhileGoodRowsLoad(t *testing.T) {
	pool := pgtest.NewDB(t)
	file := csvText(
		"external_id;inn;company_name;phone;email;okved;timezone",
		"C-1;"+innSber+";ООО «Ромашка»;+79181234567;;;",
		"C-2;77071234;ООО «Лютик»;+79181234568;;;",
		"C-3;7707083894;ООО «Василёк»;+79181234569;;;",
		"C-4;"+innPiter+";ООО «Ландыш»;12345;;;",
		"C-5;"+innPrimorye+";;+79181234570;;;",
		"C-6;"+innIPMoscow+";ИП Сидоров;+79181234571;sidorov@;4791;Марс/Олимп",
		"C-7;;ООО «Ромашка-2»;;;;",
	)
	rep := load(t, pool, file, imports.Options{Dataset: imports.Clients})
	checkReport(t, rep, counts{rows: 7, inserted: 2, rejected: 5})
	sameLines(t, "problems", problemLines(rep), []string{
		`line 3, field inn: "77071234" is not 10 or 12 digits`,
		`line 4, field inn: "7707083894" has a wrong check digit`,
		`line 5, field phone: "12345" is not a phone number`,
		`line 6, field company_name: is required but empty`,
		`line 7, field email: "sidorov@" is not an e-mail address`,
		`line 7, field okved: "4791" is not an OKVED code (e.g. 47.91)`,
		`line 7, field timezone: "Марс/Олимп" is not a time zone (e.g. Europe/Moscow, Asia/Vladivostok, МСК+7 or UTC+10)`,
	})
	if rep.ProblemCount != 7 {
		t.Errorf("ProblemCount = %d, want 7", rep.ProblemCount)
	}
	if n := countRows(t, pool, "clients"); n != 2 {
		t.Errorf("%d clients loaded, want C-1 and C-7", n)
	}
	// A client without INN or phone is still a client; both are NULL rather than empty.
	if c := clientByExternalID(t, pool, "C-7"); c.INN != nil || c.Phone != nil {
		t.Errorf("C-7 inn, phone = %s, %s; want NULL, NULL", str(c.INN), str(c.Phone))
	}
}

func TestReimportUpdatesWhatChangedAndNeverDuplicates(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := context.Background()
	clients := imports.Options{Dataset: imports.Clients}
	first := csvText(
		"external_id,company_name,phone,segment,source",
		"C-1,ООО «Ромашка»,+79181234567,small,site",
		"C-2,ООО «Лютик»,+79181234568,small,site",
	)
	checkReport(t, load(t, pool, first, clients), counts{rows: 2, inserted: 2})

	// The same file again changes nothing.
	checkReport(t, load(t, pool, first, clients), counts{rows: 2, unchanged: 2})

	// A later export: C-2 changed its phone and gained an attribute; it lacks the segment column, which is kept.
	var before string
	_ = pool.QueryRow(ctx, `SELECT updated_at::text FROM clients WHERE external_id = 'C-1'`).Scan(&before)
	second := csvText(
		"external_id,company_name,phone,manager",
		"C-1,ООО «Ромашка»,+79181234567,",
		"C-2,ООО «Лютик»,+79990001122,Кузнецов",
		"C-3,ООО «Ландыш»,,",
	)
	checkReport(t, load(t, pool, second, clients), counts{rows: 3, inserted: 1, updated: 1, unchanged: 1})
	if n := countRows(t, pool, "clients"); n != 3 {
		t.Errorf("%d clients after three imports, want 3", n)
	}
	c2 := clientByExternalID(t, pool, "C-2")
	if str(c2.Phone) != "+79990001122" || c2.Segment != "small" ||
		!reflect.DeepEqual(c2.Attributes, map[string]any{"source": "site", "manager": "Кузнецов"}) {
		t.Errorf("C-2 after re-import = %+v; want the new phone, the old segment, both attributes", c2)
	}
	var after string
	_ = pool.QueryRow(ctx, `SELECT updated_at::text FROM clients WHERE external_id = 'C-1'`).Scan(&after)
	if after != before {
		t.Errorf("C-1 did not change but its updated_at moved from %s to %s", before, after)
	}

	// A file that repeats an external_id: the later line wins.
	repeated := csvText(
		"external_id,company_name",
		"C-9,ООО «Старое имя»",
		"C-9,ООО «Новое имя»",
	)
	checkReport(t, load(t, pool, repeated, clients), counts{rows: 2, inserted: 1, updated: 1})
	if c := clientByExternalID(t, pool, "C-9"); c.CompanyName != "ООО «Новое имя»" {
		t.Errorf("C-9 is named %q, want the later line's name", c.CompanyName)
	}
}

// TestKnownAndNewClientsMixedAcrossBatchesLoadEachOnce: a file whose batches hold only known clients, only new
// ones, and both, in an order that makes the import change how it writes from batch to batch (copying new rows
// straight in, looking keys up, staging everything). Every client ends up once, with the file's values, and the
// report counts each row right.
func TestKnownAndNewClientsMixedAcrossBatchesLoadEachOnce(t *testing.T) {
	pool := pgtest.NewDB(t)
	clients := imports.Options{Dataset: imports.Clients, BatchSize: 5}
	known := []string{"external_id,company_name,segment"}
	for i := 1; i <= 10; i++ {
		known = append(known, fmt.Sprintf("C-%d,Клиент %d,small", i, i))
	}
	checkReport(t, load(t, pool, csvText(known...), clients), counts{rows: 10, inserted: 10})

	lines := []string{"external_id,company_name,segment"}
	add := func(from, to int, segment string) {
		for i := from; i <= to; i++ {
			lines = append(lines, fmt.Sprintf("C-%d,Клиент %d,%s", i, i, segment))
		}
	}
	add(1, 5, "small")   // known, unchanged
	add(6, 10, "large")  // known, changed
	add(11, 20, "small") // new: two batches
	add(21, 22, "small") // new, in one batch with
	add(1, 3, "medium")  // known, changed
	add(23, 27, "small") // new
	add(4, 4, "medium")  // known, changed: the last batch has one row
	rep := load(t, pool, csvText(lines...), clients)
	checkReport(t, rep, counts{rows: 31, inserted: 17, updated: 9, unchanged: 5})
	if n := countRows(t, pool, "clients"); n != 27 {
		t.Errorf("%d clients, want 27", n)
	}
	want := map[string]string{"C-1": "medium", "C-4": "medium", "C-5": "small", "C-6": "large", "C-22": "small",
		"C-27": "small"}
	for id, segment := range want {
		if c := clientByExternalID(t, pool, id); c.Segment != segment || c.CompanyName != "Клиент "+id[2:] {
			t.Errorf("%s = %+v, want segment %s", id, c, segment)
		}
	}
}
