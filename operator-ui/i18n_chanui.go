package operatorui

// chanuiCatalog is how people see the channels: the messengers' names, the bots, the channel on the console, the
// live board and the reports, and the administrator's bots page. Kept in a file of its own and added to catalog
// at start. The console's script gets the card.* and console.* texts with its page.
var chanuiCatalog = map[string]struct{ en, ru string }{
	// The messengers' names, wherever a channel is shown (channelLabel).
	"channel.telegram": {"Telegram", "Telegram"},
	"channel.max":      {"MAX", "MAX"},
	"channel.label":    {"Messenger", "Мессенджер"},

	// The console: the composer, and the client's chats on the card (code("messenger", …) and friends).
	"console.reply_in":              {"Reply in %s", "Ответ в %s"},
	"console.card_in":               {"In %s", "В %s"},
	"console.card_chats":            {"Client's chats", "Чаты клиента"},
	"card.messenger.telegram":       {"Telegram", "Telegram"},
	"card.messenger.max":            {"MAX", "MAX"},
	"card.chat_bot":                 {"bot %s", "бот %s"},
	"card.chat_this":                {"this dialog", "этот диалог"},
	"card.chat_linked":              {"since %s", "с %s"},
	"card.contact_status.active":    {"active", "активен"},
	"card.contact_status.blocked":   {"blocked the bot", "заблокировал бота"},
	"card.contact_status.opted_out": {"opted out", "отписан"},
	"card.linked_via.deep_link":     {"linked by the invitation link", "привязан по ссылке-приглашению"},
	"card.linked_via.contact":       {"linked by a shared phone", "привязан по номеру телефона"},
	"card.linked_via.manual":        {"linked by hand", "привязан вручную"},
	"card.linked_via.":              {"wrote first", "написал сам"},

	// The live board.
	"live.channel":         {"Messenger", "Мессенджер"},
	"live.by_channel":      {"By messenger", "По мессенджерам"},
	"live.channel_waiting": {"Waiting", "Ждут"},
	"live.channel_open":    {"With operators", "У операторов"},

	// The reports.
	"reports.by_channel":      {"By messenger", "По мессенджерам"},
	"reports.by_channel_lead": {"The funnel and the service figures of the period on each messenger. A lead written to on both counts on each.", "Воронка и показатели обслуживания за период по каждому мессенджеру. Лид, которому писали в оба, считается в каждом."},
	"reports.channel_col":     {"Messenger", "Мессенджер"},
	"reports.chart_channels":  {"Leads written to and replied, by messenger", "Кому написали и кто ответил, по мессенджерам"},
	"reports.sheet_channels":  {"By messenger", "По мессенджерам"},

	// The administrator's bots page (/admin/bots).
	"nav.bots":             {"Bots", "Боты"},
	"bots.title":           {"Bots", "Боты"},
	"bots.lead":            {"Dozvon's bots on each messenger. A bot appears here when the process that has its token starts. A disabled bot neither sends nor receives: its messages wait in the queue, and what clients write waits at the messenger (or, delivered to its webhook, in Dozvon) until it is enabled again.", "Боты Дозвона в каждом мессенджере. Бот появляется здесь, когда запускается процесс с его токеном. Выключенный бот ничего не отправляет и не получает: его сообщения ждут в очереди, а то, что пишут клиенты, — в мессенджере (или, если пришло на его вебхук, в Дозвоне), пока его снова не включат."},
	"bots.none":            {"No bot has started yet.", "Ни один бот ещё не запускался."},
	"bots.channel":         {"Messenger", "Мессенджер"},
	"bots.username":        {"Username", "Имя бота"},
	"bots.name":            {"Display name", "Название"},
	"bots.state":           {"State", "Состояние"},
	"bots.enabled":         {"enabled", "включён"},
	"bots.disabled":        {"disabled", "выключен"},
	"bots.token":           {"Token", "Токен"},
	"bots.token_env":       {"environment, %s", "переменная окружения %s"},
	"bots.token_sim":       {"simulator", "симулятор"},
	"bots.last_received":   {"Last update received", "Последнее входящее"},
	"bots.last_sent":       {"Last message sent", "Последнее отправленное"},
	"bots.never":           {"never", "не было"},
	"bots.rename":          {"Rename", "Переименовать"},
	"bots.enable":          {"Enable", "Включить"},
	"bots.disable":         {"Disable", "Выключить"},
	"bots.saved":           {"Saved: %s", "Сохранено: %s"},
	"bots.err_name":        {"A name of 1-80 characters is required.", "Нужно название от 1 до 80 символов."},
	"audit.do.bot.rename":  {"Bot renamed", "Бот переименован"},
	"audit.do.bot.enable":  {"Bot enabled", "Бот включён"},
	"audit.do.bot.disable": {"Bot disabled", "Бот выключен"},
	"bots.tokens_note":     {"Tokens are not entered here: they are secrets, kept in the bank's secret store and given to Dozvon in its environment (TELEGRAM_BOT_TOKEN, MAX_BOT_TOKEN). See README, \"Bots and their tokens\".", "Токены здесь не вводятся: это секреты, они хранятся в хранилище секретов банка и передаются Дозвону через окружение (TELEGRAM_BOT_TOKEN, MAX_BOT_TOKEN). См. README, «Боты и их токены»."},
}

func init() { addCatalog(chanuiCatalog) }

// channelLabel is a messenger's name in the user's language; a code the catalog does not know is shown as it is.
func channelLabel(locale, channel string) string {
	if _, ok := catalog["channel."+channel]; !ok {
		return channel
	}
	return T(locale, "channel."+channel)
}
