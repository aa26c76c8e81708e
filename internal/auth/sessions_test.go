package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

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

// sessionSite serves /login?user=ID (signs in as that user) and /whoami (200 with a session, 401 without).
func sessionSite(t *testing.T, sm *scs.SessionManager) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.URL.Query().Get("user"), 10, 64)
		_ = sm.RenewToken(r.Context())
		sm.Put(r.Context(), auth.SessionUserID, id)
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		if !sm.Exists(r.Context(), auth.SessionUserID) {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	srv := httptest.NewServer(auth.LoadAndSave(sm, mux))
	t.Cleanup(srv.Close)
	return srv
}

func signIn(t *testing.T, srv *httptest.Server, user int64) string {
	t.Helper()
	res, err := http.Post(srv.URL+"/login?user="+strconv.FormatInt(user, 10), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == auth.SessionCookie {
			return c.Value
		}
	}
	t.Fatal("login set no session cookie")
	return ""
}

func whoami(t *testing.T, srv *httptest.Server, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/whoami", nil)
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: token})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// Whoever reads the sessions table (a backup, a database login) finds nothing that works as a cookie: the table
// holds the token's SHA-256, in no encoding that the cookie's value takes.
func TestSessionsTableHoldsNoTokenThatWorksAsACookie(t *testing.T) {
	pool := pgtest.NewDB(t)
	s := auth.NewStore(pool)
	s.Cost = bcrypt.MinCost
	u, err := s.Create(context.Background(), auth.NewUser{Login: "ivanova", Password: "correct horse", Role: auth.Operator})
	if err != nil {
		t.Fatal(err)
	}
	sm := auth.NewSessions(pool, 12*time.Hour, time.Hour, false)
	srv := sessionSite(t, sm)
	token := signIn(t, srv, u.ID)
	if code := whoami(t, srv, token); code != http.StatusOK {
		t.Fatalf("the cookie itself: %d, want 200", code)
	}

	rows, err := pool.Query(context.Background(), `SELECT token_hash, data, user_id FROM sessions`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Hash, Data []byte
		User       *int64
	}
	stored, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0].User == nil || *stored[0].User != u.ID {
		t.Fatalf("sessions table: %+v, want one row of user %d", stored, u.ID)
	}
	want := sha256.Sum256([]byte(token))
	if !bytes.Equal(stored[0].Hash, want[:]) {
		t.Errorf("stored key is not the token's SHA-256")
	}
	h := stored[0].Hash
	for _, v := range []string{string(h), hex.EncodeToString(h), base64.RawURLEncoding.EncodeToString(h),
		base64.StdEncoding.EncodeToString(h)} {
		if bytes.Contains(stored[0].Hash, []byte(token)) || bytes.Contains(stored[0].Data, []byte(token)) {
			t.Fatal("the row holds the token in clear")
		}
		if code := whoami(t, srv, v); code != http.StatusUnauthorized {
			t.Errorf("the stored hash %q as a cookie: %d, want 401", v, code)
		}
	}
}

// A new password ends every session of that user, and no one else's.
func TestSetPasswordEndsTheUsersSessions(t *testing.T) {
	pool := pgtest.NewDB(t)
	s := auth.NewStore(pool)
	s.Cost = bcrypt.MinCost
	ctx := context.Background()
	ivanova, err := s.Create(ctx, auth.NewUser{Login: "ivanova", Password: "correct horse", Role: auth.Operator})
	if err != nil {
		t.Fatal(err)
	}
	petrov, err := s.Create(ctx, auth.NewUser{Login: "petrov", Password: "correct horse", Role: auth.Operator})
	if err != nil {
		t.Fatal(err)
	}
	srv := sessionSite(t, auth.NewSessions(pool, 12*time.Hour, time.Hour, false))
	office, home, other := signIn(t, srv, ivanova.ID), signIn(t, srv, ivanova.ID), signIn(t, srv, petrov.ID)
	if err := s.SetPassword(ctx, ivanova.ID, "a new password", true); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		token string
		want  int
	}{"ivanova at the office": {office, 401}, "ivanova at home": {home, 401}, "petrov": {other, 200}} {
		if code := whoami(t, srv, c.token); code != c.want {
			t.Errorf("%s after ivanova's reset: %d, want %d", name, code, c.want)
		}
	}
}
