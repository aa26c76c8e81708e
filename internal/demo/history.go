package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
	_ "time/tzdata" // clients' local hours are computed by zone name; a slim host may have no zoneinfo

	"github.com/jackc/pgx/v5"

	"dozvon/campaigns"
	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/messenger"
)

// The demo's past: two weeks of leads the three campaigns already wrote to, and the conversations that followed,
// laid out so that every supervisor figure shows the team's reference results (DOMAIN.md) on the first login.
// The past has clients, applications, leads and chats of its own; the 600 clients of today are not touched, so
// their leads stay in the campaigns' audiences.
//
// Which share each figure is of, as DOMAIN.md states it:
//   - contactability ("successful communication", the client replied): dialogs / leads written to. Only missed
//     calls have a reference (+10%: these clients never answered the phone, so every reply is contact won);
//     follow-ups (clients who met a manager) and cross-sell (the bank's own clients) answer more readily.
//   - consent: consents / leads that replied. "Missed calls → consent 18%" cannot be a share of every lead written
//     to when only 10% reply; the chat team's funnel starts at the reply, so all three kinds use that base.
//   - conversion: a share of consents for all three kinds, as the bank states it: missed calls "25% от согласия",
//     follow-ups "40,4% после повторного согласия", cross-sell "5,1% от согласий". Cross-sell replies are laid out
//     at 43% so that its 7.1% consent makes 20 consents, enough for one connection to read as 5%.
//   - SLA "first minute": client messages an operator answered within 60 s / client messages an operator was
//     expected to answer (sla), per lead kind.
//   - top CSAT: ratings of 5 / ratings given. Not every client rates a closed dialog.
//   - QA: the average score of the dialogs the supervisor reviewed (the reference team's 99.8 against the bank's
//     target of 97). A supervisor reviews a share of the closed dialogs; most pass every item, a few lose one.
//
// Counts are computed from these shares, not drawn by chance, so each figure is right to a fraction of a point.
var pastKinds = []pastKind{
	{kind: campaigns.MissedCall, written: 890, reply: 0.10, consent: 0.18, convert: 0.25},
	{kind: campaigns.FollowUp, written: 250, reply: 0.60, consent: 0.854, convert: 0.404},
	{kind: campaigns.Acquiring, written: 650, reply: 0.434, consent: 0.071, convert: 0.051},
}

// The team's service figures, the same for every kind.
const (
	answeredInMinute = 0.91 // of client messages, answered within 60 s; the rest take 1-10 minutes
	rated            = 0.70 // of closed dialogs, the client pressed a rating
	topRated         = 0.95 // of ratings, a 5; the rest 3 or 4
	reviewed         = 0.60 // of closed dialogs, the supervisor reviewed against the QA checklist
	qaScore          = 99.8 // the reviews' average score
)

// pastChatBase keeps the past's chats away from the simulator. It restores every contact with a positive chat id
// as a client to play (cmd/dozvon restoreSimChats skips only group chats, whose ids are negative), and nobody
// should play a client whose story is over, nor should a campaign write to a chat the simulator does not have.
// So the past's chat ids are negative, far from today's 7,000,000,000 + client id.
const pastChatBase = -7_500_000_000

type pastKind struct {
	kind                     string
	written                  int
	reply, consent, convert  float64
	replied, consented, conv int
}

func share(n int, f float64) int { return int(math.Round(float64(n) * f)) }

func (k *pastKind) count() {
	k.replied = share(k.written, k.reply)
	k.consented = share(k.replied, k.consent)
	k.conv = share(k.consented, k.convert)
}

// Past counts what the demo's past holds: leads (each with its own client, chat and broadcast), the dialogs of
// those who replied, their messages and the outcomes recorded.
type Past struct {
	Leads, Dialogs, Messages, Outcomes int
}

// line is one exchange of a dialog: the client writes, an operator answers.
type line struct{ client, operator string }

// dialogScript is how a dialog of one lead kind goes for one ending; {company} is the client's company.
type dialogScript struct {
	lines []line
	// A refusal's reason, as the operator picks it from the supervisors' list: the Russian label of one of the
	// reasons every installation starts with (migration 00026), the operator's comment beside it, and the reason's
	// share of the kind's refusals, in tenths.
	reason, comment string
	tenths          int
}

// The refusal reasons the past's operators picked: labels of the list every installation starts with (migration
// 00026), which supervisors may extend.
const (
	reasonOtherBank      = "Уже есть счёт в другом банке"
	reasonOtherAcquiring = "Уже есть эквайринг в другом банке"
	reasonExpensive      = "Дорогие тарифы"
	reasonNotNow         = "Сейчас не актуально"
	reasonNoWebsite      = "Нет сайта или онлайн-продаж"
	reasonClosing        = "Закрывает бизнес"
	reasonDidNotApply    = "Не оставлял заявку"
)

const (
	endConsent  = "consent"
	endRefusal  = "refusal"
	endCallback = "callback"
	endNothing  = "" // questions answered, nothing decided yet
)

