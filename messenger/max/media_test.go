package max_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"dozvon/internal/apispec"
	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

// What a client sends with a message reaches Dozvon as files to fetch, in each of the shapes the schema gives an
// attachment (PhotoAttachment, FileAttachment, VideoAttachment, AudioAttachment; a payload with the URL MAX serves
// the bytes at and a token): the message's text is the caption, a file keeps its name and size, and what MAX sends
// without a name (a picture, a video, a sound) gets one to be shown and saved under. Each update is first checked
// against the schema, so that the test decodes what MAX sends, not what the fake happens to.
func TestEachKindOfAttachmentInTheSchemasShapeBecomesAFileToFetch(t *testing.T) {
	spec := apispec.MAXForTest(t)
	for _, tc := range []struct {
		name, attachment string
		want             messenger.RemoteFile
	}{
		{"a picture", `{"type":"image","payload":{"photo_id":4200,"token":"tIm","url":"https://i.oneme.ru/i?r=BTGBPUwtwgYUeoFhO7rESmr8"}}`,
			messenger.RemoteFile{Kind: "photo", RemoteID: "https://i.oneme.ru/i?r=BTGBPUwtwgYUeoFhO7rESmr8", Name: "photo"}},
		{"a file", `{"type":"file","payload":{"url":"https://fd.oneme.ru/getfile?sig=x&id=77","token":"tF"},"filename":"Выписка за март.pdf","size":48213}`,
			messenger.RemoteFile{Kind: "document", RemoteID: "https://fd.oneme.ru/getfile?sig=x&id=77", Name: "Выписка за март.pdf", Size: 48213}},
		{"a video", `{"type":"video","payload":{"url":"https://vd.oneme.ru/v/9","token":"tV"},"thumbnail":null,"width":640,"height":360,"duration":12}`,
			messenger.RemoteFile{Kind: "video", RemoteID: "https://vd.oneme.ru/v/9", Name: "video"}},
		{"a sound", `{"type":"audio","payload":{"url":"https://au.oneme.ru/a/5","token":"tA"},"transcription":"перезвоните мне"}`,
			messenger.RemoteFile{Kind: "audio", RemoteID: "https://au.oneme.ru/a/5", Name: "audio"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if errs := spec.CheckValue("Attachment", jsonValue(t, []byte(tc.attachment))); len(errs) > 0 {
				t.Fatalf("the schema refuses the test's attachment: %v", errs)
			}
			payload := message(`{"mid":"mid.20","seq":20,"text":"Вот, как просили","attachments":[` + tc.attachment + `]}`)
			e, err := max.Decode([]byte(payload))
			if err != nil {
				t.Fatal(err)
			}
			if e.Kind != max.KindMessage || e.Text != "Вот, как просили" || e.Shared != nil || len(e.Odd) > 0 ||
				!reflect.DeepEqual(e.Files, []messenger.RemoteFile{tc.want}) {
				t.Fatalf("decoded %+v, want the caption and %+v", e, tc.want)
			}
		})
	}
}

// The fake takes a client's upload as MAX would give it to the bot: a message_created update whose attachment has
// the schema's shape, with a URL that gives the bytes back without the bot's token (the adapter sends none there).
func TestTheFakesFileUploadReachesTheBotAsMAXSendsIt(t *testing.T) {
	spec := apispec.MAXForTest(t)
	fake := maxfake.New(maxfake.Options{})
	c := served(t, fake)
	anna := started(t, fake, maxfake.User{FirstName: "Anna"})
	pdf := []byte("%PDF-1.7 устав")
	if _, err := fake.SendFile(anna.UserID, "file", "устав.pdf", pdf, "  Устав компании "); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendFile(anna.UserID, "image", "", []byte("\x89PNG\r\n\x1a\nnot really"), ""); err != nil {
		t.Fatal(err)
	}
	var events []max.Event
	for _, u := range fake.PendingUpdates() {
		raw, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		e, err := max.Decode(raw)
		if err != nil || len(e.Files) == 0 {
			continue
		}
		for _, a := range u.Message.Body.Attachments {
			b, _ := json.Marshal(a)
			if errs := spec.CheckValue("Attachment", jsonValue(t, b)); len(errs) > 0 {
				t.Errorf("the schema refuses %s: %v", b, errs)
			}
		}
		events = append(events, e)
	}
	if len(events) != 2 {
		t.Fatalf("%d updates with files, want 2", len(events))
	}
	doc, pic := events[0], events[1]
	if doc.Text != "Устав компании" || len(doc.Files) != 1 || doc.Files[0].Kind != "document" ||
		doc.Files[0].Name != "устав.pdf" || doc.Files[0].Size != int64(len(pdf)) {
		t.Errorf("the document arrived as %+v", doc)
	}
	if pic.Text != "" || len(pic.Files) != 1 || pic.Files[0].Kind != "photo" || pic.Files[0].Name != "photo" {
		t.Errorf("the picture arrived as %+v", pic)
	}
	body, _, err := c.OpenFile(context.Background(), doc.Files[0].RemoteID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if !bytes.Equal(got, pdf) {
		t.Errorf("the file's URL gives %q, want %q", got, pdf)
	}
	if n, leaked := fake.Calls("GET file"), fake.Calls("GET file with a token"); n != 1 || leaked != 0 {
		t.Errorf("%d downloads, %d of them with the bot's token; want 1 and none", n, leaked)
	}
	if _, err := fake.SendFile(anna.UserID, "image", "", nil, ""); err != maxfake.ErrEmptyFile {
		t.Errorf("an empty upload: %v", err)
	}
	if _, err := fake.SendFile(anna.UserID, "file", "a.txt", pdf, strings.Repeat("я", 4001)); err != maxfake.ErrTextTooLong {
		t.Errorf("a caption over 4000 characters: %v", err)
	}
}

// jsonValue decodes b as the schema checker reads values (numbers as json.Number).
func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
