package imports

import (
	"io"

	"dozvon/internal/csvx"
)

// A sample file for each dataset, for managers to download and fill in: the headers as the bank's Russian exports
// spell them (each is one Suggest maps to its field) and two rows that load as they are. The applications name
// the sample's clients and the events its applications, so the three load in order.

type sampleColumn struct{ header, field string }

var samples = map[Dataset]struct {
	columns []sampleColumn
	rows    [][]string
}{
	Clients: {
		columns: []sampleColumn{{"Код клиента", "external_id"}, {"ИНН", "inn"}, {"Наименование", "company_name"},
			{"Контактное лицо", "contact_name"}, {"Телефон", "phone"}, {"Электронная почта", "email"},
			{"ОКВЭД", "okved"}, {"Регион", "region"}, {"Часовой пояс", "timezone"}, {"Сегмент", "segment"}},
		rows: [][]string{
			{"C-1001", "7707083893", "ООО «Ромашка»", "Ирина Петровна Смирнова", "8 (918) 123-45-67", "info@romashka.ru",
				"47.91", "Москва", "Europe/Moscow", "micro"},
			{"C-1002", "2540123459", "ИП Соколова Ольга Ивановна", "Ольга Соколова", "8 (914) 765-43-21", "",
				"56.10", "Приморский край", "МСК+7", "micro"},
		},
	},
	Applications: {
		columns: []sampleColumn{{"Номер заявки", "external_id"}, {"Код клиента", "client_external_id"},
			{"Продукт", "product"}, {"Статус заявки", "status"}, {"Канал", "channel"},
			{"Выездной менеджер", "field_manager"}, {"Дата подачи заявки", "submitted_at"}},
		rows: [][]string{
			{"A-2001", "C-1001", "РКО", "в работе", "сайт", "", "02.03.2026 10:15"},
			{"A-2002", "C-1002", "РКО", "встреча назначена", "звонок", "Алексей Смирнов", "27.02.2026 16:40"},
		},
	},
	Events: {
		columns: []sampleColumn{{"ID события", "external_id"}, {"Номер заявки", "application_external_id"},
			{"Тип события", "kind"}, {"Результат", "result"}, {"Дата события", "occurred_at"}},
		rows: [][]string{
			{"E-3001", "A-2001", "звонок", "нет ответа", "02.03.2026 11:00"},
			{"E-3002", "A-2001", "звонок", "занято", "02.03.2026 15:30"},
		},
	},
}

// WriteSample writes the sample file of a dataset, in the format Russian Excel opens (csvx).
func WriteSample(w io.Writer, d Dataset) error {
	s, ok := samples[d]
	if !ok {
		_, err := specFor(d)
		return err
	}
	cw := csvx.NewWriter(w)
	head := make([]string, len(s.columns))
	for i, c := range s.columns {
		head[i] = c.header
	}
	_ = cw.Write(head...)
	for _, row := range s.rows {
		_ = cw.Write(row...)
	}
	return cw.Flush()
}

// ExpectedColumn is a field of a dataset as the imports page lists it: the sample's header for it and whether a
// file must have it.
type ExpectedColumn struct {
	Field, Header string
	Required      bool
}

// ExpectedColumns lists a dataset's fields, required ones first, with the header the sample file gives each.
func ExpectedColumns(d Dataset) []ExpectedColumn {
	headers := map[string]string{}
	for _, c := range samples[d].columns {
		headers[c.field] = c.header
	}
	var required, optional []ExpectedColumn
	for _, f := range Fields(d) {
		c := ExpectedColumn{Field: f.Name, Header: headers[f.Name], Required: f.Required}
		if f.Required {
			required = append(required, c)
		} else {
			optional = append(optional, c)
		}
	}
	return append(required, optional...)
}
