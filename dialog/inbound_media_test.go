package dialog_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
)

// clientText is what the dialog recorded of a chat's client messages, oldest first, joined by " | ".
func (l *line) clientText(chatID int64) string {
	return l.str(`
		SELECT string_agg(m.text, ' | ' ORDER BY m.id) FROM conversation_messages m
		JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
		WHERE ct.chat_id = $1 AND m.direction = 'in'`, chatID)
}

// attachments are the files the dialog recorded with a chat's last client message.
func (l *line) attachments(chatID int64) []messenger.Attachment {
	l.t.Helper()
	raw := l.str(`
		SELECT (SELECT m.payload->'attachments' FROM conversation_messages m
		        JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
		        WHERE ct.chat_id = $1 AND m.direction = 'in' ORDER BY m.id DESC LIMIT 1)`, chatID)
	var out []messenger.Attachment
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			l.t.Fatal(err)
		}
	}
	return out
}

func (l *line) send(update tgfake.Update, err error) {
	l.t.Helper()
	if err != nil {
		l.t.Fatal(err)
	}
}

// A NUL in one client's text and name, and half an emoji in another's (a lone surrogate, as some clients cut a
// long text), arrive in one getUpdates batch with two good messages. PostgreSQL takes neither as sent; every
// update is still stored, each client's message reaches the dialog, and what could not be kept reads U+FFFD.
func TestOnePoisonedUpdateInAPolledBatchHoldsUpNoOtherClient(t *testing.T) {
	l := newQuietLine(t)
	anna := l.fake.AddUser(tgfake.User{FirstName: "Анна"})
	nul := l.fake.AddUser(tgfake.User{FirstName: "Пётр\x00"})
	half := l.fake.AddUser(tgfake.User{FirstName: "Вера"})
	oleg := l.fake.AddUser(tgfake.User{FirstName: "Олег"})
	l.send(l.fake.SendText(anna.ID, "Здравствуйте, есть вопрос по счёту"))
	l.send(l.fake.SendText(nul.ID, "Счёт\x00 уже открыт?"))
	l.send(l.fake.SendRaw(json.RawMessage(fmt.Sprintf(`{"message": {"message_id": 1, "date": 1767225600,
		"chat": {"id": %d, "type": "private", "first_name": "Вера"}, "from": {"id": %[1]d, "is_bot": false,
		"first_name": "Вера"}, "text": "Спасибо! \ud83d"}}`, half.ID))))
	l.send(l.fake.SendText(oleg.ID, "Когда перезвоните?"))
	if n := len(l.fake.PendingUpdates()); n != 4 {
		t.Fatalf("%d updates wait in Telegram, want the 4 of one batch", n)
	}
	l.receive()

	l.eventually("every client's message is in a conversation", func() bool {
		return l.int(`SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL`) == 4 &&
			l.int(`SELECT count(*) FROM conversation_messages WHERE direction = 'in'`) == 4
	})
	for chat, want := range map[int64]string{
		anna.ID: "Здравствуйте, есть вопрос по счёту",
		nul.ID:  "Счёт\uFFFD уже открыт?",
		half.ID: "Спасибо! \uFFFD",
		oleg.ID: "Когда перезвоните?",
	} {
		if got := l.clientText(chat); got != want {
			t.Errorf("chat %d: the dialog has %q, want %q", chat, got, want)
		}
	}
	if got := l.str(`SELECT first_name FROM contacts WHERE chat_id = $1`, nul.ID); got != "Пётр\uFFFD" {
		t.Errorf("first name %q", got)
	}
	if got := l.str(`SELECT string_agg(error, ';') FROM inbox WHERE error <> ''`); got != "" {
		t.Errorf("processing errors: %s", got)
	}
	faults := l.str(`SELECT string_agg(key || ': ' || fault || ' raw=' || (raw IS NOT NULL), '; ' ORDER BY id)
		FROM inbox`)
	if want := `1:  raw=false; 2: replaced with U+FFFD: \u0000 raw=true; 3: replaced with U+FFFD: a lone surrogate raw=true; 4:  raw=false`; faults != want {
		t.Errorf("inbox faults:\n got %s\nwant %s", faults, want)
	}
	l.eventually("the batch is acknowledged", func() bool { return len(l.fake.PendingUpdates()) == 0 })
}

