package operatorui

import (
	"regexp"
	"strings"
)

// The engines (campaigns, dialog, imports, messenger) explain a refusal in English and render nothing: they are
// used by the command line and the API too, which stay English. A Russian page shows their words through this
// table instead. Each row matches a whole English message; what the message quotes (values, numbers, variable
// and tag names, field names) is captured and kept verbatim. A message no row knows is shown as it is — English
// beats a wrong guess.
//
// Named groups do more than copy: "detail…" is itself an engine message (a cron or CSV error inside a schedule or
// import error), translated when a row knows it and kept as is when not; "status…" is a campaign status, shown
// by its Russian name.

type engineRule struct {
	re *regexp.Regexp
	ru string
}

func rule(pattern, ru string) engineRule {
	return engineRule{regexp.MustCompile("^" + pattern + "$"), ru}
}

// Quoted values are Go's %q: a double-quoted string with backslash escapes.
const quoted = `("(?:[^"\\]|\\.)*")`

var engineRules = []engineRule{
	// messenger: where in a text Telegram's HTML parser stops, around any of the problems below. First, so that a
	// row with a trailing (.+) does not take the position as part of what it quotes.
	rule(`(?P<detail>.+) \(line (\d+), character (\d+)\)`, "${detail} (строка ${2}, символ ${3})"),

	// campaigns: the audience, the form, the template and its buttons, the schedule, the status.
	rule(`the minimum lead age must be 0-8760 hours`, "минимальный возраст лида — от 0 до 8760 часов"),
	rule(`the maximum lead age must be 0-365 days`, "максимальный возраст лида — от 0 до 365 дней"),
	rule(`call attempts must be 0-20`, "число звонков — от 0 до 20"),
	rule(quoted+` is not an OKVED code \(e\.g\. 47\.91 or 56\)`, "${1} — не код ОКВЭД (например, 47.91 или 56)"),
	rule(`a (?P<status>\w+) campaign does not run`, "кампания в статусе «${status}» не запускается"),
	rule(`only active campaigns run on schedule`, "по расписанию запускаются только активные кампании"),
	rule(`a (?P<status>\w+) campaign cannot become (?P<status2>\w+)`, "кампанию в статусе «${status}» нельзя перевести в статус «${status2}»"),
	rule(`unknown status (.*)`, "неизвестный статус ${1}"),
	rule(`a name of 1-120 characters is required`, "укажите название длиной от 1 до 120 символов"),
	rule(`choose the kind of leads: missed calls, follow-ups or acquiring`, "выберите вид лидов: недозвоны, фоллоу-апы или эквайринг"),
	rule(quoted+` is not a time like 21:00`, "${1} — не время (пример: 21:00)"),
	rule(`must be between 0 and 90 days`, "допустимо от 0 до 90 дней"),
	rule(`must be an http\(s\) URL of the SMS gateway`, "укажите адрес SMS-шлюза, начинающийся с http:// или https://"),
	rule(`the message text is empty`, "введите текст сообщения"),
	rule(`the template does not parse: (?P<detail>.+)`, "в шаблоне ошибка: ${detail}"),
	rule(`unknown variable (\S+); use one of (.+)`, "неизвестная переменная ${1}; используйте одну из этих: ${2}"),
	rule(`only variables like \{\{\.Company\}\} are allowed, not (.+)`, "допустимы только переменные вида {{.Company}}, а не ${1}"),
	rule(`Telegram does not support the tag (.+)`, "Telegram не поддерживает тег ${1}"),
	rule(`the tag (.+) closes nothing that is open`, "тег ${1} ничего не закрывает"),
	rule(`the tag (.+) is not closed`, "тег ${1} не закрыт"),
	rule(`the message has no text, only formatting`, "в сообщении нет текста, только оформление"),

	// messenger: a text as Telegram's HTML parse mode reads it (a campaign's template, a message before sending).
	rule(`"<" starts no tag: write &lt; to show the sign`, "«<» не начинает тег: чтобы показать этот знак, напишите &lt;"),
	rule(`the tag (\S+) does not close the open (\S+)`, "тег ${1} не закрывает открытый ${2}"),
	rule(`the tag (\S+) has no closing ">"`, "у тега ${1} нет закрывающей «>»"),
	rule(`the tag (\S+) has a malformed attribute`, "у тега ${1} неверно записан атрибут"),
	rule(`the tag <span> needs class="tg-spoiler"`, `тегу <span> нужен атрибут class="tg-spoiler"`),
	rule(`the tag <tg-emoji> needs emoji-id="…" with the custom emoji's number`, `тегу <tg-emoji> нужен атрибут emoji-id="…" с номером эмодзи`),
	rule(`the tag <tg-emoji> needs an emoji inside, shown where custom emoji are not`, "внутри тега <tg-emoji> нужен обычный эмодзи: он виден там, где свои эмодзи не показываются"),
	rule(`the tag <tg-time> needs unix="…" with a Unix time`, `тегу <tg-time> нужен атрибут unix="…" со временем в формате Unix`),
	rule(`the tag <tg-time> has format `+quoted+`; Telegram takes r, or w, d or D, t or T in this order`,
		"у тега <tg-time> формат ${1}; Telegram допускает r либо w, d или D, t или T в этом порядке"),
	rule(`Telegram shows (\S+) as typed: it knows only &lt; &gt; &amp; &quot; and numeric references \(&#8381;\)`,
		"Telegram покажет ${1} как есть: он понимает только &lt; &gt; &amp; &quot; и числовые ссылки (&#8381;)"),
	rule(`Telegram ignores the attribute class of the tag <code> unless it is language-…`, "Telegram не учитывает атрибут class тега <code>, если это не language-…"),
	rule(`Telegram ignores the attribute (\S+) of the tag (\S+)`, "Telegram не учитывает атрибут ${1} тега ${2}"),
	rule(`the link <a> has no href="…"`, `у ссылки <a> нет адреса href="…"`),
	rule(`the language of <code> works only as <pre><code class="language-…">`, `язык в <code> указывается только так: <pre><code class="language-…">`),
	rule(`Telegram does not show the tag (\S+) inside (\S+)`, "Telegram не покажет тег ${1} внутри ${2}"),
	rule(`at most (\d+) buttons`, "не больше ${1} кнопок"),
	rule(`button (\d+) has no text`, "у кнопки ${1} нет текста"),
	rule(`button `+quoted+` is longer than (\d+) characters`, "кнопка ${1} длиннее ${2} символов"),
	rule(`button `+quoted+` has no action`, "у кнопки ${1} не выбрано действие"),
	rule(`button `+quoted+` needs the text of its auto-reply`, "для кнопки ${1} нужен текст автоответа"),
	rule(quoted+` is not a schedule: (?P<detail>.+) \(e\.g\. "CRON_TZ=Europe/Moscow 0 10 \* \* 1-5" — weekdays at 10:00\)`,
		`${1} — не расписание: ${detail} (пример: "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — по будням в 10:00)`),
	rule(quoted+` runs every (\S+); runs must be at least 15 minutes apart`, "${1} срабатывает каждые ${2}; между запусками нужно не меньше 15 минут"),

	// campaigns: lead rules, each part of a list joined with "; ".
	rule(`missed calls: attempts must be 1-20`, "недозвоны: число звонков — от 1 до 20"),
	rule(`missed calls: age must be 1-365 days`, "недозвоны: возраст — от 1 до 365 дней"),
	rule(`follow-ups: days must be 1-90`, "фоллоу-апы: число дней — от 1 до 90"),
	rule(`follow-ups: the longest wait must be between the days and 365`, "фоллоу-апы: наибольший срок — от числа дней до 365"),
	rule(`acquiring: days must be 1-365`, "эквайринг: число дней — от 1 до 365"),
	rule(`acquiring: the OKVED list is empty`, "эквайринг: список кодов ОКВЭД пуст"),
	rule(`acquiring: `+quoted+` is not an OKVED code \(e\.g\. 47\.91 or 56\)`, "эквайринг: ${1} — не код ОКВЭД (например, 47.91 или 56)"),

	// The cron parser's words inside "is not a schedule".
	rule(`empty spec string`, "пустое выражение"),
	rule(`provided bad location (\S+): .+`, "неизвестный часовой пояс ${1}"),
	rule(`expected exactly (\d+) fields, found (\d+): (.+)`, "нужно ровно ${1} полей, а найдено ${2}: ${3}"),
	rule(`expected (\d+) to (\d+) fields, found (\d+): (.+)`, "нужно от ${1} до ${2} полей, а найдено ${3}: ${4}"),
	rule(`too many hyphens: (.+)`, "слишком много дефисов: ${1}"),
	rule(`too many slashes: (.+)`, "слишком много косых черт: ${1}"),
	rule(`beginning of range \((-?\d+)\) below minimum \((\d+)\): (.+)`, "начало диапазона (${1}) меньше наименьшего значения (${2}): ${3}"),
	rule(`end of range \((\d+)\) above maximum \((\d+)\): (.+)`, "конец диапазона (${1}) больше наибольшего значения (${2}): ${3}"),
	rule(`beginning of range \((\d+)\) beyond end of range \((\d+)\): (.+)`, "начало диапазона (${1}) больше его конца (${2}): ${3}"),
	rule(`step of range should be a positive number: (.+)`, "шаг должен быть положительным числом: ${1}"),
	rule(`failed to parse int from (.*?): strconv\.Atoi: .+`, "${1} — не число"),
	rule(`negative number \((-?\d+)\) not allowed: (.+)`, "отрицательное число (${1}) недопустимо: ${2}"),
	rule(`unrecognized descriptor: (.+)`, "неизвестное обозначение ${1}"),
	rule(`failed to parse duration (.+?): .+`, "${1} — не промежуток времени"),

	// text/template's words inside "the template does not parse".
	rule(`unclosed action`, "не закрыты фигурные скобки {{ }}"),
	rule(`unexpected EOF`, "текст оборвался на незакрытой конструкции"),
	rule(`function `+quoted+` not defined`, "функции ${1} нет"),
	rule(`unexpected (.+) in (.+)`, "неожиданный символ ${1} в конструкции ${2}"),

	// dialog: routing, scripts, offers, messages, outcomes, presence.
	rule(`choose an operator or a queue`, "выберите оператора или очередь"),
	rule(`no queue (\d+)`, "очереди ${1} нет"),
	rule(`a title of 1-120 characters is required`, "укажите название длиной от 1 до 120 символов"),
	rule(`the script is empty`, "введите текст скрипта"),
	rule(`the offer is empty`, "введите текст предложения"),
	rule(`at most 4096 characters, as in one Telegram message`, "не больше 4096 символов — как в одном сообщении Telegram"),
	rule(`choose missed calls, follow-ups, acquiring or every kind`, "выберите недозвоны, фоллоу-апы, эквайринг или все виды"),
	rule(`up to 32 lowercase letters, digits, _ or -`, "до 32 строчных латинских букв, цифр, _ или -"),
	rule(`/(\S+) is already another script's shortcut`, "/${1} уже занято другим скриптом"),
	rule(`the message is empty`, "введите сообщение"),
	rule(`the note is empty`, "введите текст заметки"),
	rule(`unknown outcome `+quoted, "неизвестный результат ${1}"),
	rule(`must be rko or acquiring`, "выберите РКО или эквайринг"),
	rule(`say which product the client agreed to`, "укажите, на какой продукт согласился клиент"),
	rule(`say why the client refused`, "укажите причину отказа"),
	rule(`set the time`, "укажите время"),
	rule(`the time must be in the future`, "время должно быть в будущем"),
	rule(`the conversation has no client to hand over to a field manager`, "в диалоге нет клиента, которого можно передать выездному менеджеру"),
	rule(`must be online, away or offline`, "выберите статус: в сети, отошёл или не в сети"),
	rule(`must be away or offline`, "выберите статус: отошёл или не в сети"),
	rule(`must be between 1 and 50`, "допустимо от 1 до 50"),
	rule(`no such queue`, "такой очереди нет"),
	// The console's own words for a field it could not read, in the same form as dialog's.
	rule(`not a date and time`, "укажите дату и время"),
	rule(`not a queue id`, "такой очереди нет"),

	// messenger: what Telegram would refuse, checked before sending, and what it did refuse.
	rule(`no chat`, "не указан чат"),
	rule(`no bot`, "не указан бот"),
	rule(`unknown channel `+quoted, "неизвестный мессенджер ${1}"),
	rule(`the text is empty`, "текст пуст"),
	rule(`the text is (\d+) characters, (Telegram|MAX) allows (\d+)`, "длина текста — ${1}, а ${2} допускает не больше ${3} символов"),
	rule(`a button has no text`, "у кнопки нет текста"),
	rule(`button `+quoted+` carries (\d+) bytes of data, (Telegram|MAX) allows (\d+)`, "данные кнопки ${1} занимают ${2} байт, а ${3} допускает не больше ${4}"),
	rule(`button `+quoted+` has no action: it needs callback data or a URL`, "у кнопки ${1} нет действия: нужны данные для бота или ссылка"),
	rule(`button `+quoted+` has more than one action: callback data, a URL and a request for the phone exclude each other`, "у кнопки ${1} больше одного действия: данные для бота, ссылка и запрос номера телефона исключают друг друга"),
	rule(`Forbidden: bot was blocked by the user`, "клиент заблокировал бота"),
	rule(`Bad Request: chat not found`, "чат не найден"),
	rule(`Bad Request: message is too long`, "сообщение слишком длинное"),
	rule(`(\w+): (\d{3}) (?P<detail>.+)`, "Telegram отказал (${1}, ${2}): ${detail}"),

	// imports: why a value of a row was rejected (the field and the value are shown before it).
	rule(`is longer than (\d+) characters`, "длиннее ${1} символов"),
	rule(`has a wrong check digit`, "неверная контрольная цифра"),
	rule(`is not 10 or 12 digits`, "нужно 10 или 12 цифр"),
	rule(`is not a phone number`, "не номер телефона"),
	rule(`is not an e-mail address`, "не адрес электронной почты"),
	rule(`is not an OKVED code \(e\.g\. 47\.91\)`, "не код ОКВЭД (например, 47.91)"),
	rule(`is not one of (.+)`, "допустимые значения: ${1}"),
	rule(`is not a date \(e\.g\. 02\.01\.2006, 02\.01\.2006 15:04 or 2006-01-02T15:04:05\+03:00\)`,
		"не дата (например, 02.01.2006, 02.01.2006 15:04 или 2006-01-02T15:04:05+03:00)"),
	rule(`is not between the years 1990 and 2100`, "год должен быть от 1990 до 2100"),
	rule(`is not a time zone \(e\.g\. Europe/Moscow, Asia/Vladivostok, МСК\+7 or UTC\+10\)`,
		"не часовой пояс (например, Europe/Moscow, Asia/Vladivostok, МСК+7 или UTC+10)"),
	rule(`is required but empty`, "обязательное поле не заполнено"),
	rule(`is not valid text \(is the file in another encoding\?\)`, "не читается как текст (возможно, файл в другой кодировке)"),
	rule(`is not a known client`, "такого клиента нет"),
	rule(`is not a known application`, "такой заявки нет"),
	rule(`is not a string, number or boolean`, "должно быть строкой, числом или логическим значением"),
	rule(`is not an object`, "должно быть объектом"),
	rule(`is not a field of (\w+) \((.+)\)`, "такого поля нет в наборе ${1} (${2})"),
	rule(`reading stopped here: (?P<detail>.+)`, "здесь чтение файла остановилось: ${detail}"),
	rule(`line (\d+): (?P<detail>.+)`, "строка ${1}: ${detail}"),
	rule(`extraneous or missing " in quoted-field`, "лишняя или незакрытая кавычка в поле"),
	rule(`bare " in non-quoted-field`, "кавычка внутри поля без кавычек"),
	rule(`wrong number of fields`, "не то число полей"),

	// imports: why a file cannot be imported as chosen (the preview's and the import page's banner).
	rule(`the file is empty`, "файл пуст"),
	rule(`read the file: (?P<detail>.+)`, "файл не читается: ${detail}"),
	rule(`read the file as (\S+): (?P<detail>.+)`, "файл не читается в кодировке ${1}: ${detail}"),
	rule(`read the header: (?P<detail>.+)`, "не читается строка заголовков: ${detail}"),
	rule(`open the workbook: (?P<detail>.+)`, "книга Excel не открывается: ${detail}"),
	rule(`read sheet `+quoted+`: (?P<detail>.+)`, "лист ${1} не читается: ${detail}"),
	rule(`read the sheet: (?P<detail>.+)`, "лист не читается: ${detail}"),
	rule(`read row (\d+): (?P<detail>.+)`, "строка ${1} не читается: ${detail}"),
	rule(`unknown encoding `+quoted+` \(want utf8 or cp1251\)`, "неизвестная кодировка ${1} (допустимы utf8 и cp1251)"),
	rule(`unknown encoding `+quoted+` \(want utf8, cp1251 or auto\)`, "неизвестная кодировка ${1} (допустимы utf8, cp1251 и auto)"),
	rule(`unknown delimiter `+quoted+` \(want ';', ',', tab, '\|' or auto\)`, "неизвестный разделитель ${1} (допустимы ';', ',', табуляция, '|' и auto)"),
	rule(`unknown dataset `+quoted+` \(want clients, applications or events\)`, "неизвестный набор данных ${1} (допустимы clients, applications и events)"),
	rule(`unknown format `+quoted+` \(want csv or xlsx\)`, "неизвестный формат ${1} (допустимы csv и xlsx)"),
	rule(`this is an Excel 97–2003 \(\.xls\) or password-protected workbook; save it as \.xlsx or CSV`,
		"это книга Excel 97–2003 (.xls) или книга с паролем; сохраните её как .xlsx или CSV"),
	rule(`(\w+): no column is mapped to (.+) \(the file's columns: (.*)\)`, "${1}: не выбраны колонки для полей ${2} (колонки файла: ${3})"),
	rule(`the mapping names column `+quoted+`, which the file does not have`, "в сопоставлении указана колонка ${1}, которой в файле нет"),
	rule(`column `+quoted+` maps to `+quoted+`, which is not a field of (\w+) \((.+)\)`, "колонка ${1} сопоставлена с ${2}, но такого поля нет в наборе ${3} (${4})"),
	rule(`columns `+quoted+` and `+quoted+` both map to (\S+)`, "колонки ${1} и ${2} обе сопоставлены с ${3}"),
	rule(`(\w+): stopped: (?P<detail>.+)`, "${1}: импорт прерван: ${detail}"),
	rule(`context canceled`, "отменено"),
	rule(`context deadline exceeded`, "истекло время ожидания"),
	rule(`the upload is too large`, "файл слишком большой"),
	rule(`no such upload`, "такой загрузки нет"),
	rule(`no such import`, "такого импорта нет"),

	// auth: users, passwords and API tokens (the account and users pages).
	rule(`must be 2-63 lower-case letters, digits, '\.', '_' or '-'`, "от 2 до 63 строчных латинских букв, цифр, '.', '_' или '-'"),
	rule(`must be one of \[(.*)\]`, "допустимые значения: ${1}"),
	rule(`must be ru or en`, "выберите ru или en"),
	rule(`must be at least (\d+) characters`, "не короче ${1} символов"),
	rule(`must be at most (\d+) characters`, "не длиннее ${1} символов"),
	rule(`must be at most (\d+) bytes`, "не длиннее ${1} байт"),
	rule(`must be (\d+)-(\d+) characters`, "от ${1} до ${2} символов"),
}