var pastScripts = map[string]map[string][]dialogScript{
	campaigns.MissedCall: {
		endConsent: {{lines: []line{
			{"Да, удобно в чате. Что нужно, чтобы открыть счёт?", "Здравствуйте! Для {company} понадобятся только паспорт руководителя и устав — договор менеджер привезёт на подпись. Какой оборот планируете?"},
			{"Около миллиона в месяц, платежей 20–30.", "Тогда выгоднее тариф «Активный»: 1 490 ₽ в месяц, 30 платежей включены. Оформляем? Менеджер приедет в удобное время."},
			{"Да, давайте. Лучше в четверг после обеда.", "Записываю: менеджер приедет в четверг после 14:00 и позвонит заранее. Счёт откроем в день встречи."},
		}}},
		endRefusal: {
			{reason: reasonOtherBank, comment: "Уже открыли счёт в другом банке", tenths: 4, lines: []line{
				{"Здравствуйте. Мы уже открыли счёт в другом банке.", "Понимаю, спасибо, что ответили! Если понадобится второй счёт или зарплатный проект — напишите сюда, подберём условия."},
				{"Хорошо, спасибо.", "Всего доброго!"},
			}},
			{reason: reasonExpensive, comment: "Ждали бесплатное обслуживание", tenths: 2, lines: []line{
				{"Посмотрели тарифы, для нас дороговато.", "На тарифе «Старт» первые 3 месяца обслуживание — 0 ₽, далее 490 ₽ в месяц. Сколько платежей в месяц вы ожидаете?"},
				{"Немного, но всё равно пока не готовы.", "Понимаю. Заявка сохранится — напишите сюда, когда будете готовы."},
			}},
			{reason: reasonNotNow, comment: "Открытие компании отложили", tenths: 2, lines: []line{
				{"Спасибо, но сейчас не до этого: открытие компании отложили.", "Понимаю! Заявка сохранится: когда вернётесь к открытию, напишите сюда — продолжим с того же места."},
				{"Хорошо.", "Всего доброго!"},
			}},
			{reason: reasonDidNotApply, comment: "Заявку, похоже, оставил бухгалтер", tenths: 1, lines: []line{
				{"Я не оставлял никакой заявки. Откуда у вас мой номер?", "Извините за беспокойство! Заявка на счёт пришла с сайта банка с этим номером — возможно, её оставил коллега. Больше не будем писать об этом."},
			}},
			{reason: reasonClosing, comment: "Закрывают бизнес", tenths: 1, lines: []line{
				{"Уже неактуально, мы закрываем бизнес.", "Понимаю, спасибо, что сообщили. Если понадобится счёт для нового дела — пишите сюда."},
			}},
		},
		endCallback: {{lines: []line{
			{"Сейчас неудобно переписываться, лучше позвоните.", "Конечно! Когда вам удобно? Позвоним по вашему местному времени."},
			{"Завтра в 11.", "Договорились: завтра в 11:00 по вашему времени позвонит специалист по расчётным счетам."},
		}}},
		endNothing: {{lines: []line{
			{"Какая стоимость обслуживания?", "На тарифе «Старт» — 0 ₽ первые 3 месяца, далее 490 ₽ в месяц; 3 платежа в месяц бесплатно, далее 49 ₽. Рассказать подробнее?"},
			{"Пока подумаю.", "Конечно. Если появятся вопросы — пишите сюда, ответим за минуту."},
		}}},
	},
	campaigns.FollowUp: {
		endConsent: {{lines: []line{
			{"Здравствуйте. Не успели собрать документы, потом закрутились.", "Понимаю! Давайте поможем: менеджер может сам заехать за документами для {company}. Остались устав и решение о назначении директора."},
			{"Да, так будет удобнее.", "Тогда назначаем новую встречу: менеджер приедет в удобный день и заберёт документы. Подтверждаете?"},
			{"Подтверждаю, в пятницу утром.", "Записываю на пятницу, 10:00–12:00. Менеджер позвонит накануне."},
		}}},
		endRefusal: {
			{reason: reasonOtherBank, comment: "Там год бесплатного обслуживания", tenths: 5, lines: []line{
				{"Мы уже открылись в другом банке, спасибо.", "Спасибо, что сообщили! Что оказалось удобнее? Это поможет нам стать лучше."},
				{"Там предложили бесплатное обслуживание на год.", "Спасибо, передам коллегам. Если что-то изменится — пишите сюда."},
			}},
			{reason: reasonExpensive, comment: "Для их оборота обслуживание дорого", tenths: 3, lines: []line{
				{"Посчитали ещё раз: для нашего оборота обслуживание выходит дорого.", "Давайте подберём тариф под ваш оборот: на тарифе «Старт» первые 3 месяца — 0 ₽, далее 490 ₽ в месяц. Рассчитать?"},
				{"Нет, спасибо, решили пока не открывать.", "Понимаю. Если передумаете — пишите сюда, менеджер заедет снова."},
			}},
			{reason: reasonNotNow, comment: "Отложили до следующего квартала", tenths: 2, lines: []line{
				{"Открытие счёта отложили до следующего квартала.", "Хорошо! Документы останутся у менеджера — напишите, когда будете готовы, и назначим встречу."},
			}},
		},
		endCallback: {{lines: []line{
			{"Давайте лучше созвонимся, вопросов много.", "Конечно! Во сколько удобно? Позвоним по вашему местному времени."},
			{"Завтра после 15.", "Договорились: завтра после 15:00 по вашему времени позвонит менеджер, который вёл встречу."},
		}}},
		endNothing: {{lines: []line{
			{"Какие документы остались?", "Устав и решение о назначении директора. Менеджер может забрать их сам — назначить встречу?"},
			{"Пока не нужно, я напишу.", "Хорошо, ждём вас здесь, в чате."},
		}}},
	},
	campaigns.Acquiring: {
		endConsent: {{lines: []line{
			{"Расскажите подробнее про эквайринг.", "Для {company}: оплата картами и по СБП на сайте, комиссия от 1,5% по картам и 0,4% по СБП, деньги на счёте на следующий день. Сайт у вас уже есть?"},
			{"Да, интернет-магазин на Тильде.", "Для Тильды есть готовый модуль. Оформим заявку на подключение? Понадобится только адрес сайта."},
			{"Да, оформляйте.", "Заявка оформлена: в течение дня пришлём доступы и инструкцию по модулю."},
		}}},
		endRefusal: {
			{reason: reasonOtherAcquiring, comment: "Эквайринг в другом банке", tenths: 4, lines: []line{
				{"Спасибо, у нас уже есть эквайринг в другом банке.", "Понимаю. Если захотите сравнить условия — пришлём расчёт по вашему обороту, это бесплатно."},
			}},
			{reason: reasonNoWebsite, comment: "Оплату принимают только на месте", tenths: 3, lines: []line{
				{"У нас нет сайта, платят на месте.", "Понятно! Для оплаты на месте подойдёт торговый эквайринг или QR-код СБП — рассказать?"},
				{"Нет, спасибо, терминал уже есть.", "Хорошо, всего доброго!"},
			}},
			{reason: reasonExpensive, comment: "Комиссия по картам высока для них", tenths: 2, lines: []line{
				{"Комиссия 1,5% для нас высоковата.", "По СБП комиссия 0,4% — это дешевле карт. Рассчитать выгоду по вашему обороту?"},
				{"Нет, спасибо, пока не нужно.", "Хорошо, всего доброго!"},
			}},
			{reason: reasonNotNow, comment: "Сайт только запускают", tenths: 1, lines: []line{
				{"Сайт только запускаем, вернёмся к этому позже.", "Удачного запуска! Когда сайт заработает, напишите сюда — подключим за день."},
			}},
		},
		endCallback: {{lines: []line{
			{"Интересно, но лучше обсудить голосом.", "Конечно! Когда удобно, чтобы позвонил специалист по эквайрингу?"},
			{"В среду днём.", "Договорились: в среду в 13:00 по вашему местному времени позвонит специалист."},
		}}},
		endNothing: {{lines: []line{
			{"Какие тарифы?", "Комиссия от 1,5% по картам и 0,4% по СБП, подключение и обслуживание бесплатно."},
			{"Понятно, подумаю.", "Хорошо! Если решите подключить — напишите сюда, оформим за день."},
		}}},
	},
}

