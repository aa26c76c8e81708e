package auth

import (
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "dozvon_session"

// NewSessions returns a session manager whose sessions live in PostgreSQL, so any instance can serve any request
// and a logout or an expiry holds everywhere. The cookie carries only a random token.
func NewSessions(pool *pgxpool.Pool, lifetime, idle time.Duration, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = pgxstore.NewWithCleanupInterval(pool, 10*time.Minute)
	sm.Lifetime = lifetime
	sm.IdleTimeout = idle
	sm.Cookie.Name = SessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	return sm
}
