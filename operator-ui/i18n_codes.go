package operatorui

import (
	"strings"

	"dozvon/internal/msg"
)

// codesRU is the Russian of every message the engines raise (internal/msg): each engine registers a code's
// English next to where it raises it, and both join the catalog at start, so a page renders an engine's refusal
// the way it renders its own words. TestEveryMessageCodeHasBothLanguages checks that no code lacks one.
var codesRU = map[string]string{
	// campaigns: the audience, the form, the status.
	"campaigns.min_age":              "минимальный возраст лида — от %d до %d часов",
	"campaigns.send_cancelled":       "кампания отменена",
	"campaigns.max_age":              "максимальный возраст лида — от %d до %d дней",
	"campaigns.attempts":             "число звонков — от %d до %d",
	"campaigns.okved":                "%q — не код ОКВЭД (например, 47.91 или 56)",
	"campaigns.does_not_run":         "кампания в статусе «%s» не запускается",
	"campaigns.schedule_only_active": "по расписанию запускаются только активные кампании",
	"campaigns.cannot_become":        "кампанию в статусе «%s» нельзя перевести в статус «%s»",
	"campaigns.unknown_status":       "неизвестный статус %s",
	"campaigns.status_draft":         "черновик",
	"campaigns.status_active":        "активна",
	"campaigns.status_paused":        "приостановлена",
	"campaigns.status_cancelled":     "отменена",
	"campaigns.name_length":          "укажите название длиной от %d до %d {#2 символа|символов|символов}",
	"campaigns.lead_kind":            "выберите вид лидов: недозвоны, фоллоу-апы или эквайринг",
	"campaigns.not_time":             "%q — не время (пример: 21:00)",
	"campaigns.frequency_cap":        "допустимо от %d до %d {#2 дня|дней|дней}",
	"campaigns.invite_webhook":       "укажите адрес SMS-шлюза, начинающийся с http:// или https://",

	// campaigns: the template and its buttons.
	"campaigns.body_empty":       "введите текст сообщения",
	"campaigns.template_parse":   "в шаблоне ошибка: %s",
	"campaigns.unknown_variable": "неизвестная переменная %s; используйте одну из этих: %s",
	"campaigns.only_variables":   "допустимы только переменные вида {{.Company}}, а не %s",
	"campaigns.buttons_max":      "не больше %d {#1 кнопки|кнопок|кнопок}",
	"campaigns.button_no_text":   "у кнопки %d нет текста",
	"campaigns.button_long":      "кнопка %q длиннее %d {#2 символа|символов|символов}",
	"campaigns.button_no_action": "у кнопки %q не выбрано действие",
	"campaigns.button_no_reply":  "для кнопки %q нужен текст автоответа",
	"campaigns.html":             "%s",
	"campaigns.only_formatting":  "в сообщении нет текста, только оформление",
	"campaigns.text_too_long":    "длина текста — %d {#1 символ|символа|символов}, а Telegram допускает не больше %d",

	"campaigns.template_detail":     "%s",
	"campaigns.template_unclosed":   "не закрыты фигурные скобки {{ }}",
	"campaigns.template_eof":        "текст оборвался на незакрытой конструкции",
	"campaigns.template_function":   "функции %s нет",
	"campaigns.template_unexpected": "неожиданный символ %s в конструкции %s",
	"campaigns.template_bad_char":   "недопустимый символ %s",

	"campaigns.not_schedule":    `%q — не расписание: %s (пример: "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — по будням в 10:00)`,
	"campaigns.schedule_often":  "%q срабатывает каждые %s; между запусками нужно не меньше %d {#3 минуты|минут|минут}",
	"campaigns.cron_detail":     "%s",
	"campaigns.cron_empty":      "пустое выражение",
	"campaigns.cron_location":   "неизвестный часовой пояс %s",
	"campaigns.cron_fields":     "нужно ровно %d {#1 поле|поля|полей}, а найдено %d: %s",
	"campaigns.cron_fields_opt": "нужно от %d до %d {#2 поля|полей|полей}, а найдено %d: %s",
	"campaigns.cron_hyphens":    "слишком много дефисов: %s",
	"campaigns.cron_slashes":    "слишком много косых черт: %s",
	"campaigns.cron_below":      "начало диапазона (%d) меньше наименьшего значения (%d): %s",
	"campaigns.cron_above":      "конец диапазона (%d) больше наибольшего значения (%d): %s",
	"campaigns.cron_beyond":     "начало диапазона (%d) больше его конца (%d): %s",
	"campaigns.cron_step":       "шаг должен быть положительным числом: %s",
	"campaigns.cron_not_int":    "%s — не число",
	"campaigns.cron_negative":   "отрицательное число (%d) недопустимо: %s",
	"campaigns.cron_descriptor": "неизвестное обозначение %s",
	"campaigns.cron_duration":   "%s — не промежуток времени",

	"campaigns.rules_missed_attempts": "недозвоны: число звонков — от %d до %d",
	"campaigns.rules_missed_age":      "недозвоны: возраст — от %d до %d дней",
	"campaigns.rules_follow_days":     "фоллоу-апы: число дней — от %d до %d",
	"campaigns.rules_follow_wait":     "фоллоу-апы: наибольший срок — от числа дней до %d",
	"campaigns.rules_acquiring_days":  "эквайринг: число дней — от %d до %d",
	"campaigns.rules_okved_empty":     "эквайринг: список кодов ОКВЭД пуст",
	"campaigns.rules_okved":           "эквайринг: %q — не код ОКВЭД (например, 47.91 или 56)",

	// messenger: what Telegram would refuse, checked before sending, and what it did refuse.
	"messenger.bad_phone":          "не номер телефона",
	"messenger.no_chat":            "не указан чат",
	"messenger.no_bot":             "не указан бот",
	"messenger.unknown_channel":    "неизвестный мессенджер %q",
	"messenger.html":               "%s",
	"messenger.text_empty":         "текст пуст",
	"messenger.text_too_long":      "длина текста — %d {#1 символ|символа|символов}, а %s допускает не больше %d",
	"messenger.button_no_text":     "у кнопки нет текста",
	"messenger.button_no_action":   "у кнопки %q нет действия: нужны данные для бота или ссылка",
	"messenger.button_two_actions": "у кнопки %q больше одного действия: данные для бота, ссылка и запрос номера телефона исключают друг друга",
	"messenger.button_data_long":   "данные кнопки %q занимают %d {#2 байт|байта|байт}, а %s допускает не больше %d",
	"messenger.telegram_refused":   "Telegram отказал (%s, %d): %s",
	"messenger.client_blocked":     "клиент заблокировал бота",
	"messenger.client_opted_out":   "клиент отказался от рассылок",
	"messenger.sender_stopped":     "отправка остановилась до этого сообщения; оно уйдёт снова",
	"messenger.flood_wait":         "ограничение частоты мессенджера: повтор через %d {#1 секунду|секунды|секунд}",

	"messenger.html_at":                "%s (строка %d, символ %d)",
	"messenger.html_not_closed":        "тег %s не закрыт",
	"messenger.html_unknown_entity":    "Telegram покажет %s как есть: он понимает только &lt; &gt; &amp; &quot; и числовые ссылки (&#8381;)",
	"messenger.html_no_gt":             "у тега %s нет закрывающей «>»",
	"messenger.html_closes_nothing":    "тег %s ничего не закрывает",
	"messenger.html_wrong_close":       "тег %s не закрывает открытый %s",
	"messenger.html_emoji_empty":       "внутри тега <tg-emoji> нужен обычный эмодзи: он виден там, где свои эмодзи не показываются",
	"messenger.html_bare_lt":           "«<» не начинает тег: чтобы показать этот знак, напишите &lt;",
	"messenger.html_unsupported":       "Telegram не поддерживает тег %s",
	"messenger.html_bad_attribute":     "у тега %s неверно записан атрибут",
	"messenger.html_ignored_attribute": "Telegram не учитывает атрибут %s тега %s",
	"messenger.html_span_class":        `тегу <span> нужен атрибут class="tg-spoiler"`,
	"messenger.html_emoji_id":          `тегу <tg-emoji> нужен атрибут emoji-id="…" с номером эмодзи`,
	"messenger.html_time_unix":         `тегу <tg-time> нужен атрибут unix="…" со временем в формате Unix`,
	"messenger.html_time_format":       "у тега <tg-time> формат %q; Telegram допускает r либо w, d или D, t или T в этом порядке",
	"messenger.html_link_no_href":      `у ссылки <a> нет адреса href="…"`,
	"messenger.html_code_class":        "Telegram не учитывает атрибут class тега <code>, если это не language-…",
	"messenger.html_code_language":     `язык в <code> указывается только так: <pre><code class="language-…">`,
	"messenger.html_not_inside":        "Telegram не покажет тег %s внутри %s",

	// imports: why a value of a row was rejected (the field and the value are shown before it).
	"imports.too_long":            "длиннее %d {#1 символа|символов|символов}",
	"imports.check_digit":         "неверная контрольная цифра",
	"imports.inn_digits":          "нужно 10 или 12 цифр",
	"imports.not_phone":           "не номер телефона",
	"imports.not_email":           "не адрес электронной почты",
	"imports.not_okved":           "не код ОКВЭД (например, 47.91)",
	"imports.not_one_of":          "допустимые значения: %s",
	"imports.not_date":            "не дата (например, 02.01.2006, 02.01.2006 15:04 или 2006-01-02T15:04:05+03:00)",
	"imports.year":                "год должен быть от %d до %d",
	"imports.not_zone":            "не часовой пояс (например, Europe/Moscow, Asia/Vladivostok, МСК+7 или UTC+10)",
	"imports.required":            "обязательное поле не заполнено",
	"imports.bad_text":            "не читается как текст (возможно, файл в другой кодировке)",
	"imports.unknown_client":      "такого клиента нет",
	"imports.unknown_application": "такой заявки нет",
	"imports.not_scalar":          "должно быть строкой, числом или логическим значением",
	"imports.not_object":          "должно быть объектом",
	"imports.not_field":           "такого поля нет в наборе %s (%s)",

	"imports.stopped_here":    "здесь чтение файла остановилось: %s",
	"imports.line":            "строка %d: %s",
	"imports.csv_quote":       "лишняя или незакрытая кавычка в поле",
	"imports.csv_bare_quote":  "кавычка внутри поля без кавычек",
	"imports.csv_field_count": "не то число полей",
	"imports.unexpected_eof":  "файл оборвался на незакрытой конструкции",
	"imports.not_zip":         "это не книга Excel в формате .xlsx",
	"imports.canceled":        "отменено",
	"imports.deadline":        "истекло время ожидания",
	"imports.detail":          "%s",

	// imports: why a file cannot be imported as chosen (the preview's and the import page's banner).
	"imports.empty":                 "файл пуст",
	"imports.read_file":             "файл не читается: %s",
	"imports.read_file_as":          "файл не читается в кодировке %s: %s",
	"imports.read_header":           "не читается строка заголовков: %s",
	"imports.open_workbook":         "книга Excel не открывается: %s",
	"imports.read_named_sheet":      "лист %q не читается: %s",
	"imports.read_sheet":            "лист не читается: %s",
	"imports.read_row":              "строка %d не читается: %s",
	"imports.unknown_encoding":      "неизвестная кодировка %q (допустимы utf8 и cp1251)",
	"imports.unknown_encoding_auto": "неизвестная кодировка %q (допустимы utf8, cp1251 и auto)",
	"imports.unknown_delimiter":     "неизвестный разделитель %q (допустимы ';', ',', табуляция, '|' и auto)",
	"imports.unknown_dataset":       "неизвестный набор данных %q (допустимы clients, applications и events)",
	"imports.unknown_format":        "неизвестный формат %q (допустимы csv и xlsx)",
	"imports.legacy_excel":          "это книга Excel 97–2003 (.xls) или книга с паролем; сохраните её как .xlsx или CSV",
	"imports.not_mapped":            "%s: не выбраны колонки для полей %s (колонки файла: %s)",
	"imports.mapping_no_column":     "в сопоставлении указана колонка %q, которой в файле нет",
	"imports.mapping_not_field":     "колонка %q сопоставлена с %q, но такого поля нет в наборе %s (%s)",
	"imports.mapping_twice":         "колонки %q и %q обе сопоставлены с %s",
	"imports.stopped":               "%s: импорт прерван: %s",
	"imports.upload_too_large":      "файл слишком большой",
	"imports.no_upload":             "такой загрузки нет",
	"imports.no_import":             "такого импорта нет",

	// dialog: routing, scripts, offers, messages, outcomes, presence, alarms, QA.
	"dialog.route_target":     "выберите оператора или очередь",
	"dialog.no_queue":         "очереди %d нет",
	"dialog.no_such_queue":    "такой очереди нет",
	"dialog.title_length":     "укажите название длиной от %d до %d {#2 символа|символов|символов}",
	"dialog.script_empty":     "введите текст скрипта",
	"dialog.offer_empty":      "введите текст предложения",
	"dialog.body_too_long":    "не больше %d {#1 символа|символов|символов} — как в одном сообщении Telegram",
	"dialog.script_kind":      "выберите недозвоны, фоллоу-апы, эквайринг или все виды",
	"dialog.shortcut_format":  "до %d строчных латинских букв, цифр, _ или -",
	"dialog.shortcut_taken":   "/%s уже занято другим скриптом",
	"dialog.unknown_variable": "неизвестная переменная %s; используйте одну из этих: %s",
	"dialog.offer_product":    "выберите РКО, эквайринг или ничего",
	"dialog.message_empty":    "введите сообщение",
	"dialog.note_empty":       "введите текст заметки",
	"dialog.refused":          "%s",
	"dialog.unknown_outcome":  "неизвестный результат %q",
	"dialog.product":          "выберите РКО или эквайринг",
	"dialog.product_required": "укажите, на какой продукт согласился клиент",
	"dialog.reason_required":  "укажите причину отказа",
	"dialog.time_required":    "укажите время",
	"dialog.time_past":        "время должно быть в будущем",
	"dialog.no_client":        "в диалоге нет клиента, которого можно передать выездному менеджеру",
	"dialog.label_length":     "укажите название длиной от %d до %d {#2 символа|символов|символов}",
	"dialog.position":         "укажите число от %d до %d",
	"dialog.presence":         "выберите статус: в сети, отошёл или не в сети",
	"dialog.presence_away":    "выберите статус: отошёл или не в сети",
	"dialog.capacity":         "допустимо от %d до %d",
	"dialog.alarm_threshold":  "от %d до %d",
	"dialog.qa_missing":       "ответьте на каждый пункт чек-листа: нет ответа на %q",
	"dialog.qa_unknown":       "%q — не пункт чек-листа",
	"dialog.at_most_chars":    "не больше %d {#1 символа|символов|символов}",

	// auth: users, passwords and API tokens (the account and users pages).
	"auth.login_format":    "от %d до %d строчных латинских букв, цифр, '.', '_' или '-'",
	"auth.role":            "допустимые значения: %s",
	"auth.locale":          "выберите ru или en",
	"auth.at_most_chars":   "не длиннее %d {#1 символа|символов|символов}",
	"auth.at_least_chars":  "не короче %d {#1 символа|символов|символов}",
	"auth.at_most_bytes":   "не длиннее %d {#1 байта|байт|байт}",
	"auth.chars_between":   "от %d до %d символов",
	"auth.scopes_required": "выберите, что можно делать с этим токеном",
	"auth.unknown_scope":   "неизвестное право %q",
	"auth.not_zone":        "не часовой пояс (например, Europe/Moscow, Asia/Vladivostok)",
}

func init() {
	part := make(map[string]struct{ en, ru string }, len(codesRU))
	for code, ru := range codesRU {
		en, _ := msg.EnglishOf(code)
		part[code] = struct{ en, ru string }{en, ru}
	}
	addCatalog(part)
}

// errText is err for a person in locale: a coded message (the first in err's chain) from the catalog, anything
// else in its own words.
func errText(locale string, err error) string {
	m, ok := msg.As(err)
	if !ok {
		return err.Error()
	}
	return msgText(locale, m)
}

// msgText renders a coded message in locale; a code the catalog lacks shows in the engine's English.
func msgText(locale string, m *msg.Error) string {
	return msg.Render(m, locale, func(code string) (string, bool) {
		if c, ok := catalog[code]; ok {
			if locale == "en" {
				return c.en, true
			}
			return c.ru, true
		}
		return msg.EnglishOf(code)
	})
}

// messageOr is m in locale, or english (an engine's words kept before it gave codes) when m is nil.
func messageOr(locale string, m *msg.Error, english string) string {
	if m == nil {
		return strings.TrimPrefix(english, "imports: ")
	}
	return msgText(locale, m)
}
