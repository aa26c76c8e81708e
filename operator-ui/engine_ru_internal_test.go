package operatorui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"dozvon/campaigns"
	"dozvon/campaigns/imports"
	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/messenger"
)

// Each sample is a message exactly as an engine writes it, with realistic values; every row of engineRules has
// one, so a row whose English drifted from the engine's is caught here or by the next test.
var engineSamples = []struct{ en, ru string }{
	{"the minimum lead age must be 0-8760 hours", "минимальный возраст лида — от 0 до 8760 часов"},
	{"the maximum lead age must be 0-365 days", "максимальный возраст лида — от 0 до 365 дней"},
	{"call attempts must be 0-20", "число звонков — от 0 до 20"},
	{`"47,91" is not an OKVED code (e.g. 47.91 or 56)`, `"47,91" — не код ОКВЭД (например, 47.91 или 56)`},
	{"a paused campaign does not run", "кампания в статусе «приостановлена» не запускается"},
	{"only active campaigns run on schedule", "по расписанию запускаются только активные кампании"},
	{"a cancelled campaign cannot become active", "кампанию в статусе «отменена» нельзя перевести в статус «активна»"},
	{"unknown status archived", "неизвестный статус archived"},
	{"a name of 1-120 characters is required", "укажите название длиной от 1 до 120 символов"},
	{"choose the kind of leads: missed calls, follow-ups or acquiring", "выберите вид лидов: недозвоны, фоллоу-апы или эквайринг"},
	{`"25:00" is not a time like 21:00`, `"25:00" — не время (пример: 21:00)`},
	{"must be between 0 and 90 days", "допустимо от 0 до 90 дней"},
	{"must be an http(s) URL of the SMS gateway", "укажите адрес SMS-шлюза, начинающийся с http:// или https://"},
	{"the message text is empty", "введите текст сообщения"},
	{"the template does not parse: unclosed action", "в шаблоне ошибка: не закрыты фигурные скобки {{ }}"},
	{"the template does not parse: unexpected EOF", "в шаблоне ошибка: текст оборвался на незакрытой конструкции"},
	{`the template does not parse: function "upper" not defined`, `в шаблоне ошибка: функции "upper" нет`},
	{`the template does not parse: unexpected "}" in operand`, `в шаблоне ошибка: неожиданный символ "}" в конструкции operand`},
	{"unknown variable .Name; use one of {{.ClientName}}, {{.Company}}, {{.INN}}, {{.Region}}, {{.Manager}}",
		"неизвестная переменная .Name; используйте одну из этих: {{.ClientName}}, {{.Company}}, {{.INN}}, {{.Region}}, {{.Manager}}"},
	{"only variables like {{.Company}} are allowed, not {{if .Company}}", "допустимы только переменные вида {{.Company}}, а не {{if .Company}}"},
	{`Telegram does not support the tag <div class="x">`, `Telegram не поддерживает тег <div class="x">`},
	{"the tag </i> closes nothing that is open", "тег </i> ничего не закрывает"},
	{"the tag <b> is not closed", "тег <b> не закрыт"},
	{"the tag <b> is not closed (line 3, character 7)", "тег <b> не закрыт (строка 3, символ 7)"},
	{"Telegram does not support the tag <div> (line 1, character 1)", "Telegram не поддерживает тег <div> (строка 1, символ 1)"},
	{"the message has no text, only formatting", "в сообщении нет текста, только оформление"},
	{`"<" starts no tag: write &lt; to show the sign`, "«<» не начинает тег: чтобы показать этот знак, напишите &lt;"},
	{"the tag </i> does not close the open <b>", "тег </i> не закрывает открытый <b>"},
	{`the tag </b has no closing ">"`, "у тега </b нет закрывающей «>»"},
	{"the tag <a> has a malformed attribute", "у тега <a> неверно записан атрибут"},
	{`the tag <span> needs class="tg-spoiler"`, `тегу <span> нужен атрибут class="tg-spoiler"`},
	{`the tag <tg-emoji> needs emoji-id="…" with the custom emoji's number`, `тегу <tg-emoji> нужен атрибут emoji-id="…" с номером эмодзи`},
	{"the tag <tg-emoji> needs an emoji inside, shown where custom emoji are not", "внутри тега <tg-emoji> нужен обычный эмодзи: он виден там, где свои эмодзи не показываются"},
	{`the tag <tg-time> needs unix="…" with a Unix time`, `тегу <tg-time> нужен атрибут unix="…" со временем в формате Unix`},
	{`the tag <tg-time> has format "Td"; Telegram takes r, or w, d or D, t or T in this order`,
		`у тега <tg-time> формат "Td"; Telegram допускает r либо w, d или D, t или T в этом порядке`},
	{"Telegram shows &nbsp; as typed: it knows only &lt; &gt; &amp; &quot; and numeric references (&#8381;)",
		"Telegram покажет &nbsp; как есть: он понимает только &lt; &gt; &amp; &quot; и числовые ссылки (&#8381;)"},
	{"Telegram ignores the attribute class of the tag <code> unless it is language-…", "Telegram не учитывает атрибут class тега <code>, если это не language-…"},
	{"Telegram ignores the attribute style of the tag <b>", "Telegram не учитывает атрибут style тега <b>"},
	{`the link <a> has no href="…"`, `у ссылки <a> нет адреса href="…"`},
	{`the language of <code> works only as <pre><code class="language-…">`, `язык в <code> указывается только так: <pre><code class="language-…">`},
	{"Telegram does not show the tag <b> inside <code>", "Telegram не покажет тег <b> внутри <code>"},
	{"at most 4 buttons", "не больше 4 кнопок"},
	{"button 2 has no text", "у кнопки 2 нет текста"},
	{`button "Оформить счёт прямо сейчас без визита в отделение" is longer than 40 characters`,
		`кнопка "Оформить счёт прямо сейчас без визита в отделение" длиннее 40 символов`},
	{`button "Подробнее" has no action`, `у кнопки "Подробнее" не выбрано действие`},
	{`button "Тарифы" needs the text of its auto-reply`, `для кнопки "Тарифы" нужен текст автоответа`},
	{`"every day" is not a schedule: expected exactly 5 fields, found 2: [every day] (e.g. "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — weekdays at 10:00)`,
		`"every day" — не расписание: нужно ровно 5 полей, а найдено 2: [every day] (пример: "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — по будням в 10:00)`},
	{`"* * * * *" runs every 1m0s; runs must be at least 15 minutes apart`, `"* * * * *" срабатывает каждые 1m0s; между запусками нужно не меньше 15 минут`},
	{"missed calls: attempts must be 0-20", "missed calls: attempts must be 0-20"}, // not the engine's words: stays
	{"missed calls: attempts must be 1-20; acquiring: the OKVED list is empty",
		"недозвоны: число звонков — от 1 до 20; эквайринг: список кодов ОКВЭД пуст"},
	{"missed calls: age must be 1-365 days", "недозвоны: возраст — от 1 до 365 дней"},
	{"follow-ups: days must be 1-90", "фоллоу-апы: число дней — от 1 до 90"},
	{"follow-ups: the longest wait must be between the days and 365", "фоллоу-апы: наибольший срок — от числа дней до 365"},
	{"acquiring: days must be 1-365", "эквайринг: число дней — от 1 до 365"},
	{`acquiring: "4791" is not an OKVED code (e.g. 47.91 or 56)`, `эквайринг: "4791" — не код ОКВЭД (например, 47.91 или 56)`},
	{"empty spec string", "пустое выражение"},
	{"provided bad location Europe/Moskva: unknown time zone Europe/Moskva", "неизвестный часовой пояс Europe/Moskva"},
	{"expected 5 to 6 fields, found 3: [0 10 *]", "нужно от 5 до 6 полей, а найдено 3: [0 10 *]"},
	{"too many hyphens: 1-2-3", "слишком много дефисов: 1-2-3"},
	{"too many slashes: */5/2", "слишком много косых черт: */5/2"},
	{"beginning of range (0) below minimum (1): 0-5", "начало диапазона (0) меньше наименьшего значения (1): 0-5"},
	{"end of range (70) above maximum (59): 0-70", "конец диапазона (70) больше наибольшего значения (59): 0-70"},
	{"beginning of range (5) beyond end of range (2): 5-2", "начало диапазона (5) больше его конца (2): 5-2"},
	{"step of range should be a positive number: */0", "шаг должен быть положительным числом: */0"},
	{`failed to parse int from ten: strconv.Atoi: parsing "ten": invalid syntax`, "ten — не число"},
	{"negative number (-1) not allowed: -1", "отрицательное число (-1) недопустимо: -1"},
	{"unrecognized descriptor: @fortnightly", "неизвестное обозначение @fortnightly"},
	{`failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"`, "@every 5x — не промежуток времени"},

	{"choose an operator or a queue", "выберите оператора или очередь"},
	{"no queue 17", "очереди 17 нет"},
	{"a title of 1-120 characters is required", "укажите название длиной от 1 до 120 символов"},
	{"the script is empty", "введите текст скрипта"},
	{"the offer is empty", "введите текст предложения"},
	{"at most 4096 characters, as in one Telegram message", "не больше 4096 символов — как в одном сообщении Telegram"},
	{"choose missed calls, follow-ups, acquiring or every kind", "выберите недозвоны, фоллоу-апы, эквайринг или все виды"},
	{"up to 32 lowercase letters, digits, _ or -", "до 32 строчных латинских букв, цифр, _ или -"},
	{"/tariffs is already another script's shortcut", "/tariffs уже занято другим скриптом"},
	{"the message is empty", "введите сообщение"},
	{"the note is empty", "введите текст заметки"},
	{`unknown outcome "maybe"`, `неизвестный результат "maybe"`},
	{"must be rko or acquiring", "выберите РКО или эквайринг"},
	{"say which product the client agreed to", "укажите, на какой продукт согласился клиент"},
	{"say why the client refused", "укажите причину отказа"},
	{"set the time", "укажите время"},
	{"the time must be in the future", "время должно быть в будущем"},
	{"the conversation has no client to hand over to a field manager", "в диалоге нет клиента, которого можно передать выездному менеджеру"},
	{"must be online, away or offline", "выберите статус: в сети, отошёл или не в сети"},
	{"must be away or offline", "выберите статус: отошёл или не в сети"},
	{"must be between 1 and 50", "допустимо от 1 до 50"},
	{"no such queue", "такой очереди нет"},
	{"not a date and time", "укажите дату и время"},
	{"not a queue id", "такой очереди нет"},

	{"no chat", "не указан чат"},
	{"no bot", "не указан бот"},
	{`unknown channel "icq"`, `неизвестный мессенджер "icq"`},
	{"the text is 4050 characters, MAX allows 4000", "длина текста — 4050, а MAX допускает не больше 4000 символов"},
	{"the text is empty", "текст пуст"},
	{"the text is 4097 characters, Telegram allows 4096", "длина текста — 4097, а Telegram допускает не больше 4096 символов"},
	{"a button has no text", "у кнопки нет текста"},
	{`button "Да" carries 70 bytes of data, Telegram allows 64`, `данные кнопки "Да" занимают 70 байт, а Telegram допускает не больше 64`},
	{`button "Подробнее" has no action: it needs callback data or a URL`, `у кнопки "Подробнее" нет действия: нужны данные для бота или ссылка`},
	{`button "Тарифы" has more than one action: callback data, a URL and a request for the phone exclude each other`,
		`у кнопки "Тарифы" больше одного действия: данные для бота, ссылка и запрос номера телефона исключают друг друга`},
	{"sendMessage: 403 Forbidden: bot was blocked by the user", "Telegram отказал (sendMessage, 403): клиент заблокировал бота"},
	{"sendMessage: 400 Bad Request: chat not found", "Telegram отказал (sendMessage, 400): чат не найден"},
	{"sendMessage: 400 Bad Request: message is too long", "Telegram отказал (sendMessage, 400): сообщение слишком длинное"},
	{"sendMessage: 400 Bad Request: can't parse entities", "Telegram отказал (sendMessage, 400): Bad Request: can't parse entities"},

	{"is longer than 200 characters", "длиннее 200 символов"},
	{"has a wrong check digit", "неверная контрольная цифра"},
	{"is not 10 or 12 digits", "нужно 10 или 12 цифр"},
	{"is not a phone number", "не номер телефона"},
	{"is not an e-mail address", "не адрес электронной почты"},
	{"is not an OKVED code (e.g. 47.91)", "не код ОКВЭД (например, 47.91)"},
	{"is not one of rko, acquiring", "допустимые значения: rko, acquiring"},
	{"is not a date (e.g. 02.01.2006, 02.01.2006 15:04 or 2006-01-02T15:04:05+03:00)",
		"не дата (например, 02.01.2006, 02.01.2006 15:04 или 2006-01-02T15:04:05+03:00)"},
	{"is not between the years 1990 and 2100", "год должен быть от 1990 до 2100"},
	{"is not a time zone (e.g. Europe/Moscow, Asia/Vladivostok, МСК+7 or UTC+10)",
		"не часовой пояс (например, Europe/Moscow, Asia/Vladivostok, МСК+7 или UTC+10)"},
	{"is required but empty", "обязательное поле не заполнено"},
	{"is not valid text (is the file in another encoding?)", "не читается как текст (возможно, файл в другой кодировке)"},
	{"is not a known client", "такого клиента нет"},
	{"is not a known application", "такой заявки нет"},
	{"is not a string, number or boolean", "должно быть строкой, числом или логическим значением"},
	{"is not an object", "должно быть объектом"},
	{"is not a field of clients (external_id, inn, company_name)", "такого поля нет в наборе clients (external_id, inn, company_name)"},
	{`reading stopped here: line 7: extraneous or missing " in quoted-field`,
		"здесь чтение файла остановилось: строка 7: лишняя или незакрытая кавычка в поле"},
	{`line 3: bare " in non-quoted-field`, "строка 3: кавычка внутри поля без кавычек"},
	{"line 4: wrong number of fields", "строка 4: не то число полей"},

	{"imports: the file is empty", "файл пуст"},
	{"the file is empty", "файл пуст"},
	{"read the file: unexpected EOF", "файл не читается: текст оборвался на незакрытой конструкции"},
	{"read the file as cp1251: read error", "файл не читается в кодировке cp1251: read error"},
	{`read the header: line 1: extraneous or missing " in quoted-field`, "не читается строка заголовков: строка 1: лишняя или незакрытая кавычка в поле"},
	{"open the workbook: zip: not a valid zip file", "книга Excel не открывается: zip: not a valid zip file"},
	{`read sheet "Лист1": XML syntax error`, `лист "Лист1" не читается: XML syntax error`},
	{"read the sheet: XML syntax error", "лист не читается: XML syntax error"},
	{"read row 12: XML syntax error", "строка 12 не читается: XML syntax error"},
	{`unknown encoding "koi8" (want utf8 or cp1251)`, `неизвестная кодировка "koi8" (допустимы utf8 и cp1251)`},
	{`unknown encoding "koi8" (want utf8, cp1251 or auto)`, `неизвестная кодировка "koi8" (допустимы utf8, cp1251 и auto)`},
	{`unknown delimiter ":" (want ';', ',', tab, '|' or auto)`, `неизвестный разделитель ":" (допустимы ';', ',', табуляция, '|' и auto)`},
	{`unknown dataset "leads" (want clients, applications or events)`, `неизвестный набор данных "leads" (допустимы clients, applications и events)`},
	{`unknown format "ods" (want csv or xlsx)`, `неизвестный формат "ods" (допустимы csv и xlsx)`},
	{"this is an Excel 97–2003 (.xls) or password-protected workbook; save it as .xlsx or CSV",
		"это книга Excel 97–2003 (.xls) или книга с паролем; сохраните её как .xlsx или CSV"},
	{"clients: no column is mapped to external_id, company_name (the file's columns: ИНН, Телефон)",
		"clients: не выбраны колонки для полей external_id, company_name (колонки файла: ИНН, Телефон)"},
	{`the mapping names column "Код", which the file does not have`, `в сопоставлении указана колонка "Код", которой в файле нет`},
	{`column "Код" maps to "code", which is not a field of clients (external_id, inn)`,
		`колонка "Код" сопоставлена с "code", но такого поля нет в наборе clients (external_id, inn)`},
	{`columns "ИНН" and "ИНН клиента" both map to inn`, `колонки "ИНН" и "ИНН клиента" обе сопоставлены с inn`},
	{"imports: clients: stopped: context canceled", "clients: импорт прерван: отменено"},
	{"applications: stopped: context deadline exceeded", "applications: импорт прерван: истекло время ожидания"},
	{"the upload is too large", "файл слишком большой"},
	{"no such upload", "такой загрузки нет"},
	{"no such import", "такого импорта нет"},

	{"must be 2-63 lower-case letters, digits, '.', '_' or '-'", "от 2 до 63 строчных латинских букв, цифр, '.', '_' или '-'"},
	{"must be one of [operator manager supervisor admin]", "допустимые значения: operator manager supervisor admin"},
	{"must be ru or en", "выберите ru или en"},
	{"must be at least 10 characters", "не короче 10 символов"},
	{"must be at most 100 characters", "не длиннее 100 символов"},
	{"must be at most 72 bytes", "не длиннее 72 байт"},
	{"must be 1-100 characters", "от 1 до 100 символов"},
}

