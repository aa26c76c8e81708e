package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"dozvon/messenger"
)

// Updates are decoded leniently, into small types of only the fields Dozvon reads, one field at a time. The Bot
// API grows every few months, and a library's full model of it refuses a whole update for one field it does not
// know in a shape it does not expect (go-telegram/bot 1.19 refuses a message quoting a paid live photo, Bot API
// 10.1): the client's words around that field would be lost. Here a field of an unexpected shape is skipped and
// named, and everything else is read.

// update is the part of an update Dozvon reads.
type update struct {
	UpdateID      int64
	Message       *message
	CallbackQuery *callbackQuery
	MyChatMember  *chatMemberUpdated
	// Odd names the fields that were there but could not be read, e.g. "message.photo".
	Odd []string
}

type user struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
}

type chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
}

type contact struct {
	PhoneNumber string `json:"phone_number"`
	UserID      int64  `json:"user_id"`
}

type message struct {
	Chat    chat
	From    *user
	Date    int64
	Text    string
	Caption string
	Contact *contact
	Files   []messenger.RemoteFile
}

type callbackQuery struct {
	ID      string
	From    user
	Message *message // nil, or only its chat for a message too old to be shown (InaccessibleMessage)
	Data    string
}

type chatMemberUpdated struct {
	Chat          chat `json:"chat"`
	NewChatMember struct {
		Status string `json:"status"`
	} `json:"new_chat_member"`
}

// errNotAnUpdate is an update that is not a JSON object with an update_id.
var errNotAnUpdate = errors.New("telegram: not an update")

// decodeUpdate reads what Dozvon needs of an update. Only a payload that is not a JSON object with a numeric
// update_id is an error; a field of an unexpected shape is skipped and named in Odd.
func decodeUpdate(payload []byte) (update, error) {
	var u update
	var hasID bool
	var msg, cb, member json.RawMessage
	err := fields(payload, "", &u.Odd, field{"update_id", &u.UpdateID, &hasID},
		field{"message", &msg, nil}, field{"callback_query", &cb, nil}, field{"my_chat_member", &member, nil})
	if err != nil || !hasID {
		return u, errNotAnUpdate
	}
	if msg != nil {
		u.Message = decodeMessage(msg, "message.", &u.Odd)
	}
	if cb != nil {
		u.CallbackQuery = decodeCallback(cb, "callback_query.", &u.Odd)
	}
	if member != nil {
		var m chatMemberUpdated
		if json.Unmarshal(member, &m) == nil {
			u.MyChatMember = &m
		} else {
			u.Odd = append(u.Odd, "my_chat_member")
		}
	}
	slices.Sort(u.Odd)
	return u, nil
}

// field is one field of a JSON object to read into dst; seen, when set, says whether it was read.
type field struct {
	name string
	dst  any
	seen *bool
}

// fields reads the named fields of the JSON object b, each on its own: one that does not fit its destination is
// named in odd (prefixed with path) and left at its zero value. Fields not named are ignored, and null is absent.
func fields(b []byte, path string, odd *[]string, want ...field) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	if obj == nil {
		return fmt.Errorf("telegram: %snull", path)
	}
	for _, f := range want {
		raw, ok := obj[f.name]
		if !ok || string(raw) == "null" {
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			*odd = append(*odd, path+f.name)
			continue
		}
		if f.seen != nil {
			*f.seen = true
		}
	}
	return nil
}