const (
	csatQuestion = "Спасибо за разговор! Оцените, пожалуйста, как мы помогли: 1 — плохо, 5 — отлично." // dialog's words
	csatThanks   = "Спасибо за оценку! Если появятся вопросы — просто напишите сюда."
)

// past builds the demo's past in memory, deterministically, then writes it with a handful of set-based statements.
type past struct {
	r         *rand.Rand
	channels  *rand.Rand // which messenger a lead was written on: a draw of its own, so the rest stays as it was
	now       time.Time
	camps     map[string]campaigns.Campaign // by lead kind
	leads     [][]any
	events    [][]any
	messages  [][]any
	outcomes  [][]any
	n         int // leads so far: their number names the client, the application and the chat
	dialogs   int
	operators []string
	zones     map[string]*time.Location
}

type pastDialog struct {
	end    string
	script dialogScript
	conv   bool
	csat   int
	qa     int // the supervisor's QA score; 0 for a dialog not reviewed
}

// qaSlips are the QA reviews that were not 100, with what the supervisor wrote: each fails the checklist item of
// its weight (see dialog.QAChecklist).
var qaSlips = map[int]string{
	95: "Не представил банк в первом сообщении.",
	90: "Опечатки в ответе про тариф — перечитывайте перед отправкой.",
}

// qaAnswers is a checklist with every item passed but the one whose weight the score misses.
func qaAnswers(score int) (string, error) {
	answers := map[string]bool{}
	for _, item := range dialog.QAChecklist {
		answers[item.Key] = item.Weight != 100-score
	}
	if got := dialog.QAScore(answers); got != score {
		return "", fmt.Errorf("demo: no checklist item weighs %d to make a QA score of %d (got %d)", 100-score, score, got)
	}
	b, err := json.Marshal(answers)
	return string(b), err
}

// qaScores are the scores of n reviews averaging qaScore: the points missed, in fives, are a few 90s and 95s.
func qaScores(n int) []int {
	fives := int(math.Round(float64(n) * (100 - qaScore) / 5))
	nineties := fives / 3
	scores := make([]int, n)
	for i := range scores {
		switch {
		case i < nineties:
			scores[i] = 90
		case i < fives-nineties:
			scores[i] = 95
		default:
			scores[i] = 100
		}
	}
	return scores
}

func (p *past) build() error {
	for i := range pastKinds {
		k := pastKinds[i]
		k.count()
		if err := p.buildKind(k); err != nil {
			return err
		}
	}
	return nil
}

// buildKind lays out one kind: who replied, how each dialog ended, which answers were quick and which ratings top.
func (p *past) buildKind(k pastKind) error {
	camp := p.camps[k.kind]
	tmpl, err := campaigns.Compile(camp.Template)
	if err != nil {
		return fmt.Errorf("demo: template of %s: %w", camp.Name, err)
	}
	markup, _ := json.Marshal(campaignMarkup(camp))
	slots, err := p.slots(camp.Schedule)
	if err != nil {
		return err
	}
	// Endings: the first replies consent (the first of those convert), then about half of the rest refuse,
	// a fifth ask for a call, and the others only ask questions.
	order := p.r.Perm(k.written)
	plans := make([]pastDialog, k.written)
	others := k.replied - k.consented
	refusals, callbacks := others/2, others/5
	var sla int
	for rank, idx := range order[:k.replied] {
		d := pastDialog{conv: true}
		switch {
		case rank < k.consented:
			d.end = endConsent
		case rank < k.consented+refusals:
			d.end = endRefusal
		case rank < k.consented+refusals+callbacks:
			d.end = endCallback
		}
		options := pastScripts[k.kind][d.end]
		if d.end == endRefusal {
			d.script = byShare(options, rank-k.consented, refusals)
		} else {
			d.script = options[p.r.IntN(len(options))]
		}
		sla += len(d.script.lines)
		plans[idx] = d
	}
	converted := map[int]bool{}
	for _, idx := range order[:k.conv] {
		converted[idx] = true
	}
	// Ratings: a share of the dialogs, chosen apart from how they ended; the top ones first.
	ratedN := share(k.replied, rated)
	for rank, j := range p.r.Perm(k.replied)[:ratedN] {
		score := 3 + p.r.IntN(2)
		if rank < share(ratedN, topRated) {
			score = 5
		}
		plans[order[j]].csat = score
	}
	// QA reviews: a share of the dialogs, chosen apart from how they ended and how they were rated.
	scores := qaScores(share(k.replied, reviewed))
	for i, j := range p.r.Perm(k.replied)[:len(scores)] {
		plans[order[j]].qa = scores[i]
	}
	// Response times, one per client message of the kind: exactly the first-minute share are quick.
	responses := make([]time.Duration, sla)
	quick := share(sla, answeredInMinute)
	for i := range responses {
		if i < quick {
			responses[i] = time.Duration(4+p.r.IntN(55)) * time.Second
		} else {
			responses[i] = time.Duration(61+p.r.IntN(540)) * time.Second
		}
	}
	p.r.Shuffle(len(responses), func(i, j int) { responses[i], responses[j] = responses[j], responses[i] })

	for idx := range k.written {
		slot := slots[p.r.IntN(len(slots))]
		if err := p.lead(k.kind, camp, slot, tmpl, string(markup), plans[idx], converted[idx], &responses); err != nil {
			return err
		}
	}
	return nil
}

