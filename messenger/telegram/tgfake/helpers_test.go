package tgfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// serve starts f on an httptest server and returns its URL. Cleanup closes
// the fake first so pending long polls end and the server can shut down.
func serve(t testing.TB, f *Fake) string {
	t.Helper()
	srv := httptest.NewServer(f.Handler())
	t.Cleanup(func() {
		f.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

func newServed(t testing.TB, opts Options) (*Fake, string) {
	f := New(opts)
	return f, serve(t, f)
}

// newBot returns a go-telegram client for the fake. It calls getMe, as
// bot.New does by default, so it also checks the fake speaks its protocol.
func newBot(t testing.TB, f *Fake, base string, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{bot.WithServerURL(base), bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {})}, opts...)
	b, err := bot.New(f.Token(), opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

// apiResponse is the Bot API response envelope, decoded strictly enough to
// assert on every field.
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// callJSON posts a JSON body to a Bot API method.
func callJSON(t testing.TB, base, token, method string, body any) (int, apiResponse, []byte) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, http.MethodPost, base+"/bot"+token+"/"+method, "application/json", bytes.NewReader(data))
}

// callForm posts an application/x-www-form-urlencoded body.
func callForm(t testing.TB, base, token, method string, form url.Values) (int, apiResponse, []byte) {
	t.Helper()
	return do(t, http.MethodPost, base+"/bot"+token+"/"+method, "application/x-www-form-urlencoded", bytes.NewReader([]byte(form.Encode())))
}

func do(t testing.TB, httpMethod, u, contentType string, body io.Reader) (int, apiResponse, []byte) {
	t.Helper()
	req, err := http.NewRequest(httpMethod, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r apiResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON: %s", raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	return resp.StatusCode, r, raw
}

func mustDecode[T any](t testing.TB, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func ctxTimeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startedUser adds a user who has pressed Start, so the bot can write to them.
func startedUser(t testing.TB, f *Fake, u User) User {
	t.Helper()
	u = f.AddUser(u)
	if _, err := f.Start(u.ID, ""); err != nil {
		t.Fatal(err)
	}
	return u
}