// decodeMessage reads a message; nil when it is not a JSON object at all.
func decodeMessage(b []byte, path string, odd *[]string) *message {
	var m message
	var photo []photoSize
	var media [7]fileObject // document, voice, video, audio, animation, video_note, sticker
	var seen [7]bool
	err := fields(b, path, odd,
		field{"chat", &m.Chat, nil}, field{"from", &m.From, nil}, field{"date", &m.Date, nil},
		field{"text", &m.Text, nil}, field{"caption", &m.Caption, nil}, field{"contact", &m.Contact, nil},
		field{"photo", &photo, nil},
		field{"document", &media[0], &seen[0]}, field{"voice", &media[1], &seen[1]},
		field{"video", &media[2], &seen[2]}, field{"audio", &media[3], &seen[3]},
		field{"animation", &media[4], &seen[4]}, field{"video_note", &media[5], &seen[5]},
		field{"sticker", &media[6], &seen[6]})
	if err != nil {
		*odd = append(*odd, path[:len(path)-1])
		return nil
	}
	if len(photo) > 0 {
		m.Files = append(m.Files, largestPhoto(photo))
	}
	if seen[4] {
		seen[0] = false // an animation comes with a copy of itself as a document, for old clients
	}
	for i, kind := range mediaKinds {
		if seen[i] && media[i].FileID != "" {
			m.Files = append(m.Files, media[i].remote(kind))
		}
	}
	return &m
}

var mediaKinds = [7]string{"document", "voice", "video", "audio", "animation", "video_note", "sticker"}

func decodeCallback(b []byte, path string, odd *[]string) *callbackQuery {
	var q callbackQuery
	var msg json.RawMessage
	if err := fields(b, path, odd, field{"id", &q.ID, nil}, field{"from", &q.From, nil},
		field{"message", &msg, nil}, field{"data", &q.Data, nil}); err != nil {
		*odd = append(*odd, path[:len(path)-1])
		return nil
	}
	if msg != nil {
		q.Message = decodeMessage(msg, path+"message.", odd)
	}
	return &q
}

// photoSize is one size of a photo; Telegram lists them smallest first.
type photoSize struct {
	FileID   string  `json:"file_id"`
	Width    int     `json:"width"`
	Height   int     `json:"height"`
	FileSize float64 `json:"file_size"` // up to 2^52: a float reads it whichever way it is written
}

// largestPhoto is the biggest size Dozvon may fetch, or the biggest of all when none is small enough (then it is
// recorded as too large).
func largestPhoto(sizes []photoSize) messenger.RemoteFile {
	best := -1
	for i, p := range sizes {
		fits := p.FileSize <= messenger.MaxFileSize
		if best < 0 || fits && p.Width*p.Height >= sizes[best].Width*sizes[best].Height ||
			fits && sizes[best].FileSize > messenger.MaxFileSize {
			best = i
		}
	}
	p := sizes[best]
	return messenger.RemoteFile{Kind: "photo", RemoteID: p.FileID, Name: "photo.jpg", MIME: "image/jpeg",
		Size: int64(p.FileSize)}
}

// fileObject is the common part of Document, Voice, Video, Audio, Animation, VideoNote and Sticker.
type fileObject struct {
	FileID     string  `json:"file_id"`
	FileName   string  `json:"file_name"`
	MIMEType   string  `json:"mime_type"`
	FileSize   float64 `json:"file_size"`
	IsAnimated bool    `json:"is_animated"` // stickers
	IsVideo    bool    `json:"is_video"`    // stickers
}

// remote describes the file as Files registers it, with the name and type Telegram's apps would give a file that
// came without them.
func (f fileObject) remote(kind string) messenger.RemoteFile {
	name, mime := f.FileName, f.MIMEType
	var defName, defMIME string
	switch kind {
	case "voice":
		defName, defMIME = "voice.ogg", "audio/ogg"
	case "video", "animation", "video_note":
		defName, defMIME = kind+".mp4", "video/mp4"
	case "audio":
		defName, defMIME = "audio.mp3", "audio/mpeg"
	case "sticker":
		switch {
		case f.IsAnimated:
			defName, defMIME = "sticker.tgs", "application/x-tgsticker"
		case f.IsVideo:
			defName, defMIME = "sticker.webm", "video/webm"
		default:
			defName, defMIME = "sticker.webp", "image/webp"
		}
	default:
		defName, defMIME = "file", "application/octet-stream"
	}
	if name == "" {
		name = defName
	}
	if mime == "" {
		mime = defMIME
	}
	return messenger.RemoteFile{Kind: kind, RemoteID: f.FileID, Name: name, MIME: mime, Size: int64(f.FileSize)}
}
