package messenger

import "time"

// EventKind says what a client did, whatever messenger told it.
type EventKind int

// What a client can do in a chat with a bot. An adapter decodes its messenger's updates into these; the rest
// (linking, opting out, handing messages on to the dialog) is the same for every messenger.
const (
	// EventNone is an update that is not Dozvon's business (a group, a channel post, a kind it does not read).
	EventNone EventKind = iota
	// EventStarted: the client started the bot (Telegram's /start, MAX's bot_started), with the deep-link payload,
	// if any, in Payload.
	EventStarted
	// EventMessage: the client wrote (Text), sent files (Files) or shared something else (Shared).
	EventMessage
	// EventCallback: the client pressed a button carrying Payload; CallbackID answers the press.
	EventCallback
	// EventContact: the client shared a phone; PhoneIsOwn says it is their own account's, not a card they
	// forwarded.
	EventContact
	// EventStopped: the client asked for no more messages (Telegram's /stop).
	EventStopped
	// EventBlocked and EventUnblocked: the client blocked the bot, or took the block back (MAX: bot_stopped).
	EventBlocked
	EventUnblocked
	// EventSeen: something happened in the chat that nobody answers (a pin, a new wallpaper); the chat is
	// recorded, nothing else.
	EventSeen
)

// Event is one update as the processor reads it, in no messenger's words.
type Event struct {
	Kind EventKind
	// Chat is who did it; the processor sets its channel and bot.
	Chat Chat
	// Text is what the client wrote: a message's text, or the caption of a photo or file.
	Text       string
	Payload    string // EventStarted: the deep-link payload; EventCallback: the button's data
	CallbackID string
	Phone      string
	PhoneIsOwn bool
	Files      []RemoteFile
	Shared     *Shared
	// At is when the messenger says it happened; zero: when it is processed.
	At time.Time
	// Skipped names parts of the update of an unexpected shape that the adapter left out, for the log.
	Skipped []string
}

// CallbackOptOut is the data of the opt-out button, on every channel: the processor handles it itself.
const CallbackOptOut = "optout"

// BotTexts is what the bot says on its own. The bank's clients are Russian businesses, so the bot speaks Russian;
// where messengers differ (how a client starts the bot again), each channel has its own words.
type BotTexts struct {
	WelcomeLinked, WelcomeAsk, PhoneLinked, PhoneForeign, OptedOut, Resubscribed, SharePhone string
}

// TextsFor returns the bot's words on channel.
func TextsFor(channel string) BotTexts {
	t := BotTexts{
		WelcomeLinked: "Здравствуйте! Вы на связи с банком. Здесь мы ответим на вопросы по вашей заявке — просто напишите.",
		WelcomeAsk:    "Здравствуйте! Чтобы мы нашли вашу заявку, поделитесь, пожалуйста, номером телефона кнопкой ниже.",
		PhoneLinked:   "Спасибо, номер подтверждён. Напишите здесь, если есть вопросы — мы ответим.",
		PhoneForeign:  "Пожалуйста, поделитесь своим номером с помощью кнопки ниже, а не чужим контактом.",
		OptedOut:      "Вы отписались от сообщений банка в этом чате. Чтобы снова получать их, отправьте /start.",
		Resubscribed:  "Вы снова подписаны на сообщения банка.",
		SharePhone:    "📱 Поделиться номером",
	}
	if channel == MAX {
		// A MAX client starts a bot with the button under the chat (bot_started), not with a command.
		t.OptedOut = "Вы отписались от сообщений банка в этом чате. Чтобы снова получать их, нажмите «Начать» в профиле бота."
	}
	return t
}