// engineText is an engine's message in the page's language: Russian when a row of engineRules knows it, else
// the message as the engine wrote it. English pages get the message unchanged.
func engineText(locale, msg string) string {
	if locale == "en" {
		return msg
	}
	if ru, ok := engineRU(msg); ok {
		return ru
	}
	return msg
}

// engineRU translates a whole message; a list the engine joined with "; " (the lead rules' problems) is
// translated part by part, and only when every part is known.
func engineRU(msg string) (string, bool) {
	msg = strings.TrimPrefix(msg, "imports: ") // the package's prefix speaks to a developer, not to a manager
	for _, r := range engineRules {
		if m := r.re.FindStringSubmatch(msg); m != nil {
			return expandRU(r, m), true
		}
	}
	parts := strings.Split(msg, "; ")
	if len(parts) < 2 {
		return msg, false
	}
	for i, p := range parts {
		ru, ok := engineRU(p)
		if !ok {
			return msg, false
		}
		parts[i] = ru
	}
	return strings.Join(parts, "; "), true
}

// expandRU fills a row's Russian with the captured parts, translating the named ones it should.
func expandRU(r engineRule, m []string) string {
	var src strings.Builder
	at := make([]int, 0, 2*len(m))
	for i, g := range m {
		name := r.re.SubexpNames()[i]
		switch {
		case strings.HasPrefix(name, "detail"):
			g, _ = engineRU(g)
		case strings.HasPrefix(name, "status"):
			if s := T("ru", "campaign.status_"+g); !strings.HasPrefix(s, "[") {
				g = strings.ToLower(s)
			}
		}
		at = append(at, src.Len())
		src.WriteString(g)
		at = append(at, src.Len())
	}
	return string(r.re.ExpandString(nil, r.ru, src.String(), at))
}