// A client sends a photo with a caption, then a document: the caption is the message, and each file reaches the
// operator, fetched from Telegram (getFile and the file path) and kept in the database.
func TestAPhotoOrDocumentWithACaptionReachesTheOperatorWithItsFile(t *testing.T) {
	l := newLine(t)
	u := l.fake.AddUser(tgfake.User{FirstName: "Ирина"})
	photo := bytes.Repeat([]byte("\xff\xd8jpeg"), 300_000) // 1.8 MB: two pieces in the database
	l.send(l.fake.SendPhoto(u.ID, photo, 1280, 960, "Вот скан паспорта"))
	l.eventually("the photo is fetched", func() bool {
		a := l.attachments(u.ID)
		if len(a) != 1 {
			return false
		}
		f, err := l.files.Get(l.ctx, a[0].ID)
		return err == nil && f.State == messenger.FileReady
	})
	if got := l.clientText(u.ID); got != "Вот скан паспорта" {
		t.Fatalf("the message reads %q, want the caption", got)
	}
	a := l.attachments(u.ID)[0]
	if a.Kind != "photo" || a.Name != "photo.jpg" || a.MIME != "image/jpeg" || a.Size != int64(len(photo)) {
		t.Fatalf("attachment = %+v", a)
	}
	if got := l.read(a.ID); !bytes.Equal(got, photo) {
		t.Fatalf("stored %d bytes, want the photo's %d", len(got), len(photo))
	}

	doc := []byte("%PDF-1.7 выписка")
	l.send(l.fake.SendDocument(u.ID, "выписка.pdf", "application/pdf", doc, ""))
	l.eventually("the document is fetched", func() bool {
		a := l.attachments(u.ID)
		if len(a) != 1 || a[0].Kind != "document" {
			return false
		}
		f, err := l.files.Get(l.ctx, a[0].ID)
		return err == nil && f.State == messenger.FileReady
	})
	d := l.attachments(u.ID)[0]
	if d.Name != "выписка.pdf" || d.MIME != "application/pdf" || d.Size != int64(len(doc)) ||
		!bytes.Equal(l.read(d.ID), doc) {
		t.Fatalf("document = %+v", d)
	}
	if got := l.clientText(u.ID); got != "Вот скан паспорта | " {
		t.Fatalf("messages read %q: a file without a caption is a message without text", got)
	}
	if n := l.fake.Calls("getFile"); n != 2 {
		t.Fatalf("%d getFile calls, want one per file", n)
	}
}

func (l *line) read(fileID int64) []byte {
	l.t.Helper()
	b, err := io.ReadAll(l.files.Open(fileID))
	if err != nil {
		l.t.Fatal(err)
	}
	return b
}

// A file over the limit is never fetched, but the operator sees its name and size.
func TestAFileOverTheLimitIsRecordedWithItsNameAndSize(t *testing.T) {
	l := newLine(t)
	l.files.Max = 1000
	u := l.fake.AddUser(tgfake.User{FirstName: "Ирина"})
	l.send(l.fake.SendDocument(u.ID, "отчёт.xlsx", "application/vnd.ms-excel", make([]byte, 1001), "Отчёт за год"))
	l.eventually("the message is in a conversation", func() bool { return l.clientText(u.ID) == "Отчёт за год" })
	a := l.attachments(u.ID)
	if len(a) != 1 || a[0].Name != "отчёт.xlsx" || a[0].Size != 1001 {
		t.Fatalf("attachments = %+v", a)
	}
	f, err := l.files.Get(l.ctx, a[0].ID)
	if err != nil || f.State != messenger.FileTooLarge {
		t.Fatalf("file = %+v, %v; want too large", f, err)
	}
	if n := l.fake.Calls("getFile"); n != 0 {
		t.Fatalf("%d getFile calls for a file over the limit", n)
	}
}

