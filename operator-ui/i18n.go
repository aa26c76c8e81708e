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

	"nav.console":   {"Operator console", "Консоль оператора"},
	"nav.campaigns": {"Campaigns", "Кампании"},
	"nav.live":      {"Live view", "Мониторинг"},
	"nav.users":     {"Users", "Пользователи"},
	"nav.audit":     {"Audit log", "Журнал аудита"},
	"nav.contacts":  {"Contacts", "Контакты"},
	"nav.sim":       {"Simulator", "Симулятор"},
	"nav.account":   {"My account", "Мой профиль"},
	"nav.logout":    {"Log out", "Выйти"},
	"nav.shortcuts": {"Keyboard shortcuts: g then a letter opens a section, ? shows this list.", "Горячие клавиши: g и буква открывают раздел, ? показывает этот список."},

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
