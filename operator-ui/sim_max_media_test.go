package operatorui_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"dozvon/internal/auth"
)

// A person playing a client on MAX sends a picture with a caption, then a PDF: MAX's fake gives the bot an image
// and a file attachment, the chat shows what was sent, and Dozvon's MAX adapter fetches both from the URLs MAX gave
// into its file store — the picture recognised as a PNG by its bytes (MAX says no type), the PDF under its name —
// beside the caption in the client's dialog. A caption over MAX's 4000 characters is refused in MAX's words.
func TestSimulatedMAXClientSendsAPhotoAndAFile(t *testing.T) {
	s, fake := newMaxSimSite(t)
	ctx := context.Background()
	c := s.loggedIn(auth.Supervisor)
	status, raw := s.call(c, http.MethodPost, "/sim/api/clients?channel=max", map[string]string{"first_name": "Борис", "phone": "+7 916 123-00-01"})
	if status != http.StatusCreated {
		t.Fatalf("create a MAX client: %d %s", status, raw)
	}
	boris := decode[struct{ Client struct{ ID int64 } }](t, raw).Client.ID
	path := "/sim/api/chats/" + strconv.FormatInt(boris, 10)
	if status, raw := s.call(c, http.MethodPost, path+"/start?channel=max", map[string]string{}); status != http.StatusOK {
		t.Fatalf("start: %d %s", status, raw)
	}

	pic, pdf := pngOf(t, 40, 30), []byte("%PDF-1.7 устав")
	status, raw = s.simUpload(c, path+"/media?channel=max", "scan.png", "image/png", pic, "  Скан паспорта ")
	chat := decode[simMediaChat](t, raw)
	if last := chat.Messages[len(chat.Messages)-1]; status != http.StatusOK || last.FromBot || last.Text != "Скан паспорта" ||
		last.File == nil || last.File.Kind != "photo" {
		t.Fatalf("photo: %d %s", status, raw)
	}
	status, raw = s.simUpload(c, path+"/media?channel=max", "устав.pdf", "application/pdf", pdf, "")
	chat = decode[simMediaChat](t, raw)
	if last := chat.Messages[len(chat.Messages)-1]; status != http.StatusOK || last.Text != "" || last.File == nil ||
		last.File.Kind != "document" || last.File.Name != "устав.pdf" {
		t.Fatalf("document: %d %s", status, raw)
	}
	if status, raw := s.simUpload(c, path+"/media?channel=max", "x.pdf", "application/pdf", pdf, strings.Repeat("я", 4001)); status != http.StatusUnprocessableEntity ||
		!strings.Contains(raw, "longer than MAX allows (4000 characters)") {
		t.Errorf("a caption too long for MAX: %d %s", status, raw)
	}

	u, _ := fake.User(boris)
	type stored struct {
		Text, Kind, Name, MIME, State string
		Size                          int64
	}
	var got []stored
	waitFor(t, "both files fetched into Dozvon", func() bool {
		rows, err := s.Pool.Query(ctx, `
			SELECT m.text, f.kind, f.name, f.mime, f.state, f.size
			FROM inbound_files f
			JOIN conversation_messages m ON m.payload @> jsonb_build_object('attachments', jsonb_build_array(jsonb_build_object('file_id', f.id)))
			JOIN conversations cv ON cv.id = m.conversation_id JOIN contacts ct ON ct.id = cv.contact_id
			WHERE ct.channel = 'max' AND ct.chat_id = $1 ORDER BY f.id`, u.ChatID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got = got[:0]
		for rows.Next() {
			var x stored
			if err := rows.Scan(&x.Text, &x.Kind, &x.Name, &x.MIME, &x.State, &x.Size); err != nil {
				t.Fatal(err)
			}
			got = append(got, x)
		}
		return len(got) == 2 && got[0].State == "ready" && got[1].State == "ready"
	})
	want := []stored{{"Скан паспорта", "photo", "photo", "image/png", "ready", int64(len(pic))},
		{"", "document", "устав.pdf", "application/pdf", "ready", int64(len(pdf))}}
	if got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Dozvon keeps %+v, want %+v", got, want)
	}
	if n := fake.Calls("GET file with a token"); n != 0 || fake.Calls("GET file") != 2 {
		t.Errorf("%d downloads, %d with the bot's token; want 2 and none", fake.Calls("GET file"), n)
	}
}
