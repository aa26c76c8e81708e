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
	// Shared is a place, a poll, dice or a game, or, for a message with neither words nor a file nor any of
	// those, the kind of what it carries, which Dozvon does not show.
	Shared *messenger.Shared
	// Event is a message that is only something that happened to the chat (a pin, a new wallpaper): nobody
	// wrote anything to answer.
	Event bool
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
	var loc location
	var ven venue
	var pl poll
	var di dice
	var gm game
	var shared [5]bool // venue, location, poll, dice, game
	err := fields(b, path, odd,
		field{"chat", &m.Chat, nil}, field{"from", &m.From, nil}, field{"date", &m.Date, nil},
		field{"text", &m.Text, nil}, field{"caption", &m.Caption, nil}, field{"contact", &m.Contact, nil},
		field{"photo", &photo, nil},
		field{"document", &media[0], &seen[0]}, field{"voice", &media[1], &seen[1]},
		field{"video", &media[2], &seen[2]}, field{"audio", &media[3], &seen[3]},
		field{"animation", &media[4], &seen[4]}, field{"video_note", &media[5], &seen[5]},
		field{"sticker", &media[6], &seen[6]},
		field{"venue", &ven, &shared[0]}, field{"location", &loc, &shared[1]}, field{"poll", &pl, &shared[2]},
		field{"dice", &di, &shared[3]}, field{"game", &gm, &shared[4]})
	if err != nil {
		*odd = append(*odd, path[:len(path)-1])
		return nil
	}
	switch {
	case shared[0]: // a venue comes with its location too, for old clients
		m.Shared = &messenger.Shared{Kind: messenger.SharedVenue, Latitude: ven.Location.Latitude,
			Longitude: ven.Location.Longitude, Title: messenger.CleanText(ven.Title), Address: messenger.CleanText(ven.Address)}
	case shared[1]:
		m.Shared = &messenger.Shared{Kind: messenger.SharedLocation, Latitude: loc.Latitude, Longitude: loc.Longitude}
	case shared[2]:
		m.Shared = &messenger.Shared{Kind: messenger.SharedPoll, Title: messenger.CleanText(pl.Question)}
		for _, o := range pl.Options {
			m.Shared.Options = append(m.Shared.Options, messenger.CleanText(o.Text))
		}
	case shared[3]:
		m.Shared = &messenger.Shared{Kind: messenger.SharedDice, Emoji: messenger.CleanText(di.Emoji), Value: di.Value}
	case shared[4]:
		m.Shared = &messenger.Shared{Kind: messenger.SharedGame, Title: messenger.CleanText(gm.Title)}
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
	if m.Text == "" && len(m.Files) == 0 && m.Shared == nil && m.Contact == nil {
		m.Shared, m.Event = unshown(b)
	}
	return &m
}

// unshown names what a message without text, files or anything Dozvon shows carries, by the field that holds
// it: a story, a checklist, a kind newer than Dozvon, or a location of a shape Dozvon could not read. Nil for a
// message with nothing more, and for one that is only an event of the chat (then event is true).
func unshown(b []byte) (s *messenger.Shared, event bool) {
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(b, &obj) // decodeMessage read it already
	var kinds, events []string
	for name, v := range obj {
		switch {
		case string(v) == "null" || envelope[name]:
		case chatEvents[name]:
			events = append(events, name)
		default:
			kinds = append(kinds, name)
		}
	}
	if len(kinds) == 0 {
		return nil, len(events) > 0
	}
	slices.Sort(kinds)
	return &messenger.Shared{Kind: messenger.SharedOther, Name: messenger.CleanText(kinds[0])}, false
}

// envelope are the fields of a Message that say about it (who, when, in reply to what, how it is formatted) or
// are its words, not what else it carries (Bot API 10.1).
var envelope = map[string]bool{
	"message_id": true, "message_thread_id": true, "direct_messages_topic": true, "from": true, "sender_chat": true,
	"sender_boost_count": true, "sender_business_bot": true, "sender_tag": true, "date": true,
	"guest_query_id": true, "business_connection_id": true, "chat": true, "forward_origin": true,
	"is_topic_message": true, "is_automatic_forward": true, "reply_to_message": true, "external_reply": true,
	"quote": true, "reply_to_story": true, "reply_to_checklist_task_id": true, "reply_to_poll_option_id": true,
	"via_bot": true, "guest_bot_caller_user": true, "guest_bot_caller_chat": true, "edit_date": true,
	"has_protected_content": true, "is_from_offline": true, "is_paid_post": true, "media_group_id": true,
	"author_signature": true, "paid_star_count": true, "text": true, "entities": true, "link_preview_options": true,
	"suggested_post_info": true, "effect_id": true, "caption": true, "caption_entities": true,
	"show_caption_above_media": true, "has_media_spoiler": true, "reply_markup": true,
}

// chatEvents are service messages a private chat gets when something happens to the chat itself, not when the
// client writes: nothing for an operator to answer.
var chatEvents = map[string]bool{
	"pinned_message": true, "message_auto_delete_timer_changed": true, "chat_background_set": true,
	"write_access_allowed": true,
}

// location, venue, poll, dice and game are the parts of Telegram's objects Dozvon shows.
type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type venue struct {
	Location location `json:"location"`
	Title    string   `json:"title"`
	Address  string   `json:"address"`
}

type poll struct {
	Question string `json:"question"`
	Options  []struct {
		Text string `json:"text"`
	} `json:"options"`
}

type dice struct {
	Emoji string `json:"emoji"`
	Value int    `json:"value"`
}

type game struct {
	Title string `json:"title"`
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
