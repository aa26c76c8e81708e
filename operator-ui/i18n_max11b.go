package operatorui

import "dozvon/internal/msg"

// max11bCatalog is what the MAX track's second pass adds to the catalog: a MAX client's photos and files in the
// simulator, the console's banner on a chat the channel policy closes, and the messengers' refusals (their codes'
// Russian; the English is the engines'). Added to catalog at start.
var max11bCatalog = map[string]struct{ en, ru string }{
	"sim.err_caption_too_long_max": {"The caption is longer than MAX allows (4000 characters).", "Подпись длиннее, чем позволяет MAX (4000 символов)."},

	// The console's banner on a chat whose channel the installation's policy closes (console_closed.go).
	"console.closed_foreign": {"You cannot answer in this chat: the bank does not write to clients on %s, a foreign messenger (Federal Law 41-FZ, the installation's policy). What the client writes here still reaches you. Reach them another way: on MAX, if they have a chat there (the client card lists their chats), or by phone.", "Ответить в этом чате нельзя: банк не пишет клиентам в %s — это иностранный мессенджер (Федеральный закон № 41-ФЗ, настройки установки). Сообщения клиента отсюда по-прежнему приходят вам. Свяжитесь с клиентом иначе: в MAX, если у него там есть чат (чаты клиента — в карточке), или по телефону."},
	"console.closed_off":     {"You cannot answer in this chat: Dozvon does not write on %s, which is turned off in the settings. What the client writes here still reaches you. Reach them another way: in another of their chats (the client card lists them) or by phone.", "Ответить в этом чате нельзя: Дозвон не пишет в %s — канал выключен в настройках. Сообщения клиента отсюда по-прежнему приходят вам. Свяжитесь с клиентом иначе: в другом его чате (они перечислены в карточке) или по телефону."},
	"console.reply_closed":   {"Answers are off in this chat (see above); a note for colleagues is still possible.", "Ответы в этом чате отключены (см. выше); заметку для коллег оставить можно."},
}

// max11bCodesRU is the Russian of the messengers' refusals (messenger/max, messenger/telegram codes.go); their
// English is the engines' own.
var max11bCodesRU = map[string]string{
	"max.refused":               "MAX отклонил запрос %s (%d %s)",
	"max.blocked":               "клиент остановил бота или удалил диалог в MAX (%s: %s)",
	"max.chat_not_found":        "MAX не знает такого чата (%s: %s)",
	"max.failed":                "сбой MAX при запросе %s (%d %s); Дозвон повторит попытку",
	"max.unreachable":           "MAX не ответил на запрос %s; Дозвон повторит попытку",
	"max.file_url":              "адрес, который MAX дал для файла, не веб-адрес",
	"max.file_status":           "MAX не отдал файл (HTTP %d)",
	"max.file_unreachable":      "MAX не ответил, когда Дозвон забирал файл; Дозвон повторит попытку",
	"telegram.file_refused":     "Telegram отказался отдать файл (getFile)",
	"telegram.file_no_path":     "getFile в Telegram не дал пути к файлу",
	"telegram.file_status":      "Telegram не отдал файл (HTTP %d)",
	"telegram.file_unreachable": "Telegram не ответил, когда Дозвон забирал файл; Дозвон повторит попытку",
}

func init() {
	addCatalog(max11bCatalog)
	part := make(map[string]struct{ en, ru string }, len(max11bCodesRU))
	for code, ru := range max11bCodesRU {
		en, _ := msg.EnglishOf(code)
		part[code] = struct{ en, ru string }{en, ru}
	}
	addCatalog(part)
}
