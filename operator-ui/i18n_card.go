package operatorui

// The client card's words (every code the product stores, as the console shows it), the refusal reasons'
// supervisor page and their report. In a file of their own, joined to the one catalog at start like
// i18n_console.go. The console's script gets every card.* text of the user's language with the page.
func init() {
	for key, texts := range cardCatalog {
		if _, dup := catalog[key]; dup {
			panic("operatorui: catalog key " + key + " is defined twice")
		}
		catalog[key] = texts
	}
}

// cardCodes lists, per kind of code, every value the product stores; TestEveryStoredCodeHasACardLabel checks that
// each has a label in both languages, and the browser test that none reaches the page raw.
var cardCodes = map[string][]string{
	"lead_status": {"new", "offered", "replied", "consented", "converted", "refused", "closed"},
	"app_status":  {"new", "in_progress", "meeting_booked", "account_opened", "rejected", "closed"},
	"event":       {"call_attempt", "call_answered", "meeting_booked", "meeting_held", "account_opened", "acquiring_connected", "status_changed"},
	"result":      {"no_answer", "busy", "unreachable", "rejected", "voicemail", "wrong_number", "callback"},
	"outbox":      {"queued", "sending", "sent", "failed", "cancelled", "held"},
	"source":      {"operator", "client", "import"},
	"product":     {"rko", "acquiring"},
	"channel":     {"site", "phone", "office", "partner", "api"},
	"segment":     {"micro", "small", "medium", "large"},
}

var cardCatalog = map[string]struct{ en, ru string }{
	"card.lead_status.new":       {"new", "новый"},
	"card.lead_status.offered":   {"written to", "отправлено предложение"},
	"card.lead_status.replied":   {"replied", "ответил"},
	"card.lead_status.consented": {"consented", "согласился"},
	"card.lead_status.converted": {"converted", "стал клиентом"},
	"card.lead_status.refused":   {"refused", "отказался"},
	"card.lead_status.closed":    {"closed by the bank", "закрыт банком"},

	"card.app_status.new":            {"new", "новая"},
	"card.app_status.in_progress":    {"in progress", "в работе"},
	"card.app_status.meeting_booked": {"meeting booked", "назначена встреча"},
	"card.app_status.account_opened": {"account opened", "счёт открыт"},
	"card.app_status.rejected":       {"rejected", "отклонена"},
	"card.app_status.closed":         {"closed", "закрыта"},

	"card.event.call_attempt":        {"Call attempt", "Звонок"},
	"card.event.call_answered":       {"Call answered", "Дозвонились"},
	"card.event.meeting_booked":      {"Meeting booked", "Назначена встреча"},
	"card.event.meeting_held":        {"Meeting held", "Встреча проведена"},
	"card.event.account_opened":      {"Account opened", "Счёт открыт"},
	"card.event.acquiring_connected": {"Acquiring connected", "Эквайринг подключён"},
	"card.event.status_changed":      {"Status changed", "Смена статуса"},

	"card.result.no_answer":    {"no answer", "не ответил"},
	"card.result.busy":         {"busy", "занято"},
	"card.result.unreachable":  {"unreachable", "недоступен"},
	"card.result.rejected":     {"hung up", "сбросил"},
	"card.result.voicemail":    {"voicemail", "автоответчик"},
	"card.result.wrong_number": {"wrong number", "неверный номер"},
	"card.result.callback":     {"asked to call back", "просил перезвонить"},

	"card.outbox.queued":    {"queued", "в очереди"},
	"card.outbox.sending":   {"sending", "отправляется"},
	"card.outbox.sent":      {"delivered", "доставлено"},
	"card.outbox.failed":    {"not delivered", "не доставлено"},
	"card.outbox.cancelled": {"cancelled", "отменено"},
	"card.outbox.held":      {"held (quiet hours or limits)", "задержано (тихие часы или лимиты)"},

	"card.source.operator": {"by an operator", "оператором"},
	"card.source.client":   {"by the client (button)", "клиентом (кнопка)"},
	"card.source.import":   {"by the bank's systems", "системами банка"},

	"card.product.rko":       {"Business account (RKO)", "РКО"},
	"card.product.acquiring": {"Internet acquiring", "Интернет-эквайринг"},

	"card.channel.site":    {"website", "сайт"},
	"card.channel.phone":   {"phone", "телефон"},
	"card.channel.office":  {"office", "офис"},
	"card.channel.partner": {"partner", "партнёр"},
	"card.channel.api":     {"API", "API"},

	"card.segment.micro":  {"micro business", "микробизнес"},
	"card.segment.small":  {"small business", "малый бизнес"},
	"card.segment.medium": {"medium business", "средний бизнес"},
	"card.segment.large":  {"large business", "крупный бизнес"},

	"card.csat":         {"rating %s of 5", "оценка %s из 5"},
	"card.manager":      {"manager %s", "менеджер %s"},
	"card.no_reason":    {"reason not given", "причина не указана"},
	"card.reason_label": {"Reason", "Причина"},

	// The right column's tabs.
	"console.tab_card":    {"Card", "Карточка"},
	"console.tab_scripts": {"Scripts", "Скрипты"},
	"console.tab_offers":  {"Offers", "Предложения"},

	// The refusal form in the console.
	"console.field_reason_id": {"Reason for the refusal", "Причина отказа"},
	"console.field_comment":   {"Comment (optional)", "Комментарий (необязательно)"},
	"console.reason_pick":     {"— choose a reason —", "— выберите причину —"},
	"console.err_no_reason":   {"Choose a reason from the list (this one was switched off).", "Выберите причину из списка (эта отключена)."},

	// The supervisors' list of refusal reasons (/refusal-reasons).
	"nav.refusal_reasons":   {"Refusal reasons", "Причины отказа"},
	"refusals.title":        {"Refusal reasons", "Причины отказа"},
	"refusals.lead":         {"The reasons an operator picks when a client refuses, in this order. Switch off a reason you no longer want: refusals already recorded keep it.", "Причины, из которых оператор выбирает при отказе клиента, в этом порядке. Ненужную причину отключите: уже записанные отказы её сохранят."},
	"refusals.label_ru":     {"Label in Russian", "Название по-русски"},
	"refusals.label_en":     {"Label in English", "Название по-английски"},
	"refusals.position":     {"Order", "Порядок"},
	"refusals.active":       {"Offered to operators", "Предлагается операторам"},
	"refusals.save":         {"Save", "Сохранить"},
	"refusals.add":          {"Add a reason", "Добавить причину"},
	"refusals.saved":        {"Saved: %s", "Сохранено: %s"},
	"refusals.err_label_ru": {"A label of 1-80 characters is required.", "Нужно название от 1 до 80 символов."},
	"refusals.err_label_en": {"A label of 1-80 characters is required.", "Нужно название от 1 до 80 символов."},
	"refusals.err_position": {"A number from 0 to 100000.", "Число от 0 до 100000."},
	"refusals.report_link":  {"Refusals by reason", "Отказы по причинам"},

	// Their report (/reports/refusals).
	"refusals.report_title": {"Refusals by reason", "Отказы по причинам"},
	"refusals.report_lead":  {"Refusals recorded in the period, by reason and lead kind.", "Отказы, записанные за период, по причинам и типам лидов."},
	"refusals.reason":       {"Reason", "Причина"},
	"refusals.unclassified": {"Not classified (free text, before the list)", "Без причины из списка (свободный текст)"},
	"refusals.no_lead":      {"No lead", "Без лида"},
	"refusals.total":        {"Total", "Итого"},
	"refusals.none":         {"No refusals in this period.", "За период отказов нет."},
}