// byShare is the script of the i-th of n refusals: the reasons take their shares of the refusals in turn, so a
// kind's refusals are split by reason as the scripts' tenths say, not as a draw happens to fall.
func byShare(options []dialogScript, i, n int) dialogScript {
	cum := 0
	for _, o := range options {
		cum += o.tenths
		if i*10 < cum*n {
			return o
		}
	}
	return options[len(options)-1]
}

// campaignMarkup is the keyboard a run attaches to the campaign's message (see campaigns' markup).
func campaignMarkup(camp campaigns.Campaign) messenger.Markup {
	var rows messenger.Markup
	for i, b := range camp.Template.Buttons {
		data := fmt.Sprintf("c:%d:%d", camp.ID, i)
		if b.Action == campaigns.ActionOptOut {
			data = "optout"
		}
		rows = append(rows, []messenger.Button{{Text: b.Text, Data: data}})
	}
	return rows
}

// slots are the campaign's scheduled runs of the past two weeks, up to four days ago, so that every dialog, call
// back and conversion of the past is over by now, however far east the client and late their reply.
func (p *past) slots(schedule string) ([]time.Time, error) {
	runs, err := campaigns.NextRuns(schedule, p.now.Add(-14*24*time.Hour), 40)
	if err != nil {
		return nil, fmt.Errorf("demo: past runs of %q: %w", schedule, err)
	}
	var out []time.Time
	for _, t := range runs {
		if t.Before(p.now.Add(-4 * 24 * time.Hour)) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("demo: no past runs of %q", schedule)
	}
	return out, nil
}

// workingHours moves t into the client's working day: quiet hours hold messages until 9:00, and a dialog starts no
// later than 19:00 so that it ends before the evening.
func workingHours(t time.Time, loc *time.Location, latest int) time.Time {
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 9, 0, 0, 0, loc)
	switch {
	case l.Hour() < 9:
		return day.Add(t.Sub(t.Truncate(time.Hour)) % (20 * time.Minute))
	case l.Hour() >= latest:
		return day.AddDate(0, 0, 1).Add(t.Sub(t.Truncate(time.Hour)) % (20 * time.Minute))
	}
	return t
}

// renderer is a compiled campaign template.
type renderer interface {
	Render(values map[string]string) string
}

// zone is a client's time zone, loaded once per name.
func (p *past) zone(name string) *time.Location {
	if loc, ok := p.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	p.zones[name] = loc
	return loc
}

func (p *past) between(from, to time.Duration) time.Duration {
	return from + time.Duration(p.r.Int64N(int64(to-from)))
}

