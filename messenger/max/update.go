package max

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"dozvon/messenger"
)

// Update types (Update.update_type) Dozvon reads.
const (
	TypeMessageCreated  = "message_created"
	TypeMessageCallback = "message_callback"
	TypeBotStarted      = "bot_started"
	TypeBotStopped      = "bot_stopped"
	TypeDialogRemoved   = "dialog_removed"
	TypeUserRemoved     = "user_removed"
)

// Kind is what an update means to Dozvon.
type Kind string

// Kinds of Event.
const (
	// KindMessage: the client wrote (text, files, a contact, a place).
	KindMessage Kind = "message"
	// KindCallback: the client pressed a callback button; answer it with Client.AnswerCallback.
	KindCallback Kind = "callback"
	// KindStarted: the client started the bot (again), through a deep link when Payload is set.
	KindStarted Kind = "started"
	// KindStopped: the client stopped the bot, deleted the dialog or left the chat; writing fails until they
	// start it again.
	KindStopped Kind = "stopped"
	// KindIgnored: anything else (edits, group events, types MAX adds later).
	KindIgnored Kind = "ignored"
)

// Event is one update as Dozvon reads it.
type Event struct {
	Kind Kind
	// Type is update_type as MAX sent it.
	Type string
	// Key names the update for exactly-once storage (see Key).
	Key  string
	Chat messenger.Chat
	At   time.Time
	// Mid is the message's id, for a message.
	Mid  string
	Text string
	// Files are the message's files: RemoteID is the URL MAX serves the file at.
	Files []messenger.RemoteFile
	// Contact is a contact the client shared, through a request_contact button or by hand.
	Contact *Contact
	// Shared is a place, or what else the message carried that is neither words nor a file nor a contact.
	Shared *messenger.Shared
	// CallbackID answers a button press; Payload is the button's payload, or a deep link's start payload.
	CallbackID string
	Payload    string
	// Odd names the fields that were there but could not be read, e.g. "message.body.attachments[0]".
	Odd []string
}

// Contact is a shared contact.
type Contact struct {
	// Phone is the first telephone number of the contact's vCard, as written there.
	Phone string
	Name  string
	// UserID is the MAX account the contact is (max_info.user_id), 0 when it names none.
	UserID int64
	// Own: the contact is the sender's own account (max_info.user_id is the sender). MAX says so for the contact a
	// request_contact button shares; a contact forwarded by hand names someone else, or nobody.
	Own bool
	// VCF and Hash are as MAX sent them. The hash is not checked: the specification says it proves the phone is
	// the account's own (ContactAttachmentPayload.hash) but not how it is computed; Own is what links by phone.
	VCF, Hash string
}

// ErrNotAnUpdate is a payload that is not a JSON object with an update_type.
var ErrNotAnUpdate = errors.New("max: not an update")

// Updates are decoded leniently, field by field, into small types of what Dozvon reads: a field of an unexpected
// shape is skipped and named in Odd, an unknown field or update type is ignored, and everything else is read, so
// a change in MAX's API never loses the client's words around it.

