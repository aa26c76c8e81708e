package auth

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
)

// Login throttling lives in the database, so that it holds across every instance behind a load balancer.
const (
	ThrottleWindow      = 15 * time.Minute
	MaxFailuresPerLogin = 5
	MaxFailuresPerIP    = 30
)

// ThrottledError says a login is refused without checking the password, and for how long.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many failed logins, retry in %s", e.RetryAfter.Round(time.Second))
}

// dummyHash makes a login for an unknown user cost as much as one for a known user, so timing tells nothing.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a real password"), bcrypt.DefaultCost)

// Authenticate checks a login and password, records the attempt, and refuses early when the login or the
// address has failed too often within ThrottleWindow.
func (s *Store) Authenticate(ctx context.Context, login, password string, ip netip.Addr) (User, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if err := s.throttled(ctx, login, ip); err != nil {
		return User{}, err
	}
	var hash string
	var id int64
	var active bool
	err := s.pool.QueryRow(ctx, `SELECT id, password_hash, active FROM users WHERE login = $1`, login).Scan(&id, &hash, &active)
	if errors.Is(err, pgx.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		s.recordAttempt(ctx, login, ip, false)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: look up %s: %w", login, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		s.recordAttempt(ctx, login, ip, false)
		return User{}, ErrBadCredentials
	}
	if !active {
		s.recordAttempt(ctx, login, ip, false)
		return User{}, ErrInactive
	}
	s.recordAttempt(ctx, login, ip, true)
	u, err := scanUser(s.pool.QueryRow(ctx, `
		UPDATE users SET last_login_at = $2 WHERE id = $1 RETURNING `+userColumns, id, s.Now()))
	if err != nil {
		return User{}, fmt.Errorf("auth: record login of %s: %w", login, err)
	}
	return u, nil
}

func (s *Store) throttled(ctx context.Context, login string, ip netip.Addr) error {
	since := s.Now().Add(-ThrottleWindow)
	// Failures count only after the login's last success: a user who got in is not locked out by old typos.
	var byLogin, byIP int
	var oldest *time.Time
	err := s.pool.QueryRow(ctx, `
		WITH last_ok AS (
		    SELECT coalesce(max(at), '-infinity') AS at FROM login_attempts WHERE login = $1 AND succeeded
		)
		SELECT
		    (SELECT count(*) FROM login_attempts, last_ok
		      WHERE login = $1 AND NOT succeeded AND login_attempts.at > greatest($2, last_ok.at)),
		    (SELECT count(*) FROM login_attempts WHERE remote_ip = $3 AND NOT succeeded AND at > $2),
		    (SELECT min(at) FROM (SELECT at FROM login_attempts
		      WHERE (login = $1 OR remote_ip = $3) AND NOT succeeded AND at > $2
		      ORDER BY at DESC LIMIT $4) recent)`,
		login, since, ipOrNil(ip), MaxFailuresPerLogin).Scan(&byLogin, &byIP, &oldest)
	if err != nil {
		return fmt.Errorf("auth: check login throttle: %w", err)
	}
	if byLogin < MaxFailuresPerLogin && byIP < MaxFailuresPerIP {
		return nil
	}
	retry := ThrottleWindow
	if oldest != nil {
		retry = oldest.Add(ThrottleWindow).Sub(s.Now())
	}
	if retry < time.Second {
		retry = time.Second
	}
	return &ThrottledError{RetryAfter: retry}
}

func (s *Store) recordAttempt(ctx context.Context, login string, ip netip.Addr, ok bool) {
	_, _ = s.pool.Exec(ctx, `INSERT INTO login_attempts (login, remote_ip, succeeded, at) VALUES ($1, $2, $3, $4)`,
		login, ipOrNil(ip), ok, s.Now())
}

func ipOrNil(ip netip.Addr) any {
	if !ip.IsValid() {
		return nil
	}
	return ip
}
