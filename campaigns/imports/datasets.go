package imports

// The three datasets as the bank's exports spell them. external_id comes first in each: spec.key relies on it.

var clientSpec = spec{
	dataset: Clients,
	table:   "clients",
	extra:   "attributes",
	touch:   true,
	fields: []field{
		{name: "external_id", kind: kindID, required: true, aliases: []string{
			"id", "client_id", "client id", "client external id", "код клиента", "id клиента", "ид клиента",
			"идентификатор клиента", "идентификатор", "внешний id", "номер клиента"}},
		{name: "inn", kind: kindINN, aliases: []string{"инн", "инн клиента", "taxpayer id"}},
		{name: "company_name", kind: kindText, required: true, aliases: []string{
			"company", "company name", "name", "organization", "наименование", "наименование организации",
			"наименование клиента", "название", "название компании", "компания", "организация", "клиент"}},
		{name: "legal_form", kind: kindLegalForm, derivedFrom: []string{"company_name", "inn"}, aliases: []string{
			"legal form", "опф", "орг форма", "организационно-правовая форма", "правовая форма"}},
		{name: "contact_name", kind: kindText, aliases: []string{
			"contact", "contact person", "контакт", "контактное лицо", "фио", "фио контакта", "представитель"}},
		{name: "phone", kind: kindPhone, aliases: []string{
			"phone number", "mobile", "tel", "телефон", "номер телефона", "мобильный", "мобильный телефон",
			"контактный телефон", "тел"}},
		{name: "email", kind: kindEmail, aliases: []string{
			"e-mail", "mail", "почта", "электронная почта", "эл почта", "адрес электронной почты"}},
		{name: "okved", kind: kindOKVED, aliases: []string{"оквэд", "основной оквэд", "код оквэд", "okved code"}},
		{name: "okved_extra", kind: kindOKVEDList, derivedFrom: []string{"okved"}, aliases: []string{
			"okved additional", "доп оквэд", "дополнительные оквэд", "дополнительный оквэд"}},
		{name: "region", kind: kindText, aliases: []string{"регион", "субъект", "субъект рф", "область"}},
		{name: "timezone", kind: kindTimezone, derivedFrom: []string{"region"}, aliases: []string{
			"time zone", "tz", "часовой пояс", "таймзона", "временная зона"}},
		{name: "segment", kind: kindText, aliases: []string{"сегмент", "сегмент клиента"}},
	},
	// finish: finishClient, set in init: it reads field positions from clientSpec, which would be a cycle here
}

func init() { clientSpec.finish = finishClient }

var applicationSpec = spec{
	dataset: Applications,
	table:   "applications",
	touch:   true,
	ref:     &reference{field: "client_external_id", table: "clients", column: "client_id", noun: "client"},
	fields: []field{
		{name: "external_id", kind: kindID, required: true, aliases: []string{
			"id", "application_id", "application id", "application", "номер заявки", "id заявки", "ид заявки",
			"код заявки", "заявка"}},
		{name: "client_external_id", kind: kindID, required: true, aliases: []string{
			"client_id", "client id", "client", "код клиента", "id клиента", "ид клиента", "клиент",
			"идентификатор клиента"}},
		{name: "product", kind: kindEnum, required: true, aliases: []string{"продукт"}, values: spellings(map[string][]string{
			"rko":       {"рко", "расчетный счет", "счет", "account", "current account"},
			"acquiring": {"эквайринг", "интернет-эквайринг", "интернет эквайринг", "иэ", "internet acquiring"},
		})},
		{name: "status", kind: kindEnum, aliases: []string{"статус", "статус заявки"}, values: spellings(map[string][]string{
			"new":            {"новая", "новый"},
			"in_progress":    {"в работе", "в процессе", "in-progress"},
			"meeting_booked": {"встреча назначена", "назначена встреча"},
			"account_opened": {"счет открыт", "открыт счет", "открыт"},
			"rejected":       {"отказ", "отклонена", "отказано"},
			"closed":         {"закрыта", "закрыт"},
		})},
		{name: "channel", kind: kindText, aliases: []string{"канал", "источник", "канал заявки", "source"}},
		{name: "field_manager", kind: kindText, aliases: []string{
			"manager", "field manager", "менеджер", "выездной менеджер"}},
		{name: "submitted_at", kind: kindDate, required: true, aliases: []string{
			"submitted", "date", "created_at", "created", "дата заявки", "дата подачи", "дата подачи заявки",
			"дата создания", "дата"}},
	},
	finish: func(p *parser, vals []any) {
		if v, ok := vals[p.spec.index("status")].(string); ok && v == "" {
			vals[p.spec.index("status")] = "new"
		}
	},
}