// A valid Bot API 10.1 message quoting a paid live photo (a paid media type go-telegram/bot 1.19 does not know)
// reaches the operator: the field Dozvon does not read cannot lose the words around it.
func TestAMessageQuotingAPaidLivePhotoReachesTheOperator(t *testing.T) {
	l := newLine(t)
	u := l.fake.AddUser(tgfake.User{FirstName: "Ирина"})
	l.send(l.fake.SendRaw(json.RawMessage(fmt.Sprintf(`{"message": {"message_id": 7, "date": 1767225600,
		"chat": {"id": %d, "type": "private", "first_name": "Ирина"},
		"from": {"id": %[1]d, "is_bot": false, "first_name": "Ирина"},
		"external_reply": {"origin": {"type": "channel", "date": 1767200000, "message_id": 3,
			"chat": {"id": -1001, "type": "channel", "title": "Канал"}},
			"paid_media": {"star_count": 5, "paid_media": [{"type": "live_photo", "live_photo": {
				"file_id": "AgAD", "file_unique_id": "AQAD", "width": 1080, "height": 1920, "duration": 3,
				"photo": [{"file_id": "AgAE", "file_unique_id": "AQAE", "width": 90, "height": 160}]}}]}},
		"text": "Это ваше предложение?"}}`, u.ID))))
	l.eventually("the message is in a conversation", func() bool { return l.clientText(u.ID) != "" })
	if got := l.clientText(u.ID); got != "Это ваше предложение?" {
		t.Fatalf("the dialog has %q", got)
	}
	if e := l.str(`SELECT string_agg(error, ';') FROM inbox WHERE error <> ''`); e != "" {
		t.Fatalf("processing error: %s", e)
	}
}

// A voice message and a video, each with a caption, sent by a Telegram app (Bot API 10.1: the caption beside the
// file, no text) reach the operator: the caption as the message, the file as an attachment of its kind to fetch.
// A field Dozvon does not know in the message loses nothing around it.
func TestAVoiceMessageAndAVideoWithCaptionsReachTheOperator(t *testing.T) {
	l := newQuietLine(t)
	u := l.fake.AddUser(tgfake.User{FirstName: "Ирина"})
	head := fmt.Sprintf(`"message_id": %%d, "date": 1767225600, "chat": {"id": %d, "type": "private", "first_name": "Ирина"},
		"from": {"id": %[1]d, "is_bot": false, "first_name": "Ирина"}`, u.ID)
	l.send(l.fake.SendRaw(json.RawMessage(fmt.Sprintf(`{"message": {`+head+`, "caption": "Послушайте, пожалуйста",
		"voice": {"file_id": "AwADvoice", "file_unique_id": "AgADv", "duration": 4, "mime_type": "audio/ogg", "file_size": 5120},
		"a_field_of_2027": {"shape": ["unknown"]}}}`, 11))))
	l.send(l.fake.SendRaw(json.RawMessage(fmt.Sprintf(`{"message": {`+head+`, "caption": "Видео с ошибкой в приложении",
		"video": {"file_id": "BAADvideo", "file_unique_id": "AgADw", "width": 720, "height": 1280, "duration": 9,
		"file_name": "ошибка.mp4", "mime_type": "video/mp4", "file_size": 204800}}}`, 12))))
	l.receive()
	l.eventually("both messages are in the dialog", func() bool {
		return l.int(`SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL`) == 2 &&
			l.int(`SELECT count(*) FROM conversation_messages WHERE direction = 'in'`) == 2
	})
	if got := l.clientText(u.ID); got != "Послушайте, пожалуйста | Видео с ошибкой в приложении" {
		t.Fatalf("the dialog has %q, want both captions", got)
	}
	var kinds string
	l.eventually("the files are registered", func() bool {
		kinds = l.str(`SELECT string_agg(a->>'kind' || ' ' || (a->>'name') || ' ' || (a->>'mime') || ' ' || (a->>'size'), '; '
			ORDER BY m.id) FROM conversation_messages m, jsonb_array_elements(m.payload->'attachments') a
			WHERE m.direction = 'in'`)
		return kinds != ""
	})
	if kinds != "voice voice.ogg audio/ogg 5120; video ошибка.mp4 video/mp4 204800" {
		t.Fatalf("attachments: %s", kinds)
	}
	if e := l.str(`SELECT string_agg(error, ';') FROM inbox WHERE error <> ''`); e != "" {
		t.Fatalf("processing error: %s", e)
	}
}
