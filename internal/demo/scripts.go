package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/dialog"
)

// Scripts are the prepared answers the demo supervisor keeps for operators: a greeting and a call-back for every
// kind, and the answers each kind of lead most often needs. They use only dialog.ScriptVariables.
var Scripts = []dialog.Script{
	{Title: "Приветствие", Shortcut: "hello",
		Body: "{{.ClientName}}, здравствуйте! Меня зовут {{.Operator}}, я специалист банка по расчётным счетам. " +
			"Вижу заявку от {{.Company}} — расскажу всё здесь, в чате, звонить не обязательно. Чем могу помочь?"},
	{Title: "Договориться о звонке", Shortcut: "callback",
		Body: "{{.ClientName}}, конечно, перезвоним. Напишите, пожалуйста, удобные день и время — мы учтём, " +
			"что у вас {{.Region}}, и позвоним по вашему местному времени. Если удобнее, продолжим здесь, в чате."},
	// The tariffs are the bank's offers (/offers, migration 00010): the script and the offers say the same.
	{Title: "Тарифы РКО", Shortcut: "price", LeadKind: "missed_call",
		Body: "Для {{.Company}} подойдут два тарифа:\n" +
			"• «Старт» — 0 ₽ первые 3 месяца, далее 490 ₽ в месяц; 3 бесплатных платежа в месяц, далее 49 ₽;\n" +
			"• «Активный» — 1 490 ₽ в месяц, 30 бесплатных платежей, снятие наличных до 300 000 ₽ в месяц без комиссии.\n" +
			"Открытие счёта, бизнес-карта и интернет-банк — бесплатно. Какой оборот и сколько платежей в месяц " +
			"вы ожидаете? Подскажу, что выгоднее."},
	{Title: "Документы для открытия счёта", Shortcut: "docs", LeadKind: "missed_call",
		Body: "Для открытия счёта {{.Company}} (ИНН {{.INN}}) понадобятся только:\n" +
			"• паспорт руководителя;\n" +
			"• для ООО — устав, если руководитель не единственный участник.\n" +
			"Остальное банк запросит сам по ИНН. Реквизиты счёта пришлём сразу после заявки, " +
			"документы подпишете при встрече с менеджером."},
	{Title: "Встреча с выездным менеджером", Shortcut: "meet", LeadKind: "follow_up",
		Body: "{{.ClientName}}, давайте назначим новую встречу, чтобы завершить открытие счёта для {{.Company}}. " +
			"{{.Manager}} или другой менеджер приедет в удобное вам место с готовыми документами — " +
			"подписание займёт 15 минут. Когда вам удобно: завтра или в другой день?"},
	{Title: "Эквайринг: предложение", Shortcut: "acq", LeadKind: "acquiring",
		Body: "{{.ClientName}}, для {{.Company}} можно подключить интернет-эквайринг: оплата картой и по СБП " +
			"на сайте или по ссылке. Комиссия от 1,5% по картам и 0,4% по СБП, подключение бесплатно, деньги " +
			"приходят на счёт на следующий рабочий день. Подключить? Нужен только адрес сайта."},
}

// seedScripts saves Scripts through dialog, as the demo supervisor, when there are no scripts at all: a second
// start adds nothing, and an installation whose supervisors already keep their own scripts is left alone.
func seedScripts(ctx context.Context, pool *pgxpool.Pool, now time.Time) (int, error) {
	var kept bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM scripts)`).Scan(&kept); err != nil {
		return 0, fmt.Errorf("demo: scripts: %w", err)
	}
	if kept {
		return 0, nil
	}
	var by int64
	if err := pool.QueryRow(ctx, `SELECT id FROM users WHERE login = 'supervisor'`).Scan(&by); err != nil {
		return 0, fmt.Errorf("demo: scripts: the supervisor: %w", err)
	}
	svc := dialog.New(pool, zerolog.Nop())
	svc.Now = func() time.Time { return now }
	for _, sc := range Scripts {
		if _, err := svc.SaveScript(ctx, sc, by); err != nil {
			return 0, fmt.Errorf("demo: script /%s: %w", sc.Shortcut, err)
		}
	}
	return len(Scripts), nil
}
