package messenger

import "time"

// Inbound is a client's message or button press that the messenger layer does not handle itself; the dialog
// consumes it. It is the same whatever messenger delivered it, and says where it came from: an answer goes to
// Chat.Address, the chat, bot and channel the client wrote on.
type Inbound struct {
	// InboxID is the update's row in the inbox: an update recorded once is not recorded again.
	InboxID int64
	// Chat is who wrote, and where; its contact is recorded before the Inbound is handed on.
	Chat Chat
	// Text is what the client wrote: a message's text, or the caption of a photo or file.
	Text         string
	CallbackData string
	// Attachments are the files the message carried, registered in Files, which fetches them.
	Attachments []Attachment
	// Shared is what the message carried that is neither words nor a file (a place, a poll, dice ...); nil for
	// anything else.
	Shared *Shared
	At     time.Time
}

// Attachment is a file a client sent, as the operator sees it: Files serves its bytes once they are fetched.
type Attachment struct {
	ID   int64  `json:"file_id"` // in Files
	Kind string `json:"kind"`    // photo, document, voice, video, audio, animation, video_note, sticker
	Name string `json:"name"`
	MIME string `json:"mime"`
	Size int64  `json:"size"` // as the messenger announced it; 0 when it did not
}

// Shared is something a client sent that is neither words nor a file. It is data, not prose: whoever shows it
// words it in the reader's language.
type Shared struct {
	Kind      string   `json:"kind"`                // one of the Shared... kinds below
	Latitude  float64  `json:"latitude,omitempty"`  // a location's or a venue's
	Longitude float64  `json:"longitude,omitempty"` // a location's or a venue's
	Title     string   `json:"title,omitempty"`     // a venue's name, a poll's question, a game's title
	Address   string   `json:"address,omitempty"`   // a venue's
	Options   []string `json:"options,omitempty"`   // a poll's answers
	Emoji     string   `json:"emoji,omitempty"`     // dice: which game was played (🎲 🎯 🏀 ⚽ 🎳 🎰)
	Value     int      `json:"value,omitempty"`     // dice: what fell
	// Name is what the messenger calls a kind Dozvon does not show (Telegram's "story", "checklist" ...).
	Name string `json:"name,omitempty"`
}

// What a client may share.
const (
	SharedLocation = "location"
	SharedVenue    = "venue"
	SharedPoll     = "poll"
	SharedDice     = "dice"
	SharedGame     = "game"
	// SharedOther is anything else: Dozvon says that it came, and what the messenger calls it.
	SharedOther = "other"
)
