package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "dozvon_session"

// SessionUserID is the session key that holds the signed-in user's id. The store copies it into its own column,
// so that a password change or reset can end the user's sessions.
const SessionUserID = "user_id"

// NewSessions returns a session manager whose sessions live in PostgreSQL, so any instance can serve any request
// and a logout or an expiry holds everywhere. The cookie carries only a random token, and the table only its
// SHA-256. Serve requests through LoadAndSave below, not the manager's own middleware.
func NewSessions(pool *pgxpool.Pool, lifetime, idle time.Duration, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = &sessionStore{pool: pool, codec: sm.Codec}
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

// sessionStore keeps scs's sessions in the sessions table, by the SHA-256 of the token: a reader of the table
// holds nothing that works as a cookie. A session that existed when a request began is only ever updated, never
// inserted again: with an idle timeout scs writes every session back at the end of every request (to push its
// deadline), so a request still in flight when the user logs out (or an administrator deactivates them, or the
// password changes) would otherwise bring the session back after it was deleted. New sessions (a login, a renewed
// token) are inserted.
type sessionStore struct {
	pool  *pgxpool.Pool
	codec scs.Codec
}

type foundKey struct{}

// foundSessions are the tokens a request found in the store.
type foundSessions struct {
	mu     sync.Mutex
	tokens []string
}

func (s *sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token_hash = $1 AND current_timestamp < expiry`,
		tokenHash(token)).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("auth: find session: %w", err)
	}
	if f, ok := ctx.Value(foundKey{}).(*foundSessions); ok {
		f.mu.Lock()
		f.tokens = append(f.tokens, token)
		f.mu.Unlock()
	}
	return b, true, nil
}

func (s *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	user := s.userOf(b)
	if f, ok := ctx.Value(foundKey{}).(*foundSessions); ok {
		f.mu.Lock()
		existed := slices.Contains(f.tokens, token)
		f.mu.Unlock()
		if existed {
			// Gone meanwhile: it stays gone, and the next request finds no session.
			_, err := s.pool.Exec(ctx, `UPDATE sessions SET data = $2, expiry = $3, user_id = $4 WHERE token_hash = $1`,
				tokenHash(token), b, expiry, user)
			if err != nil {
				return fmt.Errorf("auth: save session: %w", err)
			}
			return nil
		}
	}
	// A new session is a login: the moment to clear the expired ones too.
	_, err := s.pool.Exec(ctx, `
		WITH expired AS (DELETE FROM sessions WHERE expiry < current_timestamp)
		INSERT INTO sessions (token_hash, data, expiry, user_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (token_hash) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, user_id = EXCLUDED.user_id`,
		tokenHash(token), b, expiry, user)
	if err != nil {
		return fmt.Errorf("auth: save session: %w", err)
	}
	return nil
}

// userOf reads the signed-in user's id from a session's encoded data; nil before login.
func (s *sessionStore) userOf(b []byte) *int64 {
	_, values, err := s.codec.Decode(b)
	if err != nil {
		return nil
	}
	if id, ok := values[SessionUserID].(int64); ok && id != 0 {
		return &id
	}
	return nil
}

func (s *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token)); err != nil {
		return fmt.Errorf("auth: delete session: %w", err)
	}
	return nil
}

// scs.Store without a context: scs uses the Ctx methods above, these only complete the interface.

func (s *sessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

func (s *sessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }
