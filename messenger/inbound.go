package messenger

import "time"

// Inbound is a client's message or button press that the messenger layer does not handle itself; the dialog
// consumes it. It is the same whatever messenger delivered it.
type Inbound struct {
	UpdateID int64
	Chat     Chat
	// Text is what the client wrote: a message's text, or the caption of a photo or file.
	Text         string
	CallbackData string
	// Attachments are the files the message carried, registered in Files, which fetches them.
	Attachments []Attachment
	At          time.Time
}

// Attachment is a file a client sent, as the operator sees it: Files serves its bytes once they are fetched.
type Attachment struct {
	ID   int64  `json:"file_id"` // in Files
	Kind string `json:"kind"`    // photo, document, voice, video, audio, animation, video_note, sticker
	Name string `json:"name"`
	MIME string `json:"mime"`
	Size int64  `json:"size"` // as the messenger announced it; 0 when it did not
}
