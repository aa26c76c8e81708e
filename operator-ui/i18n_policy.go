package operatorui

import "dozvon/internal/msg"

// policyCatalog is what the channel policy adds to the catalog: the settings page, the campaign form's channels
// and the audit log's name for a change of the policy. Added to catalog at start.
var policyCatalog = map[string]struct{ en, ru string }{
	"nav.settings":               {"Settings", "Настройки"},
	"settings.title":             {"Settings", "Настройки"},
	"settings.lead":              {"What holds for the whole installation, on every instance, from the moment it is saved.", "Действует для всей установки, на всех экземплярах, с момента сохранения."},
	"settings.channels":          {"Channels Dozvon writes on", "Каналы, в которые пишет Дозвон"},
	"settings.channels_hint":     {"A channel turned off gets no messages: campaigns skip it, operators cannot answer in it, and what was queued there is cancelled. What clients send on it is still received.", "В выключенный канал сообщения не отправляются: кампании его пропускают, операторы не могут в нём отвечать, а то, что уже стоит в очереди, отменяется. Сообщения клиентов из него по-прежнему принимаются."},
	"settings.foreign":           {"Foreign messengers (Telegram)", "Иностранные мессенджеры (Telegram)"},
	"settings.foreign_allow":     {"Allow: write to clients on Telegram", "Разрешить: писать клиентам в Telegram"},
	"settings.foreign_deny":      {"Deny: never write to clients on Telegram", "Запретить: никогда не писать клиентам в Telegram"},
	"settings.foreign_hint":      {"Federal Law 41-FZ of 01.04.2025 (in force since 1 June 2025) forbids banks to inform or correspond with clients through foreign messengers on Roskomnadzor's list, Telegram among them. Under deny, Dozvon writes nothing on Telegram — no campaign, no operator's answer, no answer or rating question of the bot — and cancels what was queued there; a client who writes on Telegram is received and shown to operators, and gets no answer there.", "Федеральный закон № 41-ФЗ от 01.04.2025 (действует с 1 июня 2025 года) запрещает банкам информировать клиентов и переписываться с ними через иностранные мессенджеры из перечня Роскомнадзора, в том числе Telegram. При запрете Дозвон ничего не пишет в Telegram — ни рассылок, ни ответов операторов, ни ответов и вопросов об оценке от бота — и отменяет то, что уже стоит в очереди; сообщение клиента из Telegram принимается и видно операторам, но ответа там клиент не получит."},
	"settings.from_env":          {"Now: as the environment sets it (DOZVON_FOREIGN_MESSENGERS), until an administrator saves this form.", "Сейчас: как задано в окружении (DOZVON_FOREIGN_MESSENGERS), пока администратор не сохранит эту форму."},
	"settings.set_by":            {"Set by %s, %s.", "Установил %s, %s."},
	"settings.save":              {"Save", "Сохранить"},
	"settings.saved":             {"Settings saved.", "Настройки сохранены."},
	"audit.do.settings.channels": {"Channel policy changed", "Изменены настройки каналов"},

	"campaign.channels":      {"Channels", "Каналы"},
	"campaign.channel_first": {"Write first on", "Сначала писать в"},
	"campaign.channel_then":  {"Then, where the client is not there", "Затем, если клиента там нет"},
	"campaign.channel_none":  {"nowhere else", "больше никуда"},
	"campaign.channels_hint": {"Each client gets one message per campaign step, on the first of these channels they have a chat on; a client with none gets an invitation with a link to the first channel Dozvon may write on.", "Каждый клиент получает одно сообщение на шаг кампании — в первом из этих каналов, где у него есть чат; клиент без чата получает приглашение со ссылкой на первый канал, в который Дозвону можно писать."},
}

// policyCodesRU is the Russian of the codes the channel policy raises (messenger, campaigns); their English is the
// engines' own.
var policyCodesRU = map[string]string{
	"messenger.foreign_denied":     "Дозвон не пишет клиентам в %s: это иностранный мессенджер, и настройки установки его запрещают (Федеральный закон № 41-ФЗ)",
	"messenger.channel_disabled":   "Дозвон не пишет в %s: канал выключен в настройках",
	"messenger.foreign_policy":     "правило для иностранных мессенджеров — allow или deny, а не %q",
	"messenger.no_channel_enabled": "включите хотя бы один канал",
	"campaigns.channels_none":      "выберите хотя бы один канал",
	"campaigns.channel_unknown":    "неизвестный канал %q",
	"campaigns.channel_twice":      "канал %s выбран дважды",
}

func init() {
	addCatalog(policyCatalog)
	part := make(map[string]struct{ en, ru string }, len(policyCodesRU))
	for code, ru := range policyCodesRU {
		en, _ := msg.EnglishOf(code)
		part[code] = struct{ en, ru string }{en, ru}
	}
	addCatalog(part)
}