var eventSpec = spec{
	dataset:     Events,
	table:       "application_events",
	extra:       "payload",
	ref:         &reference{field: "application_external_id", table: "applications", column: "application_id", noun: "application"},
	keyOptional: true,
	naturalKey:  []string{"application_external_id", "kind", "occurred_at", "result"},
	fields: []field{
		{name: "external_id", kind: kindID, aliases: []string{"id", "event_id", "event id", "id события", "ид события", "код события"}},
		{name: "application_external_id", kind: kindID, required: true, aliases: []string{
			"application_id", "application id", "application", "номер заявки", "id заявки", "ид заявки", "заявка",
			"код заявки"}},
		{name: "kind", kind: kindEnum, required: true, aliases: []string{"type", "event", "тип", "тип события", "событие"},
			values: spellings(map[string][]string{
				"call_attempt":        {"звонок", "попытка звонка", "исходящий звонок", "call"},
				"call_answered":       {"дозвон", "разговор", "звонок отвечен", "answered"},
				"meeting_booked":      {"встреча назначена", "назначена встреча"},
				"meeting_held":        {"встреча проведена", "встреча состоялась"},
				"account_opened":      {"счет открыт", "открыт счет", "открытие счета"},
				"acquiring_connected": {"эквайринг подключен", "подключен эквайринг", "подключение эквайринга"},
				"status_changed":      {"смена статуса", "изменение статуса", "статус изменен"},
			})},
		{name: "result", kind: kindCode, derivedFrom: []string{"kind"}, aliases: []string{
			"outcome", "результат", "итог", "результат звонка"}, values: spellings(map[string][]string{
			"no_answer":    {"нет ответа", "не отвечает", "не берет трубку", "недозвон", "no answer"},
			"busy":         {"занято"},
			"unreachable":  {"недоступен", "абонент недоступен", "вне зоны доступа"},
			"rejected":     {"сброс", "сбросил", "отклонен"},
			"voicemail":    {"автоответчик", "голосовая почта"},
			"wrong_number": {"неверный номер", "ошибочный номер"},
			"callback":     {"перезвонить", "просил перезвонить"},
		})},
		{name: "occurred_at", kind: kindDate, required: true, aliases: []string{
			"time", "date", "datetime", "at", "дата", "время", "дата и время", "дата события", "дата время",
			"время события"}},
	},
	finish: func(p *parser, vals []any) {
		// result is part of an event's natural key; NULL would never compare equal.
		if i := p.spec.index("result"); vals[i] == nil {
			vals[i] = ""
		}
	},
}

// finishClient splits several OKVED codes into the main one and okved_extra, and derives the legal form and the
// time zone when no column gave them.
func finishClient(p *parser, vals []any) {
	extra, _ := vals[clientOKVEDExtra].([]string)
	if codes, ok := vals[clientOKVED].([]string); ok {
		main := ""
		if len(codes) > 0 {
			main, extra = codes[0], append(codes[1:len(codes):len(codes)], extra...)
		}
		vals[clientOKVED] = main
	}
	if extra == nil {
		extra = []string{} // okved_extra is NOT NULL
	}
	vals[clientOKVEDExtra] = extra
	if form, _ := vals[clientLegalForm].(string); form == "" {
		name, _ := vals[clientCompanyName].(string)
		inn, _ := vals[clientINN].(string)
		vals[clientLegalForm] = legalFormOf(name, inn)
	}
	if tz, _ := vals[clientTimezone].(string); tz == "" {
		region, _ := vals[clientRegion].(string)
		vals[clientTimezone] = p.regionZones.get(region, regionZone)
	}
}

// Positions of clientSpec's fields that finishClient works with, looked up once.
var (
	clientINN         = clientSpec.index("inn")
	clientCompanyName = clientSpec.index("company_name")
	clientLegalForm   = clientSpec.index("legal_form")
	clientOKVED       = clientSpec.index("okved")
	clientOKVEDExtra  = clientSpec.index("okved_extra")
	clientRegion      = clientSpec.index("region")
	clientTimezone    = clientSpec.index("timezone")
)

// spellings turns canonical value → other spellings into a lookup of every normalised spelling, the canonical
// value's own included.
func spellings(m map[string][]string) map[string]string {
	out := map[string]string{}
	for value, others := range m {
		out[normalize(value)] = value
		for _, o := range others {
			out[normalize(o)] = value
		}
	}
	return out
}
