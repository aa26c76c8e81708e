package operatorui

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozvon/campaigns"
	"dozvon/campaigns/imports"
	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/msg"
	"dozvon/messenger"
)

// verbRe finds fmt's verbs and the plural choices ({#2 …}) of a catalog text.
var verbRe = regexp.MustCompile(`%%|%[-+# 0]*\d*(?:\.\d+)?[a-zA-Z]|\{#(\d+) `)

// placeholders is a text's verbs in order and the arguments its plural choices read.
func placeholders(s string) (verbs []string, plurals []int) {
	for _, m := range verbRe.FindAllStringSubmatch(s, -1) {
		switch {
		case m[0] == "%%":
		case m[1] != "":
			n, _ := strconv.Atoi(m[1])
			plurals = append(plurals, n)
		default:
			verbs = append(verbs, m[0])
		}
	}
	return verbs, plurals
}

// raisedCodes walks the source of every package that raises messages and returns each code written as a literal
// where a message is made, with how many arguments it is given there (-1 where the source does not say: a list
// spread with ..., a table of a third party's mistakes).
func raisedCodes(t *testing.T) map[string][]int {
	t.Helper()
	raised := map[string][]int{}
	isCode := func(e ast.Expr) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return "", false
		}
		if _, ok := msg.EnglishOf(s); ok {
			return s, true
		}
		return s, s == "input.not_queue_id" || s == "input.not_date_time" || s == "form.not_number" // the pages' own
	}
	for _, root := range []string{"../campaigns", "../dialog", "../internal/auth", "../messenger", "."} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			if root == "." && filepath.Dir(path) != "." {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					for i, a := range n.Args {
						if code, ok := isCode(a); ok {
							count := len(n.Args) - i - 1
							if fn, _ := n.Fun.(*ast.Ident); n.Ellipsis.IsValid() || fn != nil && fn.Name == "thirdParty" {
								count = -1
							}
							raised[code] = append(raised[code], count)
						}
					}
				case *ast.CompositeLit:
					var code string
					count := -1
					for _, el := range n.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							if c, ok := isCode(el); ok {
								code = c
							}
							continue
						}
						switch key, _ := kv.Key.(*ast.Ident); {
						case key == nil:
						case key.Name == "Code":
							if c, ok := isCode(kv.Value); ok {
								code = c
							}
						case key.Name == "Args":
							if args, ok := kv.Value.(*ast.CompositeLit); ok {
								count = len(args.Elts)
							}
						}
					}
					if code != "" {
						raised[code] = append(raised[code], count)
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return raised
}

// Every message an engine or a page raises has an English and a Russian text in the catalog, whose placeholders
// agree with each other and with the arguments the message is raised with.
func TestEveryMessageCodeHasBothLanguages(t *testing.T) {
	raised := raisedCodes(t)
	if len(raised) < 150 {
		t.Fatalf("found only %d codes raised in the source; the scan no longer sees them", len(raised))
	}
	// A code an engine registers and raises has its Russian checked below, as raised; one registered with its
	// Russian and raised nowhere is dead.
	for code := range codesRU {
		if _, ok := msg.EnglishOf(code); !ok {
			t.Errorf("codesRU has %s, which no engine registers", code)
		}
		if _, ok := raised[code]; !ok && !strings.HasPrefix(code, "campaigns.status_") && !strings.HasPrefix(code, "imports.unknown_") {
			// a code raised only in a table (a third party's mistakes) is found there too; anything else is unused
			t.Errorf("code %s is registered but raised nowhere", code)
		}
		raised[code] = append(raised[code], -1)
	}
	for code, counts := range raised {
		c, ok := catalog[code]
		if !ok || c.en == "" || c.ru == "" {
			t.Errorf("%s: no text in both languages (en %q, ru %q)", code, c.en, c.ru)
			continue
		}
		if en, ok := msg.EnglishOf(code); ok && en != c.en {
			t.Errorf("%s: the catalog's English %q is not the engine's %q", code, c.en, en)
		}
		enVerbs, enPlurals := placeholders(c.en)
		ruVerbs, ruPlurals := placeholders(c.ru)
		if !slices.Equal(enVerbs, ruVerbs) {
			t.Errorf("%s: English has %v, Russian %v", code, enVerbs, ruVerbs)
		}
		for _, n := range append(enPlurals, ruPlurals...) {
			if n < 1 || n > len(enVerbs) || enVerbs[n-1] != "%d" {
				t.Errorf("%s: a plural reads argument %d, which is not a count", code, n)
			}
		}
		for _, n := range counts {
			if n >= 0 && n != len(enVerbs) {
				t.Errorf("%s: raised with %d arguments, its text has %d", code, n, len(enVerbs))
			}
		}
	}
}

