// Package demo fills an empty installation with a believable day of work: Russian companies across the country's
// time zones with application histories for all three lead kinds, some already in touch through simulated chats,
// campaigns for each kind, and a small team to log in as. It also gives the team a past (history.go): two weeks of
// leads the campaigns wrote to and closed dialogs whose figures are the team's reference results. It writes
// through the same tables the imports, campaigns and dialogs fill, so every screen shows real queries over real
// rows. It runs on first start in demo mode and by `dozvon demo`.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/campaigns"
	"dozvon/internal/auth"
)

// Team is the demo users: login → role.
var Team = []struct {
	Login, Name string
	Role        auth.Role
}{
	{"operator1", "Анна Смирнова", auth.Operator},
	{"operator2", "Дмитрий Волков", auth.Operator},
	{"operator3", "Елена Кузнецова", auth.Operator},
	{"manager", "Ольга Морозова", auth.Manager},
	{"supervisor", "Сергей Новиков", auth.Supervisor},
}

// Seeded reports what Seed created.
type Seeded struct {
	Clients, Applications, Events, Leads, Chats, Campaigns, Users, Scripts int
	Past                                                                   Past // the two weeks before today
	// Password is the team's: random for each installation, shared by the demo users Seed created, shown once.
	Password string
}

// Seed creates the demo data unless it is there already (it checks for its own clients), so calling it on
// every start is safe. now anchors every date, so the data is "today's" whenever it runs. The operators' scripts
// are seeded apart, whenever there are none, so an installation seeded before they existed gets them too.
func Seed(ctx context.Context, pool *pgxpool.Pool, users *auth.Store, camps *campaigns.Store, now time.Time) (Seeded, error) {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM clients WHERE external_id LIKE 'demo-%')`).Scan(&exists); err != nil {
		return Seeded{}, fmt.Errorf("demo: %w", err)
	}
	if exists {
		n, err := seedScripts(ctx, pool, now)
		return Seeded{Scripts: n}, err
	}
	// One random password for the whole team: a fixed one would be in the source for anyone to read, and the demo is
	// for signing in as each role in turn, not for choosing five passwords first. It is printed, though, so every
	// page asks its user to change it (without blocking anything, as a temporary password would).
	s := Seeded{Password: auth.RandomPassword()}
	for _, m := range Team {
		_, err := users.Create(ctx, auth.NewUser{Login: m.Login, DisplayName: m.Name, Role: m.Role, Password: s.Password,
			Locale: "ru", PasswordPrinted: true})
		if err == nil {
			s.Users++
		} else if err != auth.ErrLoginTaken {
			return s, fmt.Errorf("demo: user %s: %w", m.Login, err)
		}
	}
	if s.Users == 0 {
		s.Password = "" // the team was there already, with its own passwords
	}
	g := &generator{r: rand.New(rand.NewPCG(2026, 11)), now: now}
	g.build()
	if err := g.write(ctx, pool); err != nil {
		return s, err
	}
	s.Clients, s.Applications, s.Events = len(g.clients), len(g.apps), len(g.events)
	if _, err := camps.DeriveLeads(ctx, now); err != nil {
		return s, err
	}
	// The Telegram bot gets a name people read, as the demo's MAX bot has ("Дозвон в MAX"): a bot nobody named is
	// shown by its username, dozvon_sim_bot, beside every dialog of the console. A name someone chose stays.
	if _, err := pool.Exec(ctx, `UPDATE bots SET name = $1 WHERE id = (`+demoBot+`)
		AND (name IN ('', 'Telegram') OR name = username)`, demoTelegramBotName); err != nil {
		return s, fmt.Errorf("demo: name the Telegram bot: %w", err)
	}
	chats, err := linkChats(ctx, pool)
	if err != nil {
		return s, err
	}
	s.Chats = chats
	var created []campaigns.Campaign
	for _, c := range demoCampaigns() {
		camp, err := camps.Create(ctx, c)
		if err != nil {
			return s, fmt.Errorf("demo: campaign %s: %w", c.Name, err)
		}
		if err := camps.SetStatus(ctx, camp.ID, campaigns.StatusActive); err != nil {
			return s, err
		}
		created = append(created, camp)
		s.Campaigns++
	}
	// The past is written in one transaction: a failure leaves no half of it, and nothing half-told on screen.
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		s.Past, err = seedPast(ctx, tx, created, now)
		return err
	}); err != nil {
		return s, err
	}
	if s.Scripts, err = seedScripts(ctx, pool, now); err != nil {
		return s, err
	}
	_ = pool.QueryRow(ctx, `
		SELECT count(*) FROM leads l JOIN clients c ON c.id = l.client_id WHERE c.external_id NOT LIKE 'demo-past-%'`).
		Scan(&s.Leads)
	return s, nil
}

// demoBot is the bot the demo's chats belong to: the environment's Telegram bot, which on a fresh database is the
// placeholder of migration 00023 that the simulator's bot adopts when it starts.
const demoBot = `SELECT min(id) AS id FROM bots WHERE channel = 'telegram'`

// demoMAXBot is the MAX bot the demo's past chats on MAX belong to: a bot of its own (remote id demoMAXBotID), so
// that the past needs no MAX token and no running MAX bot; the bots page lists it with its last activity.
const (
	demoTelegramBotName = "Дозвон в Telegram"
	demoMAXBotID        = "demo-max"
	demoMAXBot          = `SELECT id FROM bots WHERE channel = 'max' AND remote_id = '` + demoMAXBotID + `'`
)

// linkChats puts about a third of the missed-call and follow-up leads in touch through simulated chats, as if
// they had followed an invitation; chat ids are in a range the simulator recognises as demo clients.
func linkChats(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO contacts (channel, bot_id, chat_id, user_id, first_name, phone, status, linked_via)
			SELECT 'telegram', b.id, 7000000000 + c.id, 7000000000 + c.id, split_part(c.contact_name, ' ', 1), c.phone,
			       'active', 'deep_link'
			FROM clients c, (`+demoBot+`) b
			WHERE c.external_id LIKE 'demo-%' AND c.id % 3 = 0
			  AND EXISTS (SELECT FROM leads l WHERE l.client_id = c.id AND l.kind IN ('missed_call', 'follow_up'))
			ON CONFLICT (bot_id, chat_id) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("demo: chats: %w", err)
		}
		n = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, `
			INSERT INTO contact_leads (contact_id, lead_id, via)
			SELECT ct.id, l.id, 'deep_link' FROM contacts ct JOIN leads l ON l.client_id = ct.chat_id - 7000000000
			WHERE ct.bot_id = (`+demoBot+`)
			ON CONFLICT DO NOTHING`)
		return err
	})
	return n, err
}

func demoCampaigns() []campaigns.Campaign {
	week := 7 * 24 * time.Hour
	return []campaigns.Campaign{
		{
			Name: "Недозвон: счёт за 1 день", LeadKind: campaigns.MissedCall, FrequencyCap: week,
			Description: "Клиенты, до которых не дозвонились по заявке на РКО",
			Schedule:    "CRON_TZ=Europe/Moscow 0 10,15 * * 1-5",
			Audience:    campaigns.Audience{MinAttempts: 2, MaxAgeDays: 14},
			Template: campaigns.Template{
				Body: "Здравствуйте, {{.ClientName}}! Мы не смогли дозвониться по заявке на расчётный счёт для " +
					"<b>{{.Company}}</b>. Удобно продолжить здесь, в чате? Ответим за минуту.",
				Buttons: []campaigns.Button{
					{Text: "Да, продолжим в чате", Action: campaigns.ActionRoute},
					{Text: "Перезвоните мне", Action: campaigns.ActionCallback},
					{Text: "Не интересно", Action: campaigns.ActionOptOut},
				},
			},
		},
		{
			Name: "Фоллоу-ап после встречи", LeadKind: campaigns.FollowUp, FrequencyCap: week,
			Description: "Встреча с выездным менеджером была, счёт не открыт",
			Schedule:    "CRON_TZ=Europe/Moscow 30 11 * * 1-5",
			Template: campaigns.Template{
				Body: "{{.ClientName}}, добрый день! {{.Manager}} встречался с вами по открытию счёта для " +
					"{{.Company}}. Подскажите, что помешало завершить? Поможем с документами или подберём другой тариф.",
				Buttons: []campaigns.Button{
					{Text: "Написать специалисту", Action: campaigns.ActionRoute},
					{Text: "Назначить новую встречу", Action: campaigns.ActionCallback},
					{Text: "Отписаться", Action: campaigns.ActionOptOut},
				},
			},
		},
		{
			Name: "Интернет-эквайринг для новых клиентов", LeadKind: campaigns.Acquiring, FrequencyCap: 14 * 24 * time.Hour,
			Description: "Счёт открыт недавно, эквайринга нет, отрасль подходит",
			Schedule:    "CRON_TZ=Europe/Moscow 0 12 * * 2,4",
			Template: campaigns.Template{
				Body: "{{.ClientName}}, спасибо, что открыли счёт! Для {{.Company}} можно подключить " +
					"<b>интернет-эквайринг</b>: оплата картой и СБП на сайте, деньги на счёте на следующий день.",
				Buttons: []campaigns.Button{
					{Text: "Расскажите подробнее", Action: campaigns.ActionRoute},
					{Text: "Какие тарифы?", Action: campaigns.ActionReply,
						Reply: "Комиссия от 1,5% по картам и 0,4% по СБП, подключение бесплатно. Напишите, и специалист подберёт тариф."},
					{Text: "Не нужно", Action: campaigns.ActionOptOut},
				},
			},
		},
	}
}

// region is where a client is and what time it is there.
type region struct{ name, tz string }

var regions = []region{
	{"Москва", "Europe/Moscow"}, {"Москва", "Europe/Moscow"}, {"Санкт-Петербург", "Europe/Moscow"},
	{"Краснодарский край", "Europe/Moscow"}, {"Ростовская область", "Europe/Moscow"},
	{"Калининградская область", "Europe/Kaliningrad"}, {"Самарская область", "Europe/Samara"},
	{"Свердловская область", "Asia/Yekaterinburg"}, {"Омская область", "Asia/Omsk"},
	{"Новосибирская область", "Asia/Novosibirsk"}, {"Красноярский край", "Asia/Krasnoyarsk"},
	{"Иркутская область", "Asia/Irkutsk"}, {"Республика Саха (Якутия)", "Asia/Yakutsk"},
	{"Приморский край", "Asia/Vladivostok"}, {"Хабаровский край", "Asia/Vladivostok"},
	{"Магаданская область", "Asia/Magadan"}, {"Камчатский край", "Asia/Kamchatka"},
}

var (
	nameWords = []string{"Ромашка", "Вектор", "Меридиан", "Гранит", "Лотос", "Северный ветер", "Альфа-Строй",
		"Бриз", "Солнечный берег", "Кедр", "Технопарк", "Горизонт", "Светлый дом", "Вкусный двор", "Старт",
		"Парус", "Сибирские промыслы", "Байкал-Тур", "Уральские мастера", "Волга-Логистик", "Фабрика вкуса",
		"Зелёный сад", "Цифровые решения", "Теплый угол", "Спектр", "Атлант", "Мастерская уюта", "Город цветов"}
	firstNames  = []string{"Ирина", "Алексей", "Мария", "Андрей", "Наталья", "Сергей", "Ольга", "Павел", "Татьяна", "Игорь", "Екатерина", "Максим", "Юлия", "Роман"}
	patronymics = []string{"Сергеевна", "Владимирович", "Андреевна", "Петрович", "Игоревна", "Николаевич", "Олеговна", "Александрович"}
	surnames    = []string{"Иванов", "Петров", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов", "Волков", "Зайцев", "Павлов"}
	managers    = []string{"Алексей Смирнов", "Марина Орлова", "Виктор Егоров", "Светлана Белова"}
	// Industries: the acquiring rules allow 47 (retail), 56 (food), 79, 85.41, 93, 96; the rest are for contrast.
	okvedFit   = []string{"47.91", "47.11", "47.71", "56.10", "56.30", "79.11", "85.41", "93.13", "96.02"}
	okvedOther = []string{"62.01", "41.20", "49.41", "43.21", "46.90", "68.20", "69.10"}
)

type clientRow struct {
	externalID, inn, company, legalForm, contact, phone, okved, region, tz, segment string
}

type appRow struct {
	externalID, client, product, status, manager string
	submitted                                    time.Time
}

type eventRow struct {
	app, kind, result string
	at                time.Time
}

type generator struct {
	r       *rand.Rand
	now     time.Time
	clients []clientRow
	apps    []appRow
	events  []eventRow
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *generator) ago(minDays, maxDays float64) time.Time {
	d := minDays + g.r.Float64()*(maxDays-minDays)
	return g.now.Add(-time.Duration(d * 24 * float64(time.Hour))).Truncate(time.Minute)
}

// build makes 600 clients: 300 with missed calls, 150 waiting after a meeting, 150 with a fresh account.
func (g *generator) build() {
	for i := range 600 {
		kind := "missed"
		switch {
		case i >= 450:
			kind = "acquiring"
		case i >= 300:
			kind = "follow_up"
		}
		c := g.client(i, kind)
		g.clients = append(g.clients, c)
		app := appRow{externalID: fmt.Sprintf("demo-app-%04d", i), client: c.externalID, product: "rko",
			manager: g.pick(managers)}
		switch kind {
		case "missed":
			app.status, app.submitted = "new", g.ago(0.2, 9)
			attempts := 1 + g.r.IntN(4)
			for a := range attempts {
				result := []string{"no_answer", "busy", "no_answer", "rejected"}[g.r.IntN(4)]
				at := app.submitted.Add(time.Duration(a+1) * time.Duration(2+g.r.IntN(5)) * time.Hour)
				if at.After(g.now) {
					at = g.now.Add(-time.Duration(attempts-a) * time.Minute)
				}
				g.events = append(g.events, eventRow{app.externalID, "call_attempt", result, at})
			}
		case "follow_up":
			app.status, app.submitted = "meeting_booked", g.ago(12, 40)
			booked := app.submitted.Add(time.Duration(1+g.r.IntN(3)) * 24 * time.Hour)
			g.events = append(g.events, eventRow{app.externalID, "call_answered", "", app.submitted.Add(2 * time.Hour)},
				eventRow{app.externalID, "meeting_booked", "", booked})
		case "acquiring":
			app.status, app.submitted = "account_opened", g.ago(8, 35)
			opened := g.ago(1, 25)
			if opened.Before(app.submitted) {
				opened = app.submitted.Add(72 * time.Hour)
			}
			g.events = append(g.events, eventRow{app.externalID, "call_answered", "", app.submitted.Add(time.Hour)},
				eventRow{app.externalID, "account_opened", "", opened})
		}
		g.apps = append(g.apps, app)
	}
}

func (g *generator) client(i int, kind string) clientRow {
	reg := regions[g.r.IntN(len(regions))]
	c := clientRow{externalID: fmt.Sprintf("demo-%04d", i), region: reg.name, tz: reg.tz,
		segment: []string{"micro", "micro", "small", "medium"}[g.r.IntN(4)]}
	first, patronymic, surname := g.pick(firstNames), g.pick(patronymics), g.pick(surnames)
	if strings.HasSuffix(patronymic, "на") { // a woman's patronymic: the surname follows
		surname += "а"
	}
	c.contact = first + " " + patronymic
	if g.r.IntN(3) == 0 {
		c.legalForm, c.inn = "ИП", g.inn(12)
		c.company = "ИП " + surname + " " + string([]rune(first)[:1]) + ". " + string([]rune(patronymic)[:1]) + "."
	} else {
		c.legalForm, c.inn = "ООО", g.inn(10)
		c.company = "ООО «" + g.pick(nameWords) + "»"
	}
	c.okved = g.pick(okvedOther)
	if kind == "acquiring" && g.r.IntN(5) != 0 || kind != "acquiring" && g.r.IntN(2) == 0 {
		c.okved = g.pick(okvedFit)
	}
	c.phone = fmt.Sprintf("+79%02d%07d", 10+g.r.IntN(90), g.r.IntN(10000000))
	return c
}

// inn returns a taxpayer number with valid check digits (10 for a company, 12 for a sole proprietor).
func (g *generator) inn(n int) string {
	d := make([]int, n)
	for i := range n - 2 {
		d[i] = g.r.IntN(10)
	}
	d[0] = 1 + g.r.IntN(9)
	check := func(weights []int, upto int) int {
		s := 0
		for i, w := range weights {
			if i < upto {
				s += w * d[i]
			}
		}
		return s % 11 % 10
	}
	if n == 10 {
		d[8] = g.r.IntN(10)
		d[9] = check([]int{2, 4, 10, 3, 5, 9, 4, 6, 8}, 9)
	} else {
		d[10] = check([]int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}, 10)
		d[11] = check([]int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}, 11)
	}
	var b strings.Builder
	for _, x := range d {
		b.WriteByte(byte('0' + x))
	}
	return b.String()
}

func (g *generator) write(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, c := range g.clients {
			if _, err := tx.Exec(ctx, `
				INSERT INTO clients (external_id, inn, company_name, legal_form, contact_name, phone, okved, region, timezone, segment)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				c.externalID, c.inn, c.company, c.legalForm, c.contact, c.phone, c.okved, c.region, c.tz, c.segment); err != nil {
				return fmt.Errorf("demo: client %s: %w", c.externalID, err)
			}
		}
		for _, a := range g.apps {
			if _, err := tx.Exec(ctx, `
				INSERT INTO applications (external_id, client_id, product, status, field_manager, submitted_at, channel)
				SELECT $1, id, $3, $4, $5, $6, 'site' FROM clients WHERE external_id = $2`,
				a.externalID, a.client, a.product, a.status, a.manager, a.submitted); err != nil {
				return fmt.Errorf("demo: application %s: %w", a.externalID, err)
			}
		}
		for _, e := range g.events {
			if _, err := tx.Exec(ctx, `
				INSERT INTO application_events (application_id, kind, result, occurred_at)
				SELECT id, $2, $3, $4 FROM applications WHERE external_id = $1`, e.app, e.kind, e.result, e.at); err != nil {
				return fmt.Errorf("demo: event of %s: %w", e.app, err)
			}
		}
		return nil
	})
}
