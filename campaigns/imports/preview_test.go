package imports_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"dozvon/campaigns/imports"
)

func TestSuggestMapsRussianAndEnglishHeaders(t *testing.T) {
	got := imports.Suggest(imports.Clients, []string{
		"№ п/п", "Код клиента", "ИНН", "Наименование", "ОПФ", "Контактное лицо", "Телефон", "E-mail", "ОКВЭД",
		"Доп. ОКВЭД", "Регион", "Часовой пояс", "Сегмент", "Мобильный", "Примечание",
	})
	want := imports.Mapping{
		"№ п/п": imports.Extra, "Код клиента": "external_id", "ИНН": "inn", "Наименование": "company_name",
		"ОПФ": "legal_form", "Контактное лицо": "contact_name", "Телефон": "phone", "E-mail": "email",
		"ОКВЭД": "okved", "Доп. ОКВЭД": "okved_extra", "Регион": "region", "Часовой пояс": "timezone",
		"Сегмент":    "segment",
		"Мобильный":  imports.Extra, // phone went to the first phone column
		"Примечание": imports.Extra,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("clients mapping:\ngot  %v\nwant %v", got, want)
	}

	got = imports.Suggest(imports.Applications, []string{
		"НОМЕР ЗАЯВКИ", "id клиента", "Продукт", "Статус заявки", "Дата заявки", "Канал", "Выездной менеджер", "Комментарий",
	})
	want = imports.Mapping{
		"НОМЕР ЗАЯВКИ": "external_id", "id клиента": "client_external_id", "Продукт": "product", "Статус заявки": "status",
		"Дата заявки": "submitted_at", "Канал": "channel", "Выездной менеджер": "field_manager",
		"Комментарий": imports.Skip, // applications keep no extra data
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("applications mapping:\ngot  %v\nwant %v", got, want)
	}

	got = imports.Suggest(imports.Events, []string{"Номер заявки", "Событие", "Итог", "Дата события", "Company_Name"})
	want = imports.Mapping{"Номер заявки": "application_external_id", "Событие": "kind", "Итог": "result",
		"Дата события": "occurred_at", "Company_Name": imports.Extra}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events mapping:\ngot  %v\nwant %v", got, want)
	}
}

func TestPreviewShowsDetectionMappingAndCellProblems(t *testing.T) {
	file := cp1251(t,
		"sep=;",
		"Код;ИНН;Компания;Телефон;Регион;Телефон",
		"К-1;"+innSber+";ООО «Ромашка»;8 918 123-45-67;Хабаровский край;",
		"К-2;123;ООО «Лютик»;нет;Москва;+79990001122",
	)
	pv, err := imports.Preview(bytes.NewReader(file), imports.Options{Dataset: imports.Clients})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Format != imports.FormatCSV || pv.Encoding != imports.CP1251 || pv.Delimiter != ";" {
		t.Errorf("detected %s, %s, %q", pv.Format, pv.Encoding, pv.Delimiter)
	}
	if want := []string{"Код", "ИНН", "Компания", "Телефон", "Регион", "Телефон (2)"}; !reflect.DeepEqual(pv.Headers, want) {
		t.Errorf("headers = %q, want %q", pv.Headers, want)
	}
	wantMapping := imports.Mapping{"Код": imports.Extra, "ИНН": "inn", "Компания": "company_name", "Телефон": "phone",
		"Регион": "region", "Телефон (2)": imports.Extra}
	if !reflect.DeepEqual(pv.Mapping, wantMapping) {
		t.Errorf("mapping = %v, want %v", pv.Mapping, wantMapping)
	}
	// "Код" alone is not a known header, so external_id is missing until the manager maps it.
	if !reflect.DeepEqual(pv.Missing, []string{"external_id"}) {
		t.Errorf("missing = %q, want [external_id]", pv.Missing)
	}
	_, err = imports.Import(t.Context(), nil, bytes.NewReader(file), imports.Options{Dataset: imports.Clients})
	if err == nil || !strings.Contains(err.Error(), "no column is mapped to external_id") {
		t.Errorf("import without external_id: %v", err)
	}

	// The manager maps "Код" and previews again.
	pv.Mapping["Код"] = "external_id"
	pv, err = imports.Preview(bytes.NewReader(file), imports.Options{Dataset: imports.Clients, Mapping: pv.Mapping})
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Missing) != 0 || len(pv.Rows) != 2 {
		t.Fatalf("missing %q, %d rows; want none and 2", pv.Missing, len(pv.Rows))
	}
	good, bad := pv.Rows[0], pv.Rows[1]
	if good.Line != 3 || len(good.Problems) != 0 || good.Values["phone"] != "+79181234567" ||
		good.Values["timezone"] != "Asia/Vladivostok" || good.Values["legal_form"] != "ООО" ||
		good.Values["attributes"] != `{}` {
		t.Errorf("row 1 = %+v", good)
	}
	sameLines(t, "row 2 problems", problemLines(imports.Report{Problems: bad.Problems}), []string{
		`line 4, field inn: "123" is not 10 or 12 digits`,
		`line 4, field phone: "нет" is not a phone number`,
	})
	if bad.Values["company_name"] != "ООО «Лютик»" || bad.Cells[5] != "+79990001122" {
		t.Errorf("row 2 values %v, cells %q", bad.Values, bad.Cells)
	}
}

func TestMappingMistakesAreRefusedBeforeReading(t *testing.T) {
	file := csvText("id,name,phone", "C-1,ООО «Ромашка»,+79181234567")
	for _, c := range []struct {
		mapping imports.Mapping
		want    string
	}{
		{imports.Mapping{"ид": "external_id"}, `imports: the mapping names column "ид", which the file does not have`},
		{imports.Mapping{"id": "external_id", "name": "title"}, `imports: column "name" maps to "title", which is not a field of clients`},
		{imports.Mapping{"id": "external_id", "name": "company_name", "phone": "company_name"}, `imports: columns "name" and "phone" both map to company_name`},
	} {
		_, err := imports.Preview(bytes.NewReader(file), imports.Options{Dataset: imports.Clients, Mapping: c.mapping})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("mapping %v: %v; want %s", c.mapping, err, c.want)
		}
	}
}

func TestUnreadableFilesAreRefusedWithTheReason(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty":       {nil, "imports: the file is empty"},
		"blank lines": {[]byte("\n;;;\n\n"), "imports: the file is empty"},
		"xls":         {[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), "imports: this is an Excel 97–2003 (.xls) or password-protected workbook; save it as .xlsx or CSV"},
		"broken zip":  {[]byte("PK\x03\x04garbage"), "imports: open the workbook: the file is not an .xlsx workbook"},
	} {
		_, err := imports.Preview(bytes.NewReader(c.data), imports.Options{Dataset: imports.Clients})
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: %v; want %s", name, err, c.want)
		}
	}
}

func TestExcelUnicodeTextIsReadAsUTF16WithTabs(t *testing.T) {
	text := "\uFEFFИНН\tНаименование\tКод клиента\r\n" + innSber + "\tООО «Ромашка»\tC-1\r\n"
	var b []byte
	for _, r := range text { // UTF-16LE; every rune here is in the basic plane
		b = append(b, byte(r), byte(r>>8))
	}
	pv, err := imports.Preview(bytes.NewReader(b), imports.Options{Dataset: imports.Clients})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Encoding != imports.UTF16LE || pv.Delimiter != "\t" || len(pv.Rows) != 1 ||
		pv.Rows[0].Values["company_name"] != "ООО «Ромашка»" || len(pv.Rows[0].Problems) != 0 {
		t.Errorf("preview = %+v", pv)
	}
}
