package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The live-events socket is wired into serve: it opens for a logged-in operator role, and a Ctrl-C closes it as
// "going away" (so the browser reconnects, to another instance if there is one) and still stops cleanly.
func TestLiveEventsSocketOpensAndClosesWithTheServer(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data)
	c := loginClient(t, srv.URL, srv.AdminLogin, srv.AdminPassword)
	res, err := c.PostForm(srv.URL+"/account/password", url.Values{
		"current": {srv.AdminPassword}, "new": {"my own admin password"}, "confirm": {"my own admin password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change the first password: status %d", res.StatusCode)
	}

	d := websocket.Dialer{Jar: c.Jar, HandshakeTimeout: 15 * time.Second}
	conn, res, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws?after=0", nil)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("open /ws: %v (status %d)", err, status)
	}
	defer conn.Close()
	ended := make(chan error, 1)
	go func() {
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				ended <- err
				return
			}
		}
	}()

	stopCleanly(t, srv, data)
	select {
	case err := <-ended:
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("socket ended with %v, want close 1001 (going away)", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("the socket stayed open after the server stopped")
	}
}