// lead writes one past lead: its client, application and history, the broadcast it got and, if the client
// replied, the dialog with its messages and outcomes.
func (p *past) lead(kind string, camp campaigns.Campaign, slot time.Time, tmpl renderer, markup string, d pastDialog,
	converted bool, responses *[]time.Duration) error {
	p.n++
	n := p.n
	g := &generator{r: p.r, now: slot}
	c := g.client(n, map[string]string{campaigns.MissedCall: "missed", campaigns.FollowUp: "follow_up",
		campaigns.Acquiring: "acquiring"}[kind])
	c.externalID = fmt.Sprintf("demo-past-%04d", n)
	c.phone = fmt.Sprintf("+790%d%07d", n%10, n) // +7900…+7909: a range today's demo clients never use
	loc := p.zone(c.tz)
	app := fmt.Sprintf("demo-past-app-%04d", n)
	manager := g.pick(managers)
	var submitted, eligible time.Time
	appStatus := map[string]string{campaigns.MissedCall: "new", campaigns.FollowUp: "meeting_booked",
		campaigns.Acquiring: "account_opened"}[kind]
	switch kind {
	case campaigns.MissedCall:
		submitted = slot.Add(-p.between(30*time.Hour, 4*24*time.Hour)).Truncate(time.Minute)
		attempts := 2 + p.r.IntN(2)
		for a := range attempts {
			eligible = submitted.Add(time.Duration(a+1) * time.Duration(2+p.r.IntN(5)) * time.Hour)
			p.events = append(p.events, []any{n, "call_attempt", []string{"no_answer", "busy", "rejected"}[p.r.IntN(3)], eligible})
		}
	case campaigns.FollowUp:
		booked := slot.Add(-p.between(8*24*time.Hour, 30*24*time.Hour)).Truncate(time.Minute)
		submitted = booked.Add(-p.between(24*time.Hour, 3*24*time.Hour)).Truncate(time.Minute)
		eligible = booked.Add(7 * 24 * time.Hour)
		p.events = append(p.events, []any{n, "call_answered", "", submitted.Add(2 * time.Hour)},
			[]any{n, "meeting_booked", "", booked})
	case campaigns.Acquiring:
		opened := slot.Add(-p.between(24*time.Hour, 20*24*time.Hour)).Truncate(time.Minute)
		submitted = opened.Add(-p.between(3*24*time.Hour, 10*24*time.Hour)).Truncate(time.Minute)
		eligible = opened
		p.events = append(p.events, []any{n, "call_answered", "", submitted.Add(time.Hour)},
			[]any{n, "account_opened", "", opened})
	}
	sent := workingHours(slot.Add(time.Duration(p.r.IntN(60))*time.Second), loc, 21)
	text := tmpl.Render(map[string]string{"ClientName": c.contact, "Company": c.company, "INN": c.inn,
		"Region": c.region, "Manager": manager})

	// A lead that never replied is closed with its application: the past is over, and a lead still open would join
	// today's audiences and be written to in a chat the simulator does not have.
	leadStatus, updated := "closed", sent.Add(14*24*time.Hour)
	if updated.After(p.now) {
		updated = p.now
	}
	var conv []any
	if d.conv {
		conv, leadStatus, updated = p.dialog(n, kind, c, loc, sent, d, converted, responses)
	}
	switch {
	case leadStatus == "closed" && kind != campaigns.Acquiring, leadStatus == "refused" && kind != campaigns.Acquiring:
		appStatus = "closed"
	case leadStatus == "converted" && kind != campaigns.Acquiring:
		appStatus = "account_opened"
	}
	row := []any{n, kind, c.externalID, c.inn, c.company, c.legalForm, c.contact, c.phone, c.okved, c.region, c.tz,
		c.segment, app, appStatus, manager, submitted, leadStatus, eligible, updated, int64(pastChatBase - n),
		strings.SplitN(c.contact, " ", 2)[0], sent.Add(-p.between(24*time.Hour, 5*24*time.Hour)), camp.ID, slot, sent,
		text, markup, p.channel(slot)}
	if conv == nil {
		conv = make([]any, 7)
	}
	qa := make([]any, 3)
	if d.qa > 0 {
		answers, err := qaAnswers(d.qa)
		if err != nil {
			return err
		}
		qa = []any{d.qa, answers, qaSlips[d.qa]}
	}
	p.leads = append(p.leads, append(append(row, conv...), qa...))
	return nil
}

// channel is the messenger a lead written to at slot was reached on. The demo's bank is a Russian one after
// June 2025 (DOMAIN.md, README "Channels and bots"): its clients move to MAX, so MAX's share of the leads grows over
// the two weeks, from about 45% to about 70%, and Telegram's shrinks.
func (p *past) channel(slot time.Time) string {
	progress := 1 - float64(p.now.Sub(slot))/float64(15*24*time.Hour)
	if p.channels.Float64() < 0.45+0.25*min(max(progress, 0), 1) {
		return messenger.MAX
	}
	return messenger.Telegram
}

// dialog lays out one conversation in time: the client replies some minutes after the broadcast, each message is
// answered after its planned response time, the outcome is recorded, the dialog closed and maybe rated. It returns
// the conversation's columns, the lead's status after it and when the lead last changed.
func (p *past) dialog(n int, kind string, c clientRow, loc *time.Location, sent time.Time, d pastDialog,
	converted bool, responses *[]time.Duration) ([]any, string, time.Time) {
	p.dialogs++
	op := p.operators[p.r.IntN(len(p.operators))]
	t := workingHours(sent.Add(p.between(2*time.Minute, 3*time.Hour)), loc, 19)
	opened := t
	var assigned time.Time
	msg := func(role, text string, at time.Time, response *time.Duration, csat int) {
		var ms any
		if response != nil {
			ms = int(response.Milliseconds())
		}
		var score any
		if csat > 0 {
			score = csat
		}
		p.messages = append(p.messages, []any{n, len(p.messages), role, text, messenger.Escape(text), at, ms, score})
	}
	for i, l := range d.script.lines {
		r := (*responses)[0]
		*responses = (*responses)[1:]
		msg("client", l.client, t, &r, 0)
		if i == 0 {
			assigned = t.Add(min(r/2, 10*time.Second))
		}
		t = t.Add(r)
		msg("operator", strings.ReplaceAll(l.operator, "{company}", c.company), t, nil, 0)
		if i < len(d.script.lines)-1 {
			t = t.Add(p.between(30*time.Second, 4*time.Minute))
		}
	}
	status, updated := "replied", t
	outcome := func(kind, product, comment string, at time.Time, due any, source string, done any) {
		p.outcomes = append(p.outcomes, []any{n, kind, product, comment, at, due, source, done, d.script.reason})
	}
	decided := t.Add(p.between(20*time.Second, 90*time.Second))
	switch d.end {
	case endConsent:
		product := "rko"
		if kind == campaigns.Acquiring {
			product = "acquiring"
		}
		outcome("consent", product, "", decided, nil, "operator", nil)
		status, updated = "consented", decided
		if converted {
			// The bank's systems confirm the conversion days later. A follow-up is handed back to a field
			// manager with a deadline first, as the dialog does with a meeting.
			left := p.now.Add(-time.Hour).Sub(decided)
			at := decided.Add(time.Duration(float64(left) * (0.2 + 0.7*p.r.Float64()))).Truncate(time.Second)
			if kind == campaigns.FollowUp {
				due := decided.Add(5 * 24 * time.Hour).Truncate(time.Hour)
				outcome("meeting", "", "", decided.Add(5*time.Second), due, "operator", nil)
				if at.After(due) {
					at = decided.Add(time.Duration(float64(due.Sub(decided)) * (0.3 + 0.6*p.r.Float64()))).Truncate(time.Second)
				}
			}
			kindDone, product := "account_opened", "rko"
			if kind == campaigns.Acquiring {
				kindDone, product = "acquiring_connected", "acquiring"
			}
			outcome(kindDone, product, "", at, nil, "import", nil)
			status, updated = "converted", at
		}
	case endRefusal:
		outcome("refusal", "", d.script.comment, decided, nil, "operator", nil)
		status, updated = "refused", decided
	case endCallback:
		l := decided.In(loc)
		due := time.Date(l.Year(), l.Month(), l.Day()+1, 11+p.r.IntN(5), 0, 0, 0, loc)
		outcome("callback", "", "", decided, due, "operator", due.Add(p.between(2*time.Minute, 40*time.Minute)))
	}
	closed := decided.Add(p.between(30*time.Second, 3*time.Minute))
	msg("bot", csatQuestion, closed, nil, 0)
	var csatAt any
	if d.csat > 0 {
		at := closed.Add(p.between(20*time.Second, 10*time.Minute))
		msg("rating", fmt.Sprint(d.csat), at, nil, d.csat)
		msg("bot", csatThanks, at.Add(time.Second), nil, 0)
		csatAt = at
	}
	var csat any
	if d.csat > 0 {
		csat = d.csat
	}
	return []any{op, opened, assigned, closed, csat, csatAt, true}, status, updated
}

