package operatorui_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"dozvon/internal/auth"
	operatorui "dozvon/operator-ui"
)

// A page resumes its event stream with /ws?after=<the last id it saw>. Whatever arrives there is either that id,
// exactly as the server wrote it, or refused: never a panic, a negative id or another number than the one written.
func FuzzWebsocketResumeParameter(f *testing.F) {
	for _, s := range []string{"", "0", "42", "0042", "9223372036854775807", "9223372036854775808", "-1", "+5", " 5",
		"5 ", "1e3", "0x10", "abc", "٤٢", "4\x002", "１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		n, err := operatorui.ParseAfter(v)
		switch {
		case v == "":
			if err != nil || n != -1 {
				t.Fatalf("ParseAfter(\"\") = %d, %v; want -1 (from now)", n, err)
			}
		case err != nil:
			if err.Error() != "after must be an event id" || n != 0 {
				t.Fatalf("ParseAfter(%q) = %d, %v", v, n, err)
			}
			if strings.Trim(v, "0123456789") == "" && len(strings.TrimLeft(v, "0")) < 19 {
				t.Fatalf("ParseAfter(%q) refused an id: %v", v, err)
			}
		default:
			if n < 0 || strconv.FormatInt(n, 10) != strings.TrimLeft(v, "0") && !(n == 0 && strings.Trim(v, "0") == "") {
				t.Fatalf("ParseAfter(%q) = %d, not the id written", v, n)
			}
		}
	})
}

// A resume parameter that is not an event id is answered 400 with the reason, before any upgrade; an id with
// leading zeros is still that id.
func TestWebsocketRefusesAResumeParameterThatIsNotAnEventID(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Operator)
	dial := func(after string) (*websocket.Conn, *http.Response, error) {
		d := websocket.Dialer{Jar: c.Jar}
		return d.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/ws?after="+url.QueryEscape(after), nil)
	}
	for _, after := range []string{"abc", "+5", " 5", "-1", "1e3", "9223372036854775808"} {
		conn, res, err := dial(after)
		if err == nil {
			conn.Close()
			t.Errorf("after=%q: upgraded", after)
			continue
		}
		if res == nil {
			t.Fatalf("after=%q: %v", after, err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusBadRequest || strings.TrimSpace(string(body)) != `{"error":"after must be an event id"}` {
			t.Errorf("after=%q: %d %s, want 400 and the reason", after, res.StatusCode, body)
		}
	}
	conn, _, err := dial("000")
	if err != nil {
		t.Fatalf("after=000: %v", err)
	}
	conn.Close()
}
