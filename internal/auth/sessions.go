package auth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "dozvon_session"

// NewSessions returns a session manager whose sessions live in PostgreSQL, so any instance can serve any request
// and a logout or an expiry holds everywhere. The cookie carries only a random token. Serve requests through
// LoadAndSave below, not the manager's own middleware.
func NewSessions(pool *pgxpool.Pool, lifetime, idle time.Duration, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = &sessionStore{PostgresStore: pgxstore.NewWithCleanupInterval(pool, 10*time.Minute), pool: pool}
	sm.Lifetime = lifetime
	sm.IdleTimeout = idle
	sm.Cookie.Name = SessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	return sm
}

// LoadAndSave is the session middleware: scs's own, plus the note sessionStore needs of which sessions a request
// found when it began.
func LoadAndSave(sm *scs.SessionManager, next http.Handler) http.Handler {
	inner := sm.LoadAndSave(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), foundKey{}, &foundSessions{})))
	})
}

// sessionStore is pgxstore with one change: a session that existed when a request began is only ever updated,
// never inserted again. With an idle timeout scs writes every session back at the end of every request (to push
// its deadline), and pgxstore writes with an upsert; so a request still in flight when the user logs out (or an
// administrator deactivates them) would bring the session back after the logout deleted it. New sessions (a
// login, a renewed token) are inserted as before.
type sessionStore struct {
	*pgxstore.PostgresStore
	pool *pgxpool.Pool
}

type foundKey struct{}

// foundSessions are the tokens a request found in the store.
type foundSessions struct {
	mu     sync.Mutex
	tokens []string
}

func (s *sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`, token).
		Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if f, ok := ctx.Value(foundKey{}).(*foundSessions); ok {
		f.mu.Lock()
		f.tokens = append(f.tokens, token)
		f.mu.Unlock()
	}
	return b, true, nil
}

func (s *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if f, ok := ctx.Value(foundKey{}).(*foundSessions); ok {
		f.mu.Lock()
		existed := slices.Contains(f.tokens, token)
		f.mu.Unlock()
		if existed {
			// Gone meanwhile: it stays gone, and the next request finds no session.
			_, err := s.pool.Exec(ctx, `UPDATE sessions SET data = $2, expiry = $3 WHERE token = $1`, token, b, expiry)
			return err
		}
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, b, expiry)
	return err
}

func (s *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token)
	return err
}