// seedPast builds the past and writes it in one transaction: the plan goes into temporary tables with COPY, and
// each real table is filled from them with one INSERT ... SELECT, in the order a real day would have filled it.
func seedPast(ctx context.Context, tx pgx.Tx, camps []campaigns.Campaign, now time.Time) (Past, error) {
	p := &past{r: rand.New(rand.NewPCG(2026, 14)), channels: rand.New(rand.NewPCG(2026, 41)), now: now,
		camps: map[string]campaigns.Campaign{},
		zones: map[string]*time.Location{}}
	for _, c := range camps {
		p.camps[c.LeadKind] = c
	}
	for _, m := range Team {
		if m.Role == auth.Operator {
			p.operators = append(p.operators, m.Login)
		}
	}
	if err := p.build(); err != nil {
		return Past{}, err
	}
	if _, err := tx.Exec(ctx, pastTables); err != nil {
		return Past{}, fmt.Errorf("demo: past: %w", err)
	}
	for _, t := range []struct {
		name string
		cols []string
		rows [][]any
	}{
		{"past_leads", pastLeadColumns, p.leads},
		{"past_events", []string{"n", "kind", "result", "at"}, p.events},
		{"past_messages", []string{"n", "seq", "role", "text", "outbox_text", "at", "response_ms", "csat"}, p.messages},
		{"past_outcomes", []string{"n", "kind", "product", "reason", "at", "due_at", "source", "done_at", "refusal"}, p.outcomes},
	} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return Past{}, fmt.Errorf("demo: past: copy %s: %w", t.name, err)
		}
	}
	args := pgx.NamedArgs{"since": now.Add(-15 * 24 * time.Hour), "csat_question": csatQuestion, "now": now}
	for i, q := range pastInserts {
		if _, err := tx.Exec(ctx, q, args); err != nil {
			return Past{}, fmt.Errorf("demo: past, step %d: %w", i+1, err)
		}
	}
	return Past{Leads: len(p.leads), Dialogs: p.dialogs, Messages: len(p.messages) + p.dialogs,
		Outcomes: len(p.outcomes)}, nil
}

var pastLeadColumns = []string{"n", "kind", "external_id", "inn", "company", "legal_form", "contact", "phone", "okved",
	"region", "tz", "segment", "app", "app_status", "manager", "submitted", "lead_status", "eligible", "updated",
	"chat_id", "first_name", "linked_at", "campaign_id", "slot", "sent_at", "text", "markup", "channel",
	"operator", "opened_at", "assigned_at", "closed_at", "csat", "csat_at", "replied", "qa", "qa_answers", "qa_comment"}

// The plan: one row per past lead (with the ids of what is written for it, filled in as it is written), and
// rows of its application's history, its dialog's messages (role: client, operator, bot, rating) and outcomes.
const pastTables = `
	CREATE TEMP TABLE past_leads (
	    n int PRIMARY KEY, kind text, external_id text, inn text, company text, legal_form text, contact text,
	    phone text, okved text, region text, tz text, segment text,
	    app text, app_status text, manager text, submitted timestamptz,
	    lead_status text, eligible timestamptz, updated timestamptz,
	    chat_id bigint, first_name text, linked_at timestamptz,
	    campaign_id bigint, slot timestamptz, sent_at timestamptz, text text, markup text, channel text,
	    bot_id bigint, operator text, opened_at timestamptz, assigned_at timestamptz, closed_at timestamptz,
	    csat smallint, csat_at timestamptz, replied boolean, qa smallint, qa_answers jsonb, qa_comment text,
	    client_id bigint, application_id bigint, lead_id bigint, contact_id bigint, outbox_id bigint,
	    conversation_id bigint, operator_id bigint, csat_buttons jsonb
	) ON COMMIT DROP;
	CREATE TEMP TABLE past_events (n int, kind text, result text, at timestamptz) ON COMMIT DROP;
	CREATE TEMP TABLE past_messages (
	    n int, seq int, role text, text text, outbox_text text, at timestamptz, response_ms int, csat smallint,
	    outbox_id bigint
	) ON COMMIT DROP;
	CREATE TEMP TABLE past_outcomes (
	    n int, kind text, product text, reason text, at timestamptz, due_at timestamptz, source text,
	    done_at timestamptz, refusal text
	) ON COMMIT DROP`