type user struct {
	UserID    int64  `json:"user_id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
	Name      string `json:"name"` // deprecated, and all the specification's example has
}

// Decode reads an update as MAX delivers it (one element of GET /updates' list, or a webhook's body).
func Decode(payload []byte) (Event, error) {
	var e Event
	var typ string
	var ts int64
	var chatID int64
	var usr user
	var msg, cb json.RawMessage
	var payloadStr string
	err := fields(payload, "", &e.Odd, field{"update_type", &typ}, field{"timestamp", &ts},
		field{"chat_id", &chatID}, field{"user", &usr}, field{"message", &msg}, field{"callback", &cb},
		field{"payload", &payloadStr})
	if err != nil || typ == "" {
		return Event{Key: hashKey(payload)}, ErrNotAnUpdate
	}
	e.Type, e.At, e.Kind = typ, time.UnixMilli(ts).UTC(), KindIgnored
	e.Chat = chat(chatID, usr)
	switch typ {
	case TypeMessageCreated:
		e.Kind = KindMessage
		if msg != nil {
			decodeMessage(msg, &e)
		}
	case TypeMessageCallback:
		e.Kind = KindCallback
		var c struct {
			CallbackID string `json:"callback_id"`
			Payload    string `json:"payload"`
			User       user   `json:"user"`
		}
		if cb != nil && json.Unmarshal(cb, &c) != nil {
			e.Odd = append(e.Odd, "callback")
		}
		e.CallbackID, e.Payload = c.CallbackID, c.Payload
		e.Chat = chat(0, c.User)
		if msg != nil {
			var m struct {
				Recipient struct {
					ChatID int64 `json:"chat_id"`
				} `json:"recipient"`
			}
			if json.Unmarshal(msg, &m) == nil {
				e.Chat.ChatID = m.Recipient.ChatID
			}
		}
	case TypeBotStarted:
		e.Kind, e.Payload = KindStarted, payloadStr
	case TypeBotStopped, TypeDialogRemoved, TypeUserRemoved:
		e.Kind = KindStopped
	}
	e.Key = eventKey(typ, ts, e, payload)
	slices.Sort(e.Odd)
	return e, nil
}

func chat(chatID int64, u user) messenger.Chat {
	if u.FirstName == "" {
		u.FirstName = u.Name
	}
	return messenger.Chat{Address: messenger.Address{Channel: messenger.MAX, ChatID: chatID}, UserID: u.UserID, Username: messenger.CleanText(u.Username),
		FirstName: messenger.CleanText(u.FirstName)}
}

// Key is the update's key for exactly-once storage: "message_created:<mid>", "message_callback:<callback_id>",
// "<type>:<chat>:<user>:<timestamp>" for the rest, or "sha256:<hex>" of the bytes for what is not an update.
func Key(payload []byte) string {
	e, _ := Decode(payload)
	return e.Key
}

func hashKey(payload []byte) string {
	sum := sha256.Sum256(payload)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func eventKey(typ string, ts int64, e Event, payload []byte) string {
	switch {
	case typ == TypeMessageCreated && e.Mid != "":
		return typ + ":" + e.Mid
	case typ == TypeMessageCallback && e.CallbackID != "":
		return typ + ":" + e.CallbackID
	case ts != 0:
		return typ + ":" + strconv.FormatInt(e.Chat.ChatID, 10) + ":" + strconv.FormatInt(e.Chat.UserID, 10) + ":" + strconv.FormatInt(ts, 10)
	}
	return hashKey(payload)
}

func decodeMessage(b []byte, e *Event) {
	var sender user
	var recipient struct {
		ChatID int64 `json:"chat_id"`
		UserID int64 `json:"user_id"`
	}
	var body json.RawMessage
	if err := fields(b, "message.", &e.Odd, field{"sender", &sender}, field{"recipient", &recipient},
		field{"body", &body}); err != nil {
		e.Odd = append(e.Odd, "message")
		return
	}
	e.Chat = chat(recipient.ChatID, sender)
	if body == nil {
		return // a forward without a body of its own
	}
	var atts []json.RawMessage
	if err := fields(body, "message.body.", &e.Odd, field{"mid", &e.Mid}, field{"text", &e.Text},
		field{"attachments", &atts}); err != nil {
		e.Odd = append(e.Odd, "message.body")
		return
	}
	e.Text = messenger.CleanText(e.Text)
	var other string
	for i, raw := range atts {
		if kind := decodeAttachment(raw, e, sender.UserID); kind != "" && other == "" {
			other = kind
		} else if kind == "" && !json.Valid(raw) {
			e.Odd = append(e.Odd, fmt.Sprintf("message.body.attachments[%d]", i))
		}
	}
	if e.Text == "" && len(e.Files) == 0 && e.Contact == nil && e.Shared == nil && other != "" {
		e.Shared = &messenger.Shared{Kind: messenger.SharedOther, Name: messenger.CleanText(other)}
	}
}

// fileKinds maps MAX's attachment types to the kinds of messenger.Attachment.
var fileKinds = map[string]string{"image": "photo", "video": "video", "audio": "audio", "file": "document",
	"sticker": "sticker"}

// fileNames name what MAX sends without a name (all but a file): the operator sees it, and saves it under it.
// MAX says no type either: the file's bytes say it once fetched (messenger.Files.Save).
var fileNames = map[string]string{"image": "photo", "video": "video", "audio": "audio", "sticker": "sticker"}

// decodeAttachment reads one attachment into e; it returns the type of one Dozvon does not show ("" otherwise).
func decodeAttachment(raw json.RawMessage, e *Event, senderID int64) string {
	var a struct {
		Type      string          `json:"type"`
		Payload   json.RawMessage `json:"payload"`
		Filename  string          `json:"filename"`
		Size      int64           `json:"size"`
		Latitude  float64         `json:"latitude"`
		Longitude float64         `json:"longitude"`
	}
	if json.Unmarshal(raw, &a) != nil {
		return ""
	}
	if kind, ok := fileKinds[a.Type]; ok {
		var p struct {
			URL string `json:"url"`
		}
		_ = json.Unmarshal(a.Payload, &p)
		if p.URL != "" {
			name := a.Filename
			if name == "" {
				name = fileNames[a.Type]
			}
			e.Files = append(e.Files, messenger.RemoteFile{Kind: kind, RemoteID: p.URL, Name: name, Size: a.Size})
		}
		return ""
	}
	switch a.Type {
	case "contact":
		var p struct {
			VCF     string `json:"vcf_info"`
			Hash    string `json:"hash"`
			MaxInfo *user  `json:"max_info"`
		}
		_ = json.Unmarshal(a.Payload, &p)
		c := &Contact{VCF: p.VCF, Hash: p.Hash}
		c.Phone, c.Name = vcard(p.VCF)
		if p.MaxInfo != nil {
			c.UserID = p.MaxInfo.UserID
			if c.Name == "" {
				c.Name = strings.TrimSpace(p.MaxInfo.FirstName + " " + p.MaxInfo.LastName)
			}
		}
		c.Own = c.UserID != 0 && c.UserID == senderID
		c.Name = messenger.CleanText(c.Name)
		e.Contact = c
	case "location":
		e.Shared = &messenger.Shared{Kind: messenger.SharedLocation, Latitude: a.Latitude, Longitude: a.Longitude}
	case "inline_keyboard", "share":
		// A keyboard is the bot's own; a link preview comes with the link in the text.
	default:
		return a.Type
	}
	return ""
}

// vcard reads the first TEL and the FN of a vCard.
func vcard(vcf string) (phone, name string) {
	sc := bufio.NewScanner(strings.NewReader(vcf))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToUpper(key)
		switch {
		case phone == "" && (key == "TEL" || strings.HasPrefix(key, "TEL;")):
			phone = strings.TrimSpace(value)
		case name == "" && (key == "FN" || strings.HasPrefix(key, "FN;")):
			name = strings.TrimSpace(value)
		}
	}
	return phone, name
}

// field is one field of a JSON object to read into dst.
type field struct {
	name string
	dst  any
}

// fields reads the named fields of the JSON object b, each on its own: one that does not fit its destination is
// named in odd (prefixed with path) and left at its zero value. Fields not named are ignored, null is absent.
func fields(b []byte, path string, odd *[]string, want ...field) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	if obj == nil {
		return fmt.Errorf("max: %snull", path)
	}
	for _, f := range want {
		raw, ok := obj[f.name]
		if !ok || string(raw) == "null" {
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			*odd = append(*odd, path+f.name)
		}
	}
	return nil
}
