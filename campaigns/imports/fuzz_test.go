package imports_test

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"dozvon/campaigns/imports"
)

// Whatever bytes a manager uploads, the preview of every dataset reads them without panicking; it either refuses
// the file as a whole or shows each row reported with its problems or accepted with the values it would store
// (once every required field has a column: until then pv.Missing says what to map); and what it shows is valid
// UTF-8 whichever encoding it detected, so the page and the JSON API can carry it.
func FuzzPreviewOfAnUploadedFile(f *testing.F) {
	for _, seed := range [][]byte{
		csvText("external_id;inn;company_name;phone", "К-1;"+innSber+";ООО «Ромашка»;8 918 123-45-67", "К-2;123;;нет"),
		cp1251(f, "sep=;", "Код клиента;ИНН;Наименование;Телефон", "К-1;"+innSber+";ООО «Ромашка»;+79181234567"),
		append([]byte("\xFF\xFE"), utf16le("external_id,company_name\r\nX-1,Лютик\r\n")...),
		csvText(`НОМЕР ЗАЯВКИ,id клиента,Продукт,Статус заявки,Дата заявки`, `A-1,К-1,rko,new,01.11.2026 10:00`),
		csvText("Номер заявки\tСобытие\tИтог\tДата события", "A-1\tcall_attempt\tno_answer\t2026-11-01T10:00:00+03:00"),
		csvText(`external_id,company_name`, `"X-1,"ООО "Ромашка"`, `"never closed`),
		[]byte("\xEF\xBB\xBF;;;\n;;;\n"),
		[]byte("\xD0\xCF\x11\xE0 an old .xls"),
		[]byte("PK\x03\x04 not really a zip"),
		workbook(f, [][]any{{"ИНН", "Наименование", "Код клиента", "Телефон"}, {105123458, "ИП Хачемизов", "X-1", 79180001122}}),
		{},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		for _, d := range imports.Datasets {
			pv, err := imports.Preview(bytes.NewReader(file), imports.Options{Dataset: d})
			if err != nil {
				continue // refused as a whole, with a reason
			}
			checkUTF8(t, d, "header", pv.Headers...)
			for _, row := range pv.Rows {
				checkUTF8(t, d, "cell", row.Cells...)
				if len(row.Problems) == 0 && len(pv.Missing) == 0 {
					for _, f := range pv.Fields {
						if _, ok := row.Values[f.Name]; f.Required && !ok {
							t.Fatalf("%s line %d: accepted without its %s: %+v", d, row.Line, f.Name, row)
						}
					}
				}
				for field, v := range row.Values {
					checkUTF8(t, d, "value of "+field, v)
				}
				for _, p := range row.Problems {
					if p.Line != row.Line || p.Reason == "" {
						t.Fatalf("%s line %d: problem %+v says another line or no reason", d, row.Line, p)
					}
					checkUTF8(t, d, "problem", p.Value, p.Reason)
				}
			}
		}
	})
}

func checkUTF8(t *testing.T, d imports.Dataset, what string, ss ...string) {
	t.Helper()
	for _, s := range ss {
		if !utf8.ValidString(s) {
			t.Fatalf("%s: %s %q is not valid UTF-8", d, what, s)
		}
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s { // the seeds hold no characters outside the BMP
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}