var pastInserts = []string{`
	ANALYZE past_leads, past_events, past_messages, past_outcomes`, `

	INSERT INTO clients (external_id, inn, company_name, legal_form, contact_name, phone, okved, region, timezone,
	                     segment, created_at, updated_at)
	SELECT external_id, inn, company, legal_form, contact, phone, okved, region, tz, segment, submitted, submitted
	FROM past_leads ORDER BY n`, `

	UPDATE past_leads p SET client_id = c.id FROM clients c WHERE c.external_id = p.external_id`, `

	INSERT INTO applications (external_id, client_id, product, status, channel, field_manager, submitted_at, updated_at)
	SELECT app, client_id, 'rko', app_status, 'site', manager, submitted, updated
	FROM past_leads ORDER BY n`, `

	UPDATE past_leads p SET application_id = a.id FROM applications a WHERE a.external_id = p.app`, `

	INSERT INTO application_events (application_id, kind, result, occurred_at)
	SELECT p.application_id, e.kind, e.result, e.at
	FROM past_events e JOIN past_leads p USING (n)
	ORDER BY e.at`, `

	INSERT INTO leads (client_id, application_id, kind, status, eligible_at, created_at, updated_at)
	SELECT client_id, application_id, kind, lead_status, eligible, eligible, updated
	FROM past_leads ORDER BY eligible`, `

	UPDATE past_leads p SET lead_id = l.id FROM leads l WHERE l.application_id = p.application_id AND l.kind = p.kind`,
	// The chats, linked through the campaigns' invitations before the run that wrote to them: on Telegram with the
	// environment's bot, on MAX with the demo's MAX bot.
	`
	INSERT INTO bots (channel, remote_id, username, name) VALUES ('max', '` + demoMAXBotID + `', 'dozvon_demo_bot', 'Дозвон в MAX')
	ON CONFLICT (channel, remote_id) DO NOTHING`, `

	UPDATE past_leads SET bot_id = CASE channel WHEN 'max' THEN (` + demoMAXBot + `) ELSE (` + demoBot + `) END`, `

	INSERT INTO contacts (channel, bot_id, chat_id, first_name, phone, status, linked_via, linked_at, updated_at)
	SELECT channel, bot_id, chat_id, first_name, phone, 'active', 'deep_link', linked_at, linked_at
	FROM past_leads ORDER BY linked_at`, `

	UPDATE past_leads p SET contact_id = ct.id FROM contacts ct
	WHERE ct.bot_id = p.bot_id AND ct.chat_id = p.chat_id`, `

	INSERT INTO contact_leads (contact_id, lead_id, campaign_id, via, linked_at)
	SELECT contact_id, lead_id, campaign_id, 'deep_link', linked_at FROM past_leads`,
	// Every fifth client reached on MAX had written to the bank's Telegram bot months before, and shared their
	// phone there; that chat stays on their card, as the chat they moved from.
	`
	WITH old AS (
	    INSERT INTO contacts (channel, bot_id, chat_id, first_name, phone, status, linked_via, linked_at, updated_at)
	    SELECT 'telegram', (` + demoBot + `), chat_id, first_name, phone, 'active', 'contact',
	           linked_at - interval '120 days', linked_at - interval '120 days'
	    FROM past_leads WHERE channel = 'max' AND n % 5 = 0 ORDER BY linked_at
	    RETURNING id, chat_id, linked_at
	)
	INSERT INTO contact_leads (contact_id, lead_id, via, linked_at)
	SELECT old.id, p.lead_id, 'contact', old.linked_at FROM old JOIN past_leads p ON p.chat_id = old.chat_id`,
	// A run per scheduled slot, each done, and the broadcasts it sent. The campaigns were created before them.
	`
	UPDATE campaigns SET created_at = @since WHERE id IN (SELECT campaign_id FROM past_leads)`, `

	INSERT INTO campaign_runs (campaign_id, slot, trigger, status, audience, enqueued, started_at, finished_at)
	SELECT campaign_id, slot, 'schedule', 'done', count(*), count(*), slot, slot + interval '2 seconds'
	FROM past_leads GROUP BY campaign_id, slot ORDER BY slot`, `

	INSERT INTO outbox (campaign_id, run_id, step, lead_id, channel, bot_id, chat_id, text, reply_markup, state, attempts,
	                    not_before, created_at, sent_at)
	SELECT p.campaign_id, r.id, 1, p.lead_id, p.channel, p.bot_id, p.chat_id, p.text, p.markup::jsonb, 'sent', 1, p.sent_at,
	       p.slot, p.sent_at
	FROM past_leads p JOIN campaign_runs r ON r.campaign_id = p.campaign_id AND r.slot = p.slot
	ORDER BY p.sent_at`, `

	UPDATE past_leads p SET outbox_id = o.id
	FROM outbox o WHERE o.campaign_id = p.campaign_id AND o.step = 1 AND o.lead_id = p.lead_id`,
	// The dialogs of those who replied, each closed by its operator.
	`
	UPDATE past_leads p SET operator_id = u.id FROM users u WHERE u.login = p.operator`, `

	INSERT INTO conversations (contact_id, channel, client_id, lead_id, campaign_id, queue_id, status, operator_id,
	                           opened_at, queued_at, assigned_at, closed_at, csat, csat_at, last_message_at)
	SELECT p.contact_id, p.channel, p.client_id, p.lead_id, p.campaign_id, q.id, 'closed', p.operator_id, p.opened_at,
	       p.opened_at, p.assigned_at, p.closed_at, p.csat, p.csat_at, coalesce(p.csat_at, p.closed_at)
	FROM past_leads p JOIN queues q ON q.lead_kind = p.kind
	WHERE p.replied ORDER BY p.opened_at`, `

	UPDATE past_leads p SET conversation_id = cv.id FROM conversations cv WHERE cv.lead_id = p.lead_id`,
	// The rating question's keyboard, as the dialog sends it on closing: one row, 1 to 5.
	`
	UPDATE past_leads SET csat_buttons = jsonb_build_array((
	    SELECT jsonb_agg(jsonb_build_object('text', s::text, 'data', 'csat:' || conversation_id || ':' || s) ORDER BY s)
	    FROM generate_series(1, 5) s))
	WHERE replied`,
	// What the operators and the bot wrote went out through the outbox, as every answer does. Client messages
	// carry no Telegram update id: the simulator numbers its updates after the inbox's last one, and a past id it
	// reached would be dropped as a redelivery.
	`
	WITH sent AS (
	    INSERT INTO outbox (conversation_id, channel, bot_id, chat_id, text, reply_markup, state, priority, attempts,
	                        not_before, created_at, sent_at)
	    SELECT p.conversation_id, p.channel, p.bot_id, p.chat_id, m.outbox_text,
	           CASE WHEN m.role = 'bot' AND m.text = @csat_question THEN p.csat_buttons END,
	           'sent', 10, 1, m.at, m.at, m.at + interval '1 second'
	    FROM past_messages m JOIN past_leads p USING (n)
	    WHERE m.role IN ('operator', 'bot')
	    ORDER BY m.seq
	    RETURNING id, conversation_id, created_at
	)
	UPDATE past_messages m SET outbox_id = s.id
	FROM sent s JOIN past_leads p ON p.conversation_id = s.conversation_id
	WHERE m.n = p.n AND m.at = s.created_at AND m.role IN ('operator', 'bot')`, `

	INSERT INTO conversation_messages (conversation_id, direction, author_id, text, payload, outbox_id, created_at,
	                                   delivery, sla, answered_at, answered_by, response_ms)
	SELECT conversation_id, direction, author_id, text, payload, outbox_id, created_at, delivery, sla, answered_at,
	       answered_by, response_ms
	FROM (
	    -- the campaign message the client answered, copied in as the dialog's first message
	    SELECT p.n, -1 AS seq, p.conversation_id, 'out' AS direction, NULL::bigint AS author_id, p.text,
	           jsonb_build_object('format', 'html', 'campaign_id', p.campaign_id, 'buttons', p.markup::jsonb) AS payload,
	           p.outbox_id, p.sent_at AS created_at, 'sent' AS delivery, false AS sla, NULL::timestamptz AS answered_at,
	           NULL::bigint AS answered_by, NULL::int AS response_ms
	    FROM past_leads p WHERE p.replied
	    UNION ALL
	    SELECT m.n, m.seq, p.conversation_id,
	           CASE WHEN m.role IN ('client', 'rating') THEN 'in' ELSE 'out' END,
	           CASE WHEN m.role = 'operator' THEN p.operator_id END,
	           m.text,
	           CASE m.role
	               WHEN 'bot' THEN jsonb_build_object('buttons', CASE WHEN m.text = @csat_question THEN p.csat_buttons END)
	               WHEN 'rating' THEN jsonb_build_object('callback_data', 'csat:' || p.conversation_id || ':' || m.csat, 'csat', m.csat)
	               ELSE '{}'
	           END,
	           m.outbox_id, m.at,
	           CASE WHEN m.outbox_id IS NOT NULL THEN 'sent' END,
	           m.role = 'client',
	           m.at + make_interval(secs => m.response_ms / 1000.0),
	           CASE WHEN m.response_ms IS NOT NULL THEN p.operator_id END,
	           m.response_ms
	    FROM past_messages m JOIN past_leads p USING (n)
	) msg
	ORDER BY n, seq`, `

	UPDATE conversations cv SET read_message_id = m.last
	FROM (SELECT conversation_id, max(id) AS last FROM conversation_messages
	      WHERE conversation_id IN (SELECT conversation_id FROM past_leads WHERE replied)
	      GROUP BY conversation_id) m
	WHERE cv.id = m.conversation_id`, `

	INSERT INTO assignments (conversation_id, operator_id, queue_id, reason, at)
	SELECT cv.id, cv.operator_id, cv.queue_id, 'auto', cv.assigned_at
	FROM conversations cv JOIN past_leads p ON p.conversation_id = cv.id
	ORDER BY cv.assigned_at`,
	// Operators record what the client decided; the bank's systems confirm an opened account or a connected
	// acquiring later, with no conversation (source import). Callbacks were made and marked done by the supervisor.
	`
	INSERT INTO outcomes (conversation_id, lead_id, client_id, kind, product, reason, reason_id, due_at, recorded_by,
	                      source, recorded_at, done_at, done_by)
	SELECT CASE WHEN o.source = 'operator' THEN p.conversation_id END, p.lead_id, p.client_id, o.kind, o.product,
	       o.reason, (SELECT min(r.id) FROM refusal_reasons r WHERE r.label_ru = o.refusal), o.due_at,
	       CASE WHEN o.source = 'operator' THEN p.operator_id END, o.source, o.at, o.done_at,
	       CASE WHEN o.done_at IS NOT NULL THEN (SELECT id FROM users WHERE login = 'supervisor') END
	FROM past_outcomes o JOIN past_leads p USING (n)
	ORDER BY o.at`,
	// The supervisor reviewed a share of the closed dialogs against the QA checklist, a few hours after each closed.
	`
	INSERT INTO qa_reviews (conversation_id, reviewer_id, score, answers, comment, reviewed_at)
	SELECT p.conversation_id, (SELECT id FROM users WHERE login = 'supervisor'), p.qa, p.qa_answers,
	       coalesce(p.qa_comment, ''), least(p.closed_at + interval '3 hours', @now)
	FROM past_leads p WHERE p.qa IS NOT NULL
	ORDER BY p.closed_at`,
	// A meeting keeps its deadline on the follow-up lead, as the dialog's hand-off to a field manager does.
	`
	UPDATE leads l SET eligible_at = o.due_at,
	       attributes = l.attributes || jsonb_build_object('meeting_deadline', o.due_at, 'meeting_outcome_id', o.id,
	                                                      'meeting_conversation_id', o.conversation_id)
	FROM outcomes o JOIN past_leads p ON p.lead_id = o.lead_id
	WHERE o.kind = 'meeting' AND l.id = o.lead_id`,
}
