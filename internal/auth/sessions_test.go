package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"dozvon/internal/auth"
	"dozvon/internal/pg/pgtest"
)

// A request still running when the user logs out (a slow page, a websocket handshake) ends after the logout; the
// session it loaded must stay deleted, although scs writes every session back at the end of every request.
func TestARequestInFlightDuringLogoutDoesNotBringTheSessionBack(t *testing.T) {
	pool := pgtest.NewDB(t)
	sm := auth.NewSessions(pool, 12*time.Hour, time.Hour, false)

	inFlight, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		_ = sm.RenewToken(r.Context())
		sm.Put(r.Context(), "user", int64(7))
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) { _ = sm.Destroy(r.Context()) })
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(inFlight)
		<-release
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		if !sm.Exists(r.Context(), "user") {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	srv := httptest.NewServer(auth.LoadAndSave(sm, mux))
	defer srv.Close()

	login, err := http.Post(srv.URL+"/login", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	login.Body.Close()
	var cookie *http.Cookie
	for _, c := range login.Cookies() {
		if c.Name == auth.SessionCookie {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("login set no session cookie")
	}
	do := func(method, path string) int {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		req.AddCookie(cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := do("GET", "/whoami"); code != http.StatusOK {
		t.Fatalf("after login: %d, want 200", code)
	}

	slowDone := make(chan struct{})
	go func() { defer close(slowDone); do("GET", "/slow") }()
	<-inFlight
	do("POST", "/logout")
	close(release)
	<-slowDone

	var left int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d sessions in the store after logout, want 0", left)
	}
	if code := do("GET", "/whoami"); code != http.StatusUnauthorized {
		t.Fatalf("the old cookie after logout: %d, want 401", code)
	}
}
