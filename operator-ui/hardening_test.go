package operatorui_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"dozvon/internal/auth"
	operatorui "dozvon/operator-ui"
)

const metricsToken = "prometheus-scrapes-with-this-token"

// metrics reads /metrics as Prometheus does, with token as its bearer token ("" sends none).
func (s *site) metrics(token string) (*http.Response, string) {
	s.t.Helper()
	r, _ := http.NewRequest(http.MethodGet, s.URL+"/metrics", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// The figures on /metrics say how busy the team and the bot are: they are for the bank's Prometheus, not for
// anyone who finds the address. Off unless a token is set; with one, only that token reads them.
func TestMetricsAreOffWithoutATokenAndNeedItWithOne(t *testing.T) {
	off := newSiteWith(t, func(d *operatorui.Deps) { d.MetricsToken = "" })
	if res, body := off.metrics(""); res.StatusCode != http.StatusNotFound || strings.Contains(body, "dozvon_http_requests_total") {
		t.Errorf("/metrics with no token configured: %d, want 404", res.StatusCode)
	}
	s := newSite(t) // with metricsToken
	for _, token := range []string{"", "wrong-token-of-some-length", metricsToken + "x"} {
		if res, body := s.metrics(token); res.StatusCode != http.StatusUnauthorized || strings.Contains(body, "dozvon_") ||
			res.Header.Get("WWW-Authenticate") != `Bearer realm="dozvon metrics"` {
			t.Errorf("/metrics with token %q: %d, want 401", token, res.StatusCode)
		}
	}
	// A logged-in administrator's session is not the token either.
	if res, _ := s.get(s.loggedIn(auth.Admin), "/metrics"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics with an admin's session: %d, want 401", res.StatusCode)
	}
	if res, body := s.metrics(metricsToken); res.StatusCode != http.StatusOK || !strings.Contains(body, "dozvon_http_requests_total") {
		t.Errorf("/metrics with the token: %d", res.StatusCode)
	}
}

// Behind an https public URL, browsers are told to use https only; a plain http installation (a laptop, a test
// bench) does not send the header, which would lock its browsers out of it.
func TestHSTSIsSentOnlyForAnHTTPSPublicURL(t *testing.T) {
	for _, hsts := range []bool{false, true} {
		s := newSiteWith(t, func(d *operatorui.Deps) { d.HSTS = hsts })
		for _, path := range []string{"/login", "/healthz", "/nowhere"} {
			res, _ := s.get(s.client(), path)
			got, want := res.Header.Get("Strict-Transport-Security"), ""
			if hsts {
				want = "max-age=31536000"
			}
			if got != want {
				t.Errorf("HSTS %v, %s: Strict-Transport-Security %q, want %q", hsts, path, got, want)
			}
		}
	}
}

// serveReal runs the site's handler in the server `dozvon serve` runs (ui.Server, with its timeouts) rather than
// httptest's, and returns its address.
func (s *site) serveReal() string {
	s.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	srv := s.UI.Server(context.Background())
	go func() { _ = srv.Serve(ln) }()
	s.t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// A client that sends its body a byte at a time, slower than any person's browser, must not hold a connection
// (and a goroutine, and a database connection behind the form) for ever: the server gives up on the body after
// the read timeout. The client's own 30 s deadline only stops the test if the server never answers.
func TestASlowBodyIsCutOffByTheReadTimeout(t *testing.T) {
	s := newSiteWith(t, func(d *operatorui.Deps) { d.ReadTimeout = 300 * time.Millisecond })
	conn, err := net.Dial("tcp", s.serveReal())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	_, _ = io.WriteString(conn, "POST /login HTTP/1.1\r\nHost: dozvon\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: 100\r\n\r\nlogin=a")
	// ... and nothing more: a 1-byte-per-5-s client never gets to 100 bytes.
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err) // a timeout here: the server still waits for the body
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a cut-off body was answered %d, want 400", res.StatusCode)
	}
}

// slowReader hands out its data a piece at a time with a pause before each, as a slow line does.
type slowReader struct {
	data  []byte
	piece int
	pause time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.pause)
	n := copy(p[:min(len(p), r.piece)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// A manager's file over a slow branch-office line takes longer than any form: the upload route, once the manager
// is let in, gives its body the upload timeout, so the file arrives whole where a form's body would be cut off.
func TestAManagersSlowUploadOutlastsTheReadTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	s := newSiteWith(t, func(d *operatorui.Deps) { d.ReadTimeout = timeout })
	addr := s.serveReal()
	c := s.loggedIn(auth.Manager) // cookies are per host, not per port: the session works on both servers
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("dataset", "clients")
	fw, _ := mw.CreateFormFile("file", "clients.csv")
	_, _ = fw.Write(clientsExport(t))
	mw.Close()
	pieces := 6
	slow := &slowReader{data: body.Bytes(), piece: body.Len()/pieces + 1, pause: timeout / 2} // 3 timeouts long in all
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/imports", slow)
	req.ContentLength = int64(body.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/imports/uploads/") {
		t.Fatalf("a slow upload: %d to %q, want the preview", res.StatusCode, loc)
	}
}
