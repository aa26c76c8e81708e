package operatorui

import (
	"fmt"
	"net/http"
	"strings"
)

// Locales the UI speaks.
var Locales = []string{"ru", "en"}

// catalog is every string a person reads, in both languages side by side, so a missing translation is seen in
// review and caught by TestCatalogIsCompleteAndUsed.
var catalog = map[string]struct{ en, ru string }{
	"app.name":    {"Dozvon", "Дозвон"},
	"app.tagline": {"Messenger telemarketing workbench", "Рабочее место мессенджер-телемаркетинга"},
	"app.skip":    {"Skip to content", "Перейти к содержимому"},

	"nav.console":    {"Operator console", "Консоль оператора"},
	"nav.campaigns":  {"Campaigns", "Кампании"},
	"nav.live":       {"Live view", "Мониторинг"},
	"nav.users":      {"Users", "Пользователи"},
	"nav.audit":      {"Audit log", "Журнал аудита"},
	"nav.contacts":   {"Contacts", "Контакты"},
	"nav.lead_rules": {"Lead rules", "Правила лидов"},
	"nav.sim":        {"Simulator", "Симулятор"},
	"nav.account":    {"My account", "Мой профиль"},
	"nav.logout":     {"Log out", "Выйти"},
	"nav.shortcuts":  {"Keyboard shortcuts: g then a letter opens a section, ? shows this list.", "Горячие клавиши: g и буква открывают раздел, ? показывает этот список."},

	"role.operator":   {"Operator", "Оператор"},
	"role.manager":    {"Campaign manager", "Менеджер кампаний"},
	"role.supervisor": {"Supervisor", "Супервайзер"},
	"role.admin":      {"Administrator", "Администратор"},

	"login.title":     {"Sign in", "Вход"},
	"login.login":     {"Login", "Логин"},
	"login.password":  {"Password", "Пароль"},
	"login.submit":    {"Sign in", "Войти"},
	"login.bad":       {"Wrong login or password.", "Неверный логин или пароль."},
	"login.inactive":  {"This account is deactivated. Ask your administrator.", "Учётная запись отключена. Обратитесь к администратору."},
	"login.throttled": {"Too many failed attempts. Try again in %d min.", "Слишком много неудачных попыток. Повторите через %d мин."},
	"login.expired":   {"Your session has ended. Please sign in again.", "Сеанс завершён. Войдите снова."},
	"login.lang":      {"Русский", "English"},

	"home.welcome":      {"Hello, %s", "Здравствуйте, %s"},
	"home.role":         {"You work as: %s", "Ваша роль: %s"},
	"home.today":        {"Today", "Сегодня"},
	"home.empty":        {"Nothing here yet.", "Здесь пока пусто."},
	"stat.open_dialogs": {"My open dialogs", "Мои открытые диалоги"},
	"stat.waiting":      {"Waiting in queues", "Ожидают в очередях"},
	"stat.answered_60":  {"Answered within 60 s", "Отвечено за 60 с"},
	"stat.campaigns":    {"Campaigns", "Кампании"},
	"stat.active":       {"Active", "Активные"},
	"stat.leads":        {"Leads", "Лиды"},
	"stat.queued":       {"Messages queued", "Сообщений в очереди"},
	"stat.sent_today":   {"Sent today", "Отправлено сегодня"},
	"stat.online":       {"Operators online", "Операторов онлайн"},
	"stat.consents":     {"Consents today", "Согласий сегодня"},
	"stat.users":        {"Users", "Пользователи"},
	"stat.contacts":     {"Linked chats", "Привязанные чаты"},

	"kind.missed_call": {"Missed calls", "Недозвоны"},
	"kind.follow_up":   {"Follow-ups", "Фоллоу-апы"},
	"kind.acquiring":   {"Acquiring cross-sell", "Кросс-продажа эквайринга"},

	"console.lead":   {"Client replies to broadcasts arrive here, oldest first.", "Ответы клиентов на рассылки появляются здесь, самые давние первыми."},
	"campaigns.lead": {"Campaigns turn missed calls, follow-ups and cross-sell leads into Telegram conversations.", "Кампании превращают недозвоны, фоллоу-апы и кросс-продажи в диалоги в Telegram."},
	"live.lead":      {"Team load, queues and the first-minute SLA, live.", "Загрузка команды, очереди и SLA первой минуты в реальном времени."},
	"leads.by_kind":  {"Leads by source", "Лиды по источникам"},

	"account.title":       {"My account", "Мой профиль"},
	"account.must_change": {"You signed in with a temporary password. Choose your own to continue.", "Вы вошли с временным паролем. Задайте свой, чтобы продолжить."},
	"account.password":    {"Change password", "Смена пароля"},
	"account.current":     {"Current password", "Текущий пароль"},
	"account.new":         {"New password (at least 10 characters)", "Новый пароль (не менее 10 символов)"},
	"account.confirm":     {"Repeat the new password", "Повторите новый пароль"},
	"account.save":        {"Save password", "Сохранить пароль"},
	"account.changed":     {"Password changed.", "Пароль изменён."},
	"account.wrong":       {"The current password is wrong.", "Текущий пароль неверен."},
	"account.mismatch":    {"The new passwords differ.", "Новые пароли не совпадают."},
	"account.same":        {"The new password must differ from the current one.", "Новый пароль должен отличаться от текущего."},
	"account.language":    {"Interface language", "Язык интерфейса"},
	"account.lang_saved":  {"Language saved.", "Язык сохранён."},
	"account.apply":       {"Apply", "Применить"},

	"users.title":      {"Users", "Пользователи"},
	"users.add":        {"Add a user", "Добавить пользователя"},
	"users.login":      {"Login", "Логин"},
	"users.name":       {"Full name", "ФИО"},
	"users.role":       {"Role", "Роль"},
	"users.locale":     {"Language", "Язык"},
	"users.active":     {"Active", "Активен"},
	"users.last_login": {"Last login", "Последний вход"},
	"users.never":      {"never", "не входил"},
	"users.create":     {"Create", "Создать"},
	"users.save":       {"Save", "Сохранить"},
	"users.reset":      {"Reset password", "Сбросить пароль"},
	"users.created":    {"User %s created. Temporary password (shown once): %s", "Пользователь %s создан. Временный пароль (показывается один раз): %s"},
	"users.reset_done": {"New temporary password for %s (shown once): %s", "Новый временный пароль для %s (показывается один раз): %s"},
	"users.saved":      {"Saved.", "Сохранено."},
	"users.taken":      {"This login is taken.", "Этот логин занят."},
	"users.self":       {"You cannot deactivate yourself or take away your own administrator role.", "Нельзя отключить себя или снять с себя роль администратора."},
	"users.actions":    {"Actions", "Действия"},

	"audit.title":  {"Audit log", "Журнал аудита"},
	"audit.at":     {"When", "Когда"},
	"audit.actor":  {"Who", "Кто"},
	"audit.action": {"Action", "Действие"},
	"audit.object": {"Object", "Объект"},
	"audit.ip":     {"Address", "Адрес"},

	"contacts.title":         {"Contacts", "Контакты"},
	"contacts.lead":          {"Chats that reached the bot: who they are, which leads they speak for and whether the bot may write to them.", "Чаты, написавшие боту: кто это, за какие лиды они говорят и можно ли им писать."},
	"contacts.filter":        {"Filter by status", "Фильтр по статусу"},
	"contacts.all":           {"All", "Все"},
	"contacts.name":          {"Name", "Имя"},
	"contacts.chat":          {"Chat id", "ID чата"},
	"contacts.phone":         {"Phone", "Телефон"},
	"contacts.status":        {"Status", "Статус"},
	"contacts.via":           {"Linked via", "Способ привязки"},
	"contacts.leads":         {"Leads", "Лиды"},
	"contacts.linked_at":     {"Linked at", "Дата привязки"},
	"contacts.via_deep_link": {"Invitation link", "Ссылка-приглашение"},
	"contacts.via_contact":   {"Shared phone", "Отправленный номер"},
	"contacts.via_manual":    {"Manual", "Вручную"},
	"contacts.none":          {"No contacts here yet.", "Здесь пока нет контактов."},
	"contacts.limited":       {"Showing the newest %d.", "Показаны последние %d."},
	"status.active":          {"Active", "Активен"},
	"status.blocked":         {"Blocked the bot", "Заблокировал бота"},
	"status.opted_out":       {"Opted out", "Отписался"},

	// The simulator stands in for Telegram when no bot token is configured; everyone who plays a client with it
	// must see that these are not real clients.
	"sim.title":         {"Telegram simulator", "Симулятор Telegram"},
	"sim.banner":        {"Telegram simulator — these are not real clients. The bot @%s runs inside this server; nothing here reaches Telegram.", "Симулятор Telegram — это не настоящие клиенты. Бот @%s работает внутри этого сервера; отсюда ничего не уходит в Telegram."},
	"sim.lead":          {"Play a client: pick one or create one, then write to the bot as they would from their phone.", "Сыграйте клиента: выберите или создайте его и пишите боту так, как он писал бы с телефона."},
	"sim.off":           {"The simulator is off", "Симулятор выключен"},
	"sim.off_text":      {"A real Telegram bot token is configured: messages go to real clients in Telegram, so there is nothing to simulate.", "Настроен токен настоящего бота Telegram: сообщения уходят реальным клиентам, симулировать нечего."},
	"sim.clients":       {"Simulated clients", "Симулированные клиенты"},
	"sim.no_clients":    {"No simulated clients yet. Create one below.", "Симулированных клиентов пока нет. Создайте клиента ниже."},
	"sim.new_client":    {"New client", "Новый клиент"},
	"sim.first_name":    {"First name", "Имя"},
	"sim.last_name":     {"Last name (optional)", "Фамилия (необязательно)"},
	"sim.phone":         {"Phone", "Телефон"},
	"sim.create":        {"Create client", "Создать клиента"},
	"sim.pick":          {"Pick a client or create one to open their chat with the bot.", "Выберите клиента или создайте нового, чтобы открыть его чат с ботом."},
	"sim.chat_with":     {"Chat with the bot @%s", "Чат с ботом @%s"},
	"sim.message":       {"Message", "Сообщение"},
	"sim.send":          {"Send", "Отправить"},
	"sim.send_hint":     {"Enter sends, Shift+Enter starts a new line.", "Enter — отправить, Shift+Enter — новая строка."},
	"sim.invite":        {"Open an invitation link", "Открыть ссылку-приглашение"},
	"sim.invite_hint":   {"Paste the link (https://t.me/%s?start=…) or only its token; leave it empty for a plain Start.", "Вставьте ссылку (https://t.me/%s?start=…) или только токен; оставьте пустым для простого Start."},
	"sim.start":         {"Start the bot", "Запустить бота"},
	"sim.share_phone":   {"Share my phone", "Поделиться номером"},
	"sim.stop":          {"Send /stop", "Отправить /stop"},
	"sim.block":         {"Block the bot", "Заблокировать бота"},
	"sim.unblock":       {"Unblock the bot", "Разблокировать бота"},
	"sim.blocked":       {"This client has blocked the bot", "Клиент заблокировал бота"},
	"sim.blocked_badge": {"Blocked", "Заблокировал"},
	"sim.actions":       {"What the client does", "Действия клиента"},
	"sim.empty_chat":    {"No messages yet. Start the bot or open an invitation link.", "Сообщений пока нет. Запустите бота или откройте ссылку-приглашение."},
	"sim.edited":        {"edited", "изменено"},
	"sim.shared":        {"Shared the phone %s", "Отправил номер %s"},
	"sim.from_bot":      {"Bot:", "Бот:"},
	"sim.from_client":   {"Client:", "Клиент:"},
	"sim.keyboard":      {"Keyboard from the bot", "Клавиатура бота"},
	"sim.failed":        {"That did not work (status %s).", "Не получилось (статус %s)."},
	"sim.offline":       {"The server does not answer; retrying…", "Сервер не отвечает; повторяем…"},
	"sim.err_off":       {"The simulator is off: a real bot token is configured.", "Симулятор выключен: настроен токен настоящего бота."},
	"sim.err_no_client": {"There is no such simulated client.", "Такого симулированного клиента нет."},
	"sim.err_blocked":   {"This client has blocked the bot: unblock it or start the bot first.", "Клиент заблокировал бота: сначала разблокируйте или запустите бота."},
	"sim.err_button":    {"That button is no longer there.", "Этой кнопки больше нет."},
	"sim.err_empty":     {"Type a message first.", "Сначала введите сообщение."},
	"sim.err_too_long":  {"The message is longer than Telegram allows (4096 characters).", "Сообщение длиннее, чем позволяет Telegram (4096 символов)."},
	"sim.err_no_phone":  {"This client has no phone number to share.", "У клиента нет номера телефона."},
	"sim.err_link":      {"This is neither an invitation link nor a token.", "Это не ссылка-приглашение и не токен."},
	"sim.err_other_bot": {"This link opens @%s, not the simulated bot @%s.", "Эта ссылка открывает @%s, а не симулированного бота @%s."},
	"sim.err_name":      {"A first name is required, at most 64 characters; the last name is at most 64 too.", "Имя обязательно, не длиннее 64 символов; фамилия тоже не длиннее 64."},
	"sim.err_phone":     {"This is not a phone number; write it as +7 916 123-45-67.", "Это не номер телефона; запишите его как +7 916 123-45-67."},
	"sim.err_request":   {"The request could not be read.", "Запрос не удалось прочитать."},

	// Campaign managers' screens: the list, a campaign's page and form, and the lead rules.
	"campaigns.list":           {"All campaigns", "Все кампании"},
	"campaigns.none":           {"No campaigns yet. Create the first one with “New campaign”.", "Кампаний пока нет. Создайте первую кнопкой «Новая кампания»."},
	"campaigns.show_cancelled": {"Show cancelled too", "Показать и отменённые"},
	"campaigns.hide_cancelled": {"Hide cancelled", "Скрыть отменённые"},

	"campaign.new":              {"New campaign", "Новая кампания"},
	"campaign.new_lead":         {"Choose whom to write to, what to say and when. The campaign is saved as a draft: nothing is sent until you run or activate it.", "Выберите, кому писать, что и когда. Кампания сохранится черновиком: ничего не отправится, пока вы её не запустите или не активируете."},
	"campaign.settings":         {"Settings", "Настройки"},
	"campaign.about":            {"Campaign", "Кампания"},
	"campaign.name":             {"Name", "Название"},
	"campaign.description":      {"Description (for the team)", "Описание (для команды)"},
	"campaign.lead_kind":        {"Leads", "Лиды"},
	"campaign.status":           {"Status", "Статус"},
	"campaign.schedule":         {"Schedule", "Расписание"},
	"campaign.last_run":         {"Last run", "Последний запуск"},
	"campaign.next_run":         {"next:", "следующий:"},
	"campaign.next_runs":        {"Next runs:", "Ближайшие запуски:"},
	"campaign.by_hand":          {"By hand only", "Только вручную"},
	"campaign.audience":         {"Audience", "Аудитория"},
	"campaign.audience_hint":    {"Narrow the leads down; an empty field means no condition. Opted-out, blocked and busy clients are always left out.", "Сузьте выборку лидов; пустое поле — без условия. Отписавшиеся, заблокировавшие бота и клиенты в диалоге исключаются всегда."},
	"campaign.any":              {"any", "любое"},
	"campaign.min_age_hours":    {"Lead at least this old, hours", "Лиду не меньше, часов"},
	"campaign.max_age_days":     {"Lead at most this old, days", "Лиду не больше, дней"},
	"campaign.min_attempts":     {"Unanswered calls, at least", "Недозвонов, не меньше"},
	"campaign.okved_include":    {"OKVED codes to include", "Коды ОКВЭД: включить"},
	"campaign.okved_exclude":    {"OKVED codes to exclude", "Коды ОКВЭД: исключить"},
	"campaign.regions":          {"Regions", "Регионы"},
	"campaign.regions_example":  {"Москва, Приморский край", "Москва, Приморский край"},
	"campaign.segments":         {"Segments", "Сегменты"},
	"campaign.lists_hint":       {"Lists are separated by commas; an OKVED code also covers its subcodes (47 covers 47.91).", "Значения разделяются запятыми; код ОКВЭД включает свои подкоды (47 включает 47.91)."},
	"campaign.message":          {"Message", "Сообщение"},
	"campaign.body":             {"Message text", "Текст сообщения"},
	"campaign.body_hint":        {"Telegram formatting: <b>bold</b>, <i>italic</i>, <a href=\"https://…\">link</a>. Variables are filled in for each client.", "Форматирование Telegram: <b>жирный</b>, <i>курсив</i>, <a href=\"https://…\">ссылка</a>. Переменные подставляются для каждого клиента."},
	"campaign.variables":        {"Insert a variable", "Вставить переменную"},
	"campaign.buttons":          {"Buttons (up to 4)", "Кнопки (до 4)"},
	"campaign.button_text":      {"Button %d", "Кнопка %d"},
	"campaign.button_action":    {"When pressed", "При нажатии"},
	"campaign.button_reply":     {"Auto-reply text (for “Auto-reply”)", "Текст автоответа (для «Автоответ»)"},
	"campaign.when":             {"When", "Когда"},
	"campaign.schedule_hint":    {"Cron: minute hour day month weekday, in the time zone after CRON_TZ= (e.g. CRON_TZ=Europe/Moscow 0 10 * * 1-5 — weekdays at 10:00). Empty: runs only by hand.", "Cron: минута час день месяц день_недели, в часовом поясе после CRON_TZ= (например, CRON_TZ=Europe/Moscow 0 10 * * 1-5 — по будням в 10:00). Пусто — только ручной запуск."},
	"campaign.quiet_from":       {"Quiet hours from", "Тихие часы с"},
	"campaign.quiet_to":         {"Quiet hours to", "Тихие часы до"},
	"campaign.quiet_hint":       {"In each client's own time: a message due at night waits until the morning. The same time in both fields means no quiet hours.", "По местному времени клиента: сообщение, выпавшее на ночь, ждёт утра. Одинаковое время в обоих полях — без тихих часов."},
	"campaign.cap_days":         {"Write to a client at most once in, days", "Писать клиенту не чаще раза в, дней"},
	"campaign.webhook":          {"SMS gateway webhook", "Вебхук SMS-шлюза"},
	"campaign.webhook_hint":     {"Leads without a chat get a personal link to the bot. With a webhook, each run posts them to the SMS gateway; without one, download them as CSV.", "Лиды без чата получают персональную ссылку на бота. С вебхуком каждый запуск передаёт их SMS-шлюзу; без него скачайте их в CSV."},
	"campaign.create":           {"Create campaign", "Создать кампанию"},
	"campaign.save":             {"Save changes", "Сохранить изменения"},
	"campaign.created":          {"Campaign created as a draft.", "Кампания создана как черновик."},
	"campaign.saved":            {"Changes saved.", "Изменения сохранены."},
	"campaign.invalid":          {"Please correct “%s”: %s", "Исправьте «%s»: %s"},
	"campaign.run_now":          {"Run now", "Запустить сейчас"},
	"campaign.activate":         {"Activate", "Активировать"},
	"campaign.pause":            {"Pause", "Приостановить"},
	"campaign.resume":           {"Resume", "Возобновить"},
	"campaign.cancel":           {"Cancel campaign", "Отменить кампанию"},
	"campaign.cancel_confirm":   {"Cancel this campaign? Messages not yet sent are dropped, and it cannot be resumed.", "Отменить кампанию? Неотправленные сообщения будут сняты, возобновить её будет нельзя."},
	"campaign.status_changed":   {"The campaign is now: %s.", "Статус кампании: %s."},
	"campaign.not_now":          {"This does not apply to a campaign that is “%s”.", "Это действие неприменимо к кампании в статусе «%s»."},
	"campaign.slot_taken":       {"The campaign has just run; wait a moment before running it again.", "Кампания только что запускалась; подождите немного перед повторным запуском."},
	"campaign.ran":              {"Run done — queued: %d, invited: %d, excluded: %d.", "Запуск выполнен — в очереди: %d, приглашено: %d, исключено: %d."},
	"campaign.status_draft":     {"Draft", "Черновик"},
	"campaign.status_active":    {"Active", "Активна"},
	"campaign.status_paused":    {"Paused", "Приостановлена"},
	"campaign.status_cancelled": {"Cancelled", "Отменена"},
	"campaign.status_finished":  {"Finished", "Завершена"},
	"campaign.preview":          {"Preview", "Предпросмотр"},
	"campaign.preview_lead":     {"As %s will see it — the first lead of the audience.", "Так увидит %s — первый лид аудитории."},
	"campaign.preview_sample":   {"The audience is empty now, so sample values are shown.", "Аудитория сейчас пуста, показаны примерные значения."},
	"campaign.test":             {"Send a test", "Тестовая отправка"},
	"campaign.test_client":      {"Simulated client", "Симулированный клиент"},
	"campaign.test_chat":        {"Telegram chat id", "ID чата в Telegram"},
	"campaign.test_chat_hint":   {"The chat must have started the bot. The message is the preview above, with its buttons.", "Чат должен был запустить бота. Отправится сообщение из предпросмотра, с кнопками."},
	"campaign.test_no_clients":  {"The simulator has no clients yet. Create one on the page", "В симуляторе пока нет клиентов. Создайте клиента на странице"},
	"campaign.test_send":        {"Send the test", "Отправить тест"},
	"campaign.test_no_chat":     {"Choose whom to send the test to: a chat id is a whole number.", "Выберите, кому отправить тест: ID чата — целое число."},
	"campaign.test_refused":     {"Telegram would refuse this message: %s", "Telegram не примет это сообщение: %s"},
	"campaign.test_queued":      {"Test message queued to chat %d.", "Тестовое сообщение поставлено в очередь для чата %d."},

	"action.route":    {"Route to an operator", "Передать оператору"},
	"action.callback": {"Phone callback", "Обратный звонок"},
	"action.opt_out":  {"Opt out", "Отписка"},
	"action.reply":    {"Auto-reply", "Автоответ"},

	"var.ClientName": {"contact person", "контактное лицо"},
	"var.Company":    {"company name", "название компании"},
	"var.INN":        {"INN", "ИНН"},
	"var.Region":     {"region", "регион"},
	"var.Manager":    {"field manager", "выездной менеджер"},

	"progress.title":   {"Progress", "Ход рассылки"},
	"progress.queued":  {"Queued", "В очереди"},
	"progress.sent":    {"Sent", "Отправлено"},
	"progress.failed":  {"Failed", "Ошибки"},
	"progress.replied": {"Replied", "Ответили"},
	"progress.done":    {"Done", "Выполнено"},

	"audience.title":        {"Audience now", "Аудитория сейчас"},
	"audience.reachable":    {"Reachable now", "Доступны сейчас"},
	"audience.needs_invite": {"Need an invitation", "Нужно приглашение"},
	"audience.excluded":     {"Left out", "Исключены"},
	"audience.opted_out":    {"Opted out", "Отписались"},
	"audience.blocked":      {"Blocked the bot", "Заблокировали бота"},
	"audience.in_dialog":    {"In a dialog", "В диалоге"},
	"audience.capped":       {"Frequency cap", "Ограничение частоты"},
	"audience.offered":      {"Already offered", "Уже получили"},
	"audience.eligible":     {"The rules select %d leads in all.", "Всего правила отбирают лидов: %d."},

	"invitations.title":        {"Invitations", "Приглашения"},
	"invitations.total":        {"Invited", "Приглашено"},
	"invitations.followed":     {"Followed the link", "Перешли по ссылке"},
	"invitations.posted":       {"Sent to the SMS gateway", "Передано SMS-шлюзу"},
	"invitations.download":     {"Download CSV", "Скачать CSV"},
	"invitations.csv_hint":     {"For the bank's SMS system: phones and personal links, opened as is by Excel.", "Для SMS-системы банка: телефоны и персональные ссылки, открывается в Excel как есть."},
	"invitations.webhook_hint": {"Each run posts new invitations to the SMS gateway; the CSV has all of them.", "Каждый запуск передаёт новые приглашения SMS-шлюзу; в CSV — все."},

	"runs.title":            {"Run history", "История запусков"},
	"runs.slot":             {"Slot", "Слот"},
	"runs.trigger":          {"Started", "Запуск"},
	"runs.audience":         {"Audience", "Аудитория"},
	"runs.enqueued":         {"Queued", "В очередь"},
	"runs.invited":          {"Invited", "Приглашено"},
	"runs.excluded":         {"Excluded", "Исключено"},
	"runs.status":           {"Status", "Статус"},
	"runs.none":             {"The campaign has not run yet.", "Кампания ещё не запускалась."},
	"runs.trigger_schedule": {"On schedule", "По расписанию"},
	"runs.trigger_manual":   {"By hand", "Вручную"},
	"runs.status_running":   {"Running", "Выполняется"},
	"runs.status_done":      {"Done", "Выполнен"},
	"runs.status_failed":    {"Failed", "Ошибка"},
	"runs.status_cancelled": {"Cancelled", "Отменён"},

	"rules.title":            {"Lead rules", "Правила лидов"},
	"rules.lead":             {"How the bank's data becomes leads. Every run derives new leads with these rules first; leads already derived stay as they are.", "Как данные банка превращаются в лиды. Каждый запуск сначала отбирает новых лидов по этим правилам; уже отобранные лиды остаются."},
	"rules.missed_call_hint": {"A new account application whose calls all went unanswered.", "Новая заявка на счёт, на звонки по которой так и не ответили."},
	"rules.follow_up_hint":   {"A meeting with a field manager was booked, and no account was opened since.", "Встреча с выездным менеджером назначена, а счёт так и не открыт."},
	"rules.acquiring_hint":   {"An account opened recently, in an industry where taking card payments fits, with no acquiring yet.", "Счёт открыт недавно, отрасль подходит для приёма карт, эквайринга ещё нет."},
	"rules.min_attempts":     {"Unanswered calls, at least", "Недозвонов, не меньше"},
	"rules.max_age_days":     {"Not older than, days", "Не старше, дней"},
	"rules.follow_up_days":   {"Days since the meeting was booked", "Дней после назначения встречи"},
	"rules.acquiring_days":   {"Account opened within, days", "Счёт открыт не позднее, дней"},
	"rules.okved":            {"Allowed OKVED codes", "Подходящие коды ОКВЭД"},
	"rules.apply_hint":       {"New rules apply from the next run.", "Новые правила действуют со следующего запуска."},
	"rules.save":             {"Save rules", "Сохранить правила"},
	"rules.saved":            {"Lead rules saved.", "Правила лидов сохранены."},

	"form.invalid":    {"Please correct “%s”: %s", "Исправьте «%s»: %s"},
	"form.not_number": {"must be a whole number, not “%s”", "должно быть целым числом, а не «%s»"},
	"time.weekdays":   {"Sun Mon Tue Wed Thu Fri Sat", "вс пн вт ср чт пт сб"},

	"error.forbidden":      {"Access denied", "Доступ запрещён"},
	"error.forbidden_text": {"Your role (%s) cannot open this page.", "Ваша роль (%s) не даёт доступа к этой странице."},
	"error.not_found":      {"Page not found", "Страница не найдена"},
	"error.not_found_text": {"There is no such page. Check the address or use the navigation.", "Такой страницы нет. Проверьте адрес или воспользуйтесь меню."},
	"error.cross_origin":   {"The request came from another site and was refused.", "Запрос пришёл с другого сайта и отклонён."},
	"error.back":           {"Back to start", "На главную"},
	"error.invalid":        {"Please correct: %s", "Исправьте: %s"},
}

// T translates key into locale; extra arguments fill the message's verbs. A missing key shows as itself in
// brackets, which tests look for.
func T(locale, key string, args ...any) string {
	m, ok := catalog[key]
	if !ok {
		return "[" + key + "]"
	}
	s := m.ru
	if locale == "en" {
		s = m.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

const langCookie = "dozvon_lang"

// requestLocale picks the language for a page: the user's choice when logged in, else the lang cookie, else the
// browser's Accept-Language, else the installation's default.
func (ui *UI) requestLocale(r *http.Request) string {
	if u := currentUser(r); u.ID != 0 {
		return u.Locale
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "ru" || c.Value == "en") {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if strings.HasPrefix(tag, "ru") {
			return "ru"
		}
		if strings.HasPrefix(tag, "en") {
			return "en"
		}
	}
	return ui.DefaultLocale
}