func TestEngineMessagesReadInRussian(t *testing.T) {
	for _, s := range engineSamples {
		if got := engineText("ru", s.en); got != s.ru {
			t.Errorf("ru %q\n got %q\nwant %q", s.en, got, s.ru)
		}
		if got := engineText("en", s.en); got != s.en {
			t.Errorf("en %q changed to %q", s.en, got)
		}
	}
	for _, unknown := range []string{"something new the engine says", "", "Исправьте поле"} {
		if got := engineText("ru", unknown); got != unknown {
			t.Errorf("an unknown message %q became %q", unknown, got)
		}
	}
}

// Every row must be exercised by a sample — whole, or inside another message (a cron error inside "is not a
// schedule") — since a row nobody tests is a row whose English may have drifted.
func TestEveryEngineRuleHasASample(t *testing.T) {
	for _, r := range engineRules {
		used := false
		for _, s := range engineSamples {
			for i, c := range s.en {
				if (i == 0 || s.en[i-1] == ' ') && c != ' ' && r.re.MatchString(strings.TrimSuffix(s.en[i:], ";")) {
					used = true
				}
			}
			for _, part := range strings.Split(s.en, "; ") {
				used = used || r.re.MatchString(part)
			}
		}
		if !used {
			t.Errorf("no sample for %s", r.re)
		}
	}
}

