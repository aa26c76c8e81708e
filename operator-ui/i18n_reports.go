package operatorui

import "fmt"

// reportsCatalog is the conversion report's part of the catalog (the page and its Excel file), added to catalog at
// start like the supervisor's.
var reportsCatalog = map[string]struct{ en, ru string }{
	"nav.reports": {"Conversion", "Конверсия"},

	"reports.lead":         {"Leads a campaign wrote to in the period and what became of them since, the operators' work and the team's service, against the bank's reference figures.", "Лиды, которым кампании написали за период, и что с ними стало после; работа операторов и сервис команды — в сравнении с эталонными показателями банка."},
	"reports.from":         {"From", "С"},
	"reports.to":           {"To (included)", "По (включительно)"},
	"reports.show":         {"Show", "Показать"},
	"reports.days_n":       {"%d days", "%d дней"},
	"reports.export":       {"Export to Excel", "Выгрузить в Excel"},
	"reports.bad_date":     {"Dates must be days like 2026-11-23: pick both in the calendar.", "Даты нужны в виде 2026-11-23: выберите обе в календаре."},
	"reports.bad_order":    {"The period ends before it begins: swap the dates.", "Период заканчивается раньше, чем начинается: поменяйте даты местами."},
	"reports.too_long":     {"The period is longer than a year: pick a shorter one.", "Период длиннее года: выберите короче."},
	"reports.by_kind":      {"Funnel by lead kind", "Воронка по типам лидов"},
	"reports.by_kind_note": {"Replied is a share of the leads written to; consent a share of those who replied; converted a share of consents for missed calls and of those who replied for the other kinds. Each share has the bank's reference beside it: green when it meets it or is within a point, red when it is more than a point under.", "Ответили — доля от лидов, которым написали; согласие — доля от ответивших; конверсия — доля от согласий для недозвонов и от ответивших для остальных типов. Рядом с каждой долей — эталон банка: зелёным, если достигнут или отстаём не больше чем на пункт, красным — если отстаём больше."},
	"reports.by_campaign":  {"Funnel by campaign", "Воронка по кампаниям"},
	"reports.no_campaigns": {"No campaign wrote to anyone in this period.", "За этот период кампании никому не писали."},
	"reports.operators":    {"Operators", "Операторы"},
	"reports.operators_note": {"Dialogs they closed or answered in the period; client messages written in it that they answered; ratings of the dialogs they closed.",
		"Диалоги, которые оператор закрыл или в которых отвечал за период; сообщения клиентов за период, на которые он ответил; оценки закрытых им диалогов."},
	"reports.no_operators":    {"No operators yet.", "Операторов пока нет."},
	"reports.service":         {"Service by day", "Сервис по дням"},
	"reports.service_note":    {"Client messages written that day and answered, the share answered within 60 seconds, and the clients' ratings given that day.", "Сообщения клиентов за день, получившие ответ, доля ответов в первые 60 секунд и оценки клиентов за день."},
	"reports.total":           {"Total", "Итого"},
	"reports.reference":       {"Reference", "Эталон"},
	"reports.ref":             {"ref. %s", "эталон %s"},
	"reports.meets":           {"meets the reference", "эталон достигнут"},
	"reports.under":           {"under the reference", "ниже эталона"},
	"reports.kind":            {"Lead kind", "Тип лида"},
	"reports.campaign":        {"Campaign", "Кампания"},
	"reports.written":         {"Written to", "Написали"},
	"reports.replied":         {"Replied", "Ответили"},
	"reports.consented":       {"Consented", "Согласились"},
	"reports.converted":       {"Converted", "Конверсия"},
	"reports.reply_share":     {"Replied, %", "Ответили, %"},
	"reports.consent_share":   {"Consent, % of replied", "Согласие, % от ответивших"},
	"reports.convert_share":   {"Converted, %", "Конверсия, %"},
	"reports.of_consents":     {"of consents", "от согласий"},
	"reports.of_replied":      {"of replied", "от ответивших"},
	"reports.ref_reply":       {"Reference: replied, %", "Эталон: ответили, %"},
	"reports.ref_consent":     {"Reference: consent, %", "Эталон: согласие, %"},
	"reports.ref_convert":     {"Reference: converted, %", "Эталон: конверсия, %"},
	"reports.operator":        {"Operator", "Оператор"},
	"reports.dialogs":         {"Dialogs", "Диалоги"},
	"reports.answered":        {"Messages answered", "Отвечено сообщений"},
	"reports.in_60":           {"Within 60 s, %", "За 60 с, %"},
	"reports.median":          {"Median response", "Медиана ответа"},
	"reports.median_s":        {"Median response, s", "Медиана ответа, с"},
	"reports.consents":        {"Consents", "Согласия"},
	"reports.conversions":     {"Conversions", "Конверсии"},
	"reports.ratings":         {"Ratings", "Оценки"},
	"reports.average":         {"Average rating", "Средняя оценка"},
	"reports.top":             {"Rated 5, %", "Оценка 5, %"},
	"reports.day":             {"Day", "День"},
	"reports.sheet_kinds":     {"Funnel by kind", "Воронка по типам"},
	"reports.sheet_campaigns": {"By campaign", "По кампаниям"},
	"reports.sheet_operators": {"Operators", "Операторы"},
	"reports.sheet_days":      {"Service by day", "Сервис по дням"},
	"reports.period_cell":     {"Period", "Период"},
}

func init() {
	for k, v := range reportsCatalog {
		if _, dup := catalog[k]; dup {
			panic(fmt.Sprintf("operatorui: catalog key %s is defined twice", k))
		}
		catalog[k] = v
	}
}