// A count takes the form its number asks for: three in Russian (1 символ, 2 символа, 5 символов; 11-14 take the
// third, 21 the first), two in English.
func TestCountsAgreeInBothLanguages(t *testing.T) {
	for n, want := range map[int]string{1: "длиннее 1 символа", 2: "длиннее 2 символов", 5: "длиннее 5 символов",
		21: "длиннее 21 символа", 22: "длиннее 22 символов", 11: "длиннее 11 символов", 100: "длиннее 100 символов"} {
		if got := msgText("ru", msg.New("imports.too_long", n)); got != want {
			t.Errorf("ru %d: %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{1: "длина текста — 1 символ, а Telegram допускает не больше 4096",
		3:    "длина текста — 3 символа, а Telegram допускает не больше 4096",
		4097: "длина текста — 4097 символов, а Telegram допускает не больше 4096",
		4101: "длина текста — 4101 символ, а Telegram допускает не больше 4096",
		4112: "длина текста — 4112 символов, а Telegram допускает не больше 4096"} {
		if got := msgText("ru", msg.New("messenger.text_too_long", n, "Telegram", 4096)); got != want {
			t.Errorf("ru %d: %q, want %q", n, got, want)
		}
	}
	if got := msgText("en", msg.New("imports.too_long", 1)); got != "is longer than 1 character" {
		t.Errorf("en 1: %q", got)
	}
	if got := msgText("en", msg.New("campaigns.buttons_max", 4)); got != "at most 4 buttons" {
		t.Errorf("en 4: %q", got)
	}
}

// The refusals the engines really give, through their own validation, read in Russian from the catalog — with
// what the manager typed quoted as typed — and in English as the engines write them.
func TestEngineRefusalsReadInBothLanguages(t *testing.T) {
	type sample struct {
		err    error
		en, ru string
	}
	var samples []sample
	add := func(err error, en, ru string) { samples = append(samples, sample{err, en, ru}) }

	sched := func(expr string) error { _, err := campaigns.ParseSchedule(expr); return err }
	add(sched("every day"), `"every day" is not a schedule: expected exactly 5 fields, found 2: [every day] (e.g. "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — weekdays at 10:00)`,
		`"every day" — не расписание: нужно ровно 5 полей, а найдено 2: [every day] (пример: "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — по будням в 10:00)`)
	add(sched("* * * * *"), `"* * * * *" runs every 1m0s; runs must be at least 15 minutes apart`,
		`"* * * * *" срабатывает каждые 1m0s; между запусками нужно не меньше 15 минут`)
	add(sched("CRON_TZ=Europe/Moskva 0 10 * * *"), "", `"CRON_TZ=Europe/Moskva 0 10 * * *" — не расписание: неизвестный часовой пояс Europe/Moskva (пример: "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — по будням в 10:00)`)
	add(sched("0 70 * * *"), "", `"0 70 * * *" — не расписание: конец диапазона (70) больше наибольшего значения (23): 70 (пример: "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — по будням в 10:00)`)
	add(sched("0 ten * * *"), "", `"0 ten * * *" — не расписание: ten — не число (пример: "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — по будням в 10:00)`)
	add(sched("@fortnightly"), "", `"@fortnightly" — не расписание: неизвестное обозначение @fortnightly (пример: "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — по будням в 10:00)`)

	compile := func(tpl campaigns.Template) error { _, err := campaigns.Compile(tpl); return err }
	ok := campaigns.Button{Text: "Продолжить", Action: campaigns.ActionRoute}
	add(compile(campaigns.Template{Body: "  "}), "the message text is empty", "введите текст сообщения")
	add(compile(campaigns.Template{Body: "Здравствуйте, {{.Company"}), "the template does not parse: unclosed action",
		"в шаблоне ошибка: не закрыты фигурные скобки {{ }}")
	add(compile(campaigns.Template{Body: "Здравствуйте, {{.Company}"}), "the template does not parse: bad character U+007D '}'",
		"в шаблоне ошибка: недопустимый символ U+007D '}'")
	add(compile(campaigns.Template{Body: "Здравствуйте, {{.Name}}"}),
		"unknown variable .Name; use one of {{.ClientName}}, {{.Company}}, {{.INN}}, {{.Region}}, {{.Manager}}",
		"неизвестная переменная .Name; используйте одну из этих: {{.ClientName}}, {{.Company}}, {{.INN}}, {{.Region}}, {{.Manager}}")
	add(compile(campaigns.Template{Body: "{{if .Company}}да{{end}}"}), "", "допустимы только переменные вида {{.Company}}, а не {{if .Company}}да{{end}}")
	add(compile(campaigns.Template{Body: "<b>Счёт"}), "the tag <b> is not closed (line 1, character 1)", "тег <b> не закрыт (строка 1, символ 1)")
	add(compile(campaigns.Template{Body: "Счёт</i>"}), "", "тег </i> ничего не закрывает (строка 1, символ 5)")
	add(compile(campaigns.Template{Body: "<b> </b>"}), "", "в сообщении нет текста, только оформление")
	add(compile(campaigns.Template{Body: "Ставка 5 < 7"}), "", "«<» не начинает тег: чтобы показать этот знак, напишите &lt; (строка 1, символ 10)")
	add(compile(campaigns.Template{Body: `<tg-time unix="1647531900" format="Td">завтра</tg-time>`}), "",
		`у тега <tg-time> формат "Td"; Telegram допускает r либо w, d или D, t или T в этом порядке (строка 1, символ 1)`)
	add(compile(campaigns.Template{Body: "Цена&nbsp;0 ₽"}), "",
		"Telegram покажет &nbsp; как есть: он понимает только &lt; &gt; &amp; &quot; и числовые ссылки (&#8381;) (строка 1, символ 5)")
	add(compile(campaigns.Template{Body: strings.Repeat("Счёт ", 820)}), "the text is 4099 characters, Telegram allows 4096",
		"длина текста — 4099 символов, а Telegram допускает не больше 4096")
	add(compile(campaigns.Template{Body: "Счёт", Buttons: []campaigns.Button{ok, ok, ok, ok, ok}}), "at most 4 buttons", "не больше 4 кнопок")
	add(compile(campaigns.Template{Body: "Счёт", Buttons: []campaigns.Button{{Text: strings.Repeat("Счёт ", 9), Action: campaigns.ActionRoute}}}),
		"", `кнопка "Счёт Счёт Счёт Счёт Счёт Счёт Счёт Счёт Счёт " длиннее 40 символов`)

	good := campaigns.Campaign{Name: "Недозвоны", LeadKind: "missed_call", Template: campaigns.Template{Body: "Счёт"}}
	c := good
	c.Name = ""
	add(c.Validate(), "a name of 1-120 characters is required", "укажите название длиной от 1 до 120 символов")
	c = good
	c.QuietFrom = "25:00"
	add(c.Validate(), "", `"25:00" — не время (пример: 21:00)`)
	c = good
	c.FrequencyCap = 100 * 24 * time.Hour
	add(c.Validate(), "", "допустимо от 0 до 90 дней")
	c = good
	c.Audience.OKVEDInclude = []string{"47,91"}
	add(c.Validate(), "", `"47,91" — не код ОКВЭД (например, 47.91 или 56)`)
	var rules campaigns.LeadRules
	rules.MissedCall.MinAttempts, rules.MissedCall.MaxAgeDays, rules.FollowUp.Days, rules.FollowUp.MaxAgeDays = 1, 30, 3, 30
	rules.Acquiring.Days, rules.Acquiring.OKVED = 0, []string{"4791"}
	add(rules.Validate(), `acquiring: days must be 1-365; acquiring: "4791" is not an OKVED code (e.g. 47.91 or 56)`,
		`эквайринг: число дней — от 1 до 365; эквайринг: "4791" — не код ОКВЭД (например, 47.91 или 56)`)

	sc := dialog.Script{Title: "Тарифы", Body: strings.Repeat("а", 4097)}
	add(sc.Validate(), "at most 4096 characters, as in one Telegram message",
		"не больше 4096 символов — как в одном сообщении Telegram")
	sc = dialog.Script{Title: "Тарифы", Body: "Текст", Shortcut: "Тарифы!"}
	add(sc.Validate(), "", "до 32 строчных латинских букв, цифр, _ или -")
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	o := dialog.Outcome{Kind: "maybe"}
	add(o.Validate(now), `unknown outcome "maybe"`, `неизвестный результат "maybe"`)
	o = dialog.Outcome{Kind: dialog.OutcomeCallback, DueAt: now.Add(-time.Hour)}
	add(o.Validate(now), "", "время должно быть в будущем")
	add(auth.ValidatePassword("", "короткий"), "must be at least 10 characters", "не короче 10 символов")
	add(auth.ValidatePassword("", strings.Repeat("пароль", 13)), "must be at most 72 bytes", "не длиннее 72 байт")

	add(messenger.Message{Text: "Счёт"}.Validate(), "no chat", "не указан чат")
	add(messenger.Message{Address: messenger.Address{Channel: messenger.Telegram, ChatID: 42}, Text: "Счёт"}.Validate(), "no bot", "не указан бот")
	add(messenger.Message{Address: messenger.Address{Channel: messenger.Telegram, BotID: 1, ChatID: 42}, Text: "Ставка 5 < 7"}.Validate(), "", "«<» не начинает тег: чтобы показать этот знак, напишите &lt; (строка 1, символ 10)")
	add(messenger.Message{Address: messenger.Address{Channel: messenger.Telegram, BotID: 1, ChatID: 42}, Text: "Счёт", Buttons: [][]messenger.Button{{{Text: "Да", Data: strings.Repeat("x", 70)}}}}.Validate(),
		`button "Да" carries 70 bytes of data, Telegram allows 64`, `данные кнопки "Да" занимают 70 байт, а Telegram допускает не больше 64`)
	_, err := messenger.NormalizePhone("нет")
	add(err, "not a phone number", "не номер телефона")

	for _, bad := range []struct {
		file    string
		en, ru  string
		options imports.Options
	}{
		{"", "the file is empty", "файл пуст", imports.Options{Dataset: imports.Clients}},
		{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "", "это книга Excel 97–2003 (.xls) или книга с паролем; сохраните её как .xlsx или CSV", imports.Options{Dataset: imports.Clients}},
		{"PK\x03\x04garbage", "open the workbook: the file is not an .xlsx workbook", "книга Excel не открывается: это не книга Excel в формате .xlsx", imports.Options{Dataset: imports.Clients, Format: imports.FormatXLSX}},
	} {
		_, err := imports.Preview(strings.NewReader(bad.file), bad.options)
		add(err, bad.en, bad.ru)
	}

	for _, s := range samples {
		if s.err == nil {
			t.Errorf("no refusal where %q was expected", s.ru)
			continue
		}
		if _, ok := msg.As(s.err); !ok {
			t.Errorf("%v: not a coded message", s.err)
			continue
		}
		if got := errText("ru", s.err); got != s.ru {
			t.Errorf("ru\n got %q\nwant %q", got, s.ru)
		}
		if got := errText("en", s.err); s.en != "" && got != s.en {
			t.Errorf("en\n got %q\nwant %q", got, s.en)
		}
		if !strings.Contains(s.err.Error(), errText("en", s.err)) {
			t.Errorf("Error() %q does not say %q", s.err.Error(), errText("en", s.err))
		}
	}

	// An import's row problems, kept as codes in the report, read in Russian on the page.
	file := "Код клиента;ИНН;Наименование;Телефон;E-mail;ОКВЭД;Часовой пояс;Сегмент\n" +
		"К-1;7707083894;ООО «Ромашка»;нет;ivanov@;4791;Марс;МСБ\n" +
		strings.Repeat("К", 101) + ";7707083893;ООО «Лютик»;;;;;\n"
	pv, err := imports.Preview(strings.NewReader(file), imports.Options{Dataset: imports.Clients})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range pv.Rows {
		for _, p := range row.Problems {
			got = append(got, problemText("ru", p))
		}
	}
	want := []string{`inn: "7707083894" — неверная контрольная цифра`, `phone: "нет" — не номер телефона`,
		`email: "ivanov@" — не адрес электронной почты`, `okved: "4791" — не код ОКВЭД (например, 47.91)`,
		`timezone: "Марс" — не часовой пояс (например, Europe/Moscow, Asia/Vladivostok, МСК+7 или UTC+10)`,
		`external_id: "` + strings.Repeat("К", 50) + `…" — длиннее 100 символов`}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("row problems:\n%q\nwant\n%q", got, want)
	}
	if !errors.Is(imports.ErrNoUpload, msg.New("imports.no_upload")) {
		t.Error("a sentinel message is not found by its code")
	}
}