// The messages the engines really produce, through their own validation, each read in Russian: a message an
// engine rewords, or a new one, fails here until the table knows it.
func TestEveryEngineRefusalHasARussianText(t *testing.T) {
	var msgs []string
	problem := func(err error) {
		t.Helper()
		var ci *campaigns.InputError
		var di *dialog.InputError
		var pe *messenger.PermanentError
		switch {
		case errors.As(err, &ci):
			msgs = append(msgs, ci.Problem)
		case errors.As(err, &di):
			msgs = append(msgs, di.Problem)
		case errors.As(err, &pe):
			msgs = append(msgs, pe.Reason)
		default:
			t.Errorf("expected a refusal, got %v", err)
		}
	}

	for _, expr := range []string{"every day", "* * * * *", "CRON_TZ=Europe/Moskva 0 10 * * *", "0 70 * * *",
		"0 10-8 * * *", "0 ten * * *", "@fortnightly", "*/0 * * * *", "1-2-3 * * * *", "0 10 0 * *"} {
		_, err := campaigns.ParseSchedule(expr)
		problem(err)
	}
	ok := campaigns.Button{Text: "Продолжить", Action: campaigns.ActionRoute}
	for _, tpl := range []campaigns.Template{
		{Body: "  "},
		{Body: "Здравствуйте, {{.Company"},
		{Body: "Здравствуйте, {{.Name}}"},
		{Body: "{{if .Company}}да{{end}}"},
		{Body: `<div>Счёт</div>`},
		{Body: "<b>Счёт"},
		{Body: "Счёт</i>"},
		{Body: "<b> </b>"},
		{Body: "Ставка 5 < 7"},
		{Body: "<b><i>Счёт</b></i>"},
		{Body: "<b>Счёт</b"},
		{Body: `<a href=https://bank.example>Счёт</a>`},
		{Body: `<span>Счёт</span>`},
		{Body: `<tg-emoji>👍</tg-emoji>`},
		{Body: `<tg-emoji emoji-id="5368324170671202286"></tg-emoji>`},
		{Body: `<tg-time>завтра</tg-time>`},
		{Body: `<tg-time unix="1647531900" format="Td">завтра</tg-time>`},
		{Body: "Цена&nbsp;0 ₽"},
		{Body: `<code class="x">40702</code>`},
		{Body: `<b style="color:red">Счёт</b>`},
		{Body: `<a>Счёт</a>`},
		{Body: `<code class="language-go">40702</code>`},
		{Body: `<code><b>40702</b></code>`},
		{Body: strings.Repeat("Счёт ", 820)},
		{Body: "Счёт", Buttons: []campaigns.Button{ok, ok, ok, ok, ok}},
		{Body: "Счёт", Buttons: []campaigns.Button{ok, {Action: campaigns.ActionRoute}}},
		{Body: "Счёт", Buttons: []campaigns.Button{{Text: strings.Repeat("Счёт ", 9), Action: campaigns.ActionRoute}}},
		{Body: "Счёт", Buttons: []campaigns.Button{{Text: "Тарифы", Action: "nothing"}}},
		{Body: "Счёт", Buttons: []campaigns.Button{{Text: "Тарифы", Action: campaigns.ActionReply}}},
	} {
		_, err := campaigns.Compile(tpl)
		problem(err)
	}
	good := campaigns.Campaign{Name: "Недозвоны", LeadKind: "missed_call", Template: campaigns.Template{Body: "Счёт"}}
	for _, change := range []func(*campaigns.Campaign){
		func(c *campaigns.Campaign) { c.Name = "" },
		func(c *campaigns.Campaign) { c.LeadKind = "cold" },
		func(c *campaigns.Campaign) { c.QuietFrom = "25:00" },
		func(c *campaigns.Campaign) { c.FrequencyCap = 100 * 24 * time.Hour },
		func(c *campaigns.Campaign) { c.InviteWebhook = "ftp://sms.example" },
		func(c *campaigns.Campaign) { c.Audience.MinAgeHours = -1 },
		func(c *campaigns.Campaign) { c.Audience.MaxAgeDays = 400 },
		func(c *campaigns.Campaign) { c.Audience.MinAttempts = 21 },
		func(c *campaigns.Campaign) { c.Audience.OKVEDInclude = []string{"47,91"} },
	} {
		c := good
		change(&c)
		problem(c.Validate())
	}
	var rules campaigns.LeadRules
	rules.Acquiring.OKVED = []string{"4791"}
	problem(rules.Validate())

	for _, sc := range []dialog.Script{
		{Body: "Текст"},
		{Title: "Тарифы"},
		{Title: "Тарифы", Body: strings.Repeat("а", 4097)},
		{Title: "Тарифы", Body: "Текст", LeadKind: "cold"},
		{Title: "Тарифы", Body: "Текст", Shortcut: "Тарифы!"},
		{Title: "Тарифы", Body: "Здравствуйте, {{.Name}}"},
	} {
		problem(sc.Validate())
	}
	for _, o := range []dialog.Offer{{Body: "Текст"}, {Title: "Кэшбэк"}, {Title: "Кэшбэк", Body: strings.Repeat("а", 4097)}} {
		problem(o.Validate())
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for _, o := range []dialog.Outcome{
		{Kind: "maybe"},
		{Kind: dialog.OutcomeConsent, Product: "deposit"},
		{Kind: dialog.OutcomeConsent},
		{Kind: dialog.OutcomeRefusal},
		{Kind: dialog.OutcomeCallback},
		{Kind: dialog.OutcomeCallback, DueAt: now.Add(-time.Hour)},
	} {
		problem(o.Validate(now))
	}

	for _, p := range []string{"короткий", strings.Repeat("пароль", 13)} {
		var in *auth.InputError
		if errors.As(auth.ValidatePassword("", p), &in) {
			msgs = append(msgs, in.Problem)
		} else {
			t.Errorf("password %q accepted", p)
		}
	}

	tg := messenger.Address{Channel: messenger.Telegram, BotID: 1, ChatID: 42}
	for _, m := range []messenger.Message{
		{Text: "Счёт"},
		{Address: messenger.Address{ChatID: 42}, Text: "Счёт"},
		{Address: messenger.Address{BotID: 1, ChatID: 42}, Text: "Счёт"},
		{Address: messenger.Address{Channel: "icq", BotID: 1, ChatID: 42}, Text: "Счёт"},
		{Address: tg},
		{Address: tg, Text: strings.Repeat("а", 4097)},
		{Address: tg, Text: "Ставка 5 < 7"},
		{Address: tg, Text: "Счёт", Buttons: [][]messenger.Button{{{Data: "route"}}}},
		{Address: tg, Text: "Счёт", Buttons: [][]messenger.Button{{{Text: "Да", Data: strings.Repeat("x", 70)}}}},
		{Address: tg, Text: "Счёт", Buttons: [][]messenger.Button{{{Text: "Подробнее"}}}},
		{Address: tg, Text: "Счёт", Buttons: [][]messenger.Button{{{Text: "Тарифы", Data: "c:1:0", URL: "https://bank.example"}}}},
	} {
		problem(m.Validate())
	}

	// An import preview of a file with a mistake in every column it checks.
	file := "Код клиента;ИНН;Наименование;Телефон;E-mail;ОКВЭД;Часовой пояс;Сегмент\n" +
		"К-1;7707083894;ООО «Ромашка»;нет;ivanov@;4791;Марс;МСБ\n" +
		"К-2;123;;+7 918 123-45-67;a@b.ru;47.91;Europe/Moscow;МСБ\n" +
		strings.Repeat("К", 101) + ";7707083893;ООО «Лютик»;;;;;\n"
	pv, err := imports.Preview(strings.NewReader(file), imports.Options{Dataset: imports.Clients})
	if err != nil {
		t.Fatal(err)
	}
	apps := "Номер заявки;id клиента;Продукт;Дата заявки\nЗ-1;К-1;вклад;вчера\nЗ-2;К-1;рко;01.01.1980\n"
	apv, err := imports.Preview(strings.NewReader(apps), imports.Options{Dataset: imports.Applications})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, row := range append(pv.Rows, apv.Rows...) {
		for _, p := range row.Problems {
			msgs = append(msgs, p.Reason)
			n++
		}
	}
	if n < 10 {
		t.Errorf("the files gave only %d problems; the test no longer checks what it says", n)
	}
	for _, bad := range []string{"", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel"} {
		_, err := imports.Preview(strings.NewReader(bad), imports.Options{Dataset: imports.Clients})
		msgs = append(msgs, err.Error())
	}

	for _, m := range msgs {
		ru := engineText("ru", m)
		if ru == m {
			t.Errorf("no Russian for %q", m)
		}
		t.Logf("%s\n\t→ %s", m, ru)
	}
	if len(msgs) < 50 {
		t.Errorf("only %d messages checked", len(msgs))
	}
}
