package operatorui

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

func init() { addCatalog(max11bCatalog) }
