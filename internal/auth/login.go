package auth

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
)

// Login throttling lives in the database, so that it holds across every instance behind a load balancer. Every
// attempt is counted before its password is checked, under a row lock, so that parallel guesses cannot all pass a
// check made before any of them was recorded.
//
// A login is slowed, never locked: it may fail FreeFailures times in a row, then waits 1 s before the next try, 2 s
// after the one after, and so on up to MaxLoginDelay. Whoever knows someone's login can therefore delay their
// sign-in by seconds, not lock them out for minutes, while a guesser gets a few tries a minute. A client address
// (behind the bank's proxies: see DOZVON_TRUSTED_PROXIES) may fail MaxFailuresPerAddress times in AddressWindow.
const (
	FreeFailures          = 5
	MaxLoginDelay         = 30 * time.Second
	MaxFailuresPerAddress = 30
	AddressWindow         = 15 * time.Minute
	// forgetFailures: a login's failures count only while they follow each other within this time.
	forgetFailures = 15 * time.Minute
)

// ThrottledError says an attempt is refused without checking the password, and for how long.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many failed logins, retry in %s", e.RetryAfter)
}

// LoginDelay is how long a login waits after failures failed attempts in a row.
func LoginDelay(failures int) time.Duration {
	if failures < FreeFailures {
		return 0
	}
	if n := failures - FreeFailures; n < 6 {
		return min(time.Second<<n, MaxLoginDelay)
	}
	return MaxLoginDelay
}

// dummyHash makes a login for an unknown user cost as much as one for a known user, so timing tells nothing: it is
// made at the store's cost, as the users' hashes are.
func (s *Store) dummyHash() []byte {
	s.dummy.Do(func() { s.dummy.hash, _ = bcrypt.GenerateFromPassword([]byte("not a real password"), s.Cost) })
	return s.dummy.hash
}

// Authenticate checks a login and password. It refuses early, with a *ThrottledError, when the login or the
// address must wait.
func (s *Store) Authenticate(ctx context.Context, login, password string, ip netip.Addr) (User, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	var id int64
	var matched, active bool
	err := s.attempt(ctx, login, ip, func() (bool, error) {
		var hash string
		err := s.pool.QueryRow(ctx, `SELECT id, password_hash, active FROM users WHERE login = $1`, login).
			Scan(&id, &hash, &active)
		if errors.Is(err, pgx.ErrNoRows) {
			_ = bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("auth: look up %s: %w", login, err)
		}
		matched = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
		return matched && active, nil
	})
	if errors.Is(err, ErrBadCredentials) && matched && !active {
		return User{}, ErrInactive
	}
	if err != nil {
		return User{}, err
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `
		UPDATE users SET last_login_at = $2 WHERE id = $1 RETURNING `+userColumns, id, s.Now()))
	if err != nil {
		return User{}, fmt.Errorf("auth: record login of %s: %w", login, err)
	}
	return u, nil
}

// VerifyPassword tells whether password is the user's current one (before a password change): nil, or
// ErrBadCredentials, or a *ThrottledError. It counts against the user's login as a sign-in does, so a stolen
// session is no faster way to guess the password.
func (s *Store) VerifyPassword(ctx context.Context, u User, password string, ip netip.Addr) error {
	return s.attempt(ctx, u.Login, ip, func() (bool, error) {
		var hash string
		if err := s.pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash); err != nil {
			return false, fmt.Errorf("auth: read password of user %d: %w", u.ID, err)
		}
		return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil, nil
	})
}

// attempt runs check if the login and the address may try now. The attempt is counted as a failure before check
// runs; a success takes it back.
func (s *Store) attempt(ctx context.Context, login string, ip netip.Addr, check func() (bool, error)) error {
	keys := []string{"login:" + login}
	if ip.IsValid() {
		keys = append(keys, addressKey(ip))
	}
	slices.Sort(keys) // every attempt locks its rows in the same order
	if err := s.admit(ctx, keys); err != nil {
		return err
	}
	ok, err := check()
	if err != nil {
		return err
	}
	if !ok {
		return ErrBadCredentials
	}
	now := s.Now()
	if _, err := s.pool.Exec(ctx, `
		UPDATE login_throttle SET failures = CASE WHEN key LIKE 'login:%' THEN 0 ELSE greatest(failures - 1, 0) END
		WHERE key = ANY($1)`, keys); err != nil {
		return fmt.Errorf("auth: record success of %s: %w", login, err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_throttle WHERE last_at < $1`,
		now.Add(-max(AddressWindow, forgetFailures))); err != nil {
		return fmt.Errorf("auth: forget old login failures: %w", err)
	}
	return nil
}

// addressKey names a client address; an IPv6 client by its /64, which one client usually holds whole.
func addressKey(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + ip.String()
}

type throttleRow struct {
	key             string
	failures        int
	firstAt, lastAt time.Time
}

// admit counts an attempt on every key, or refuses it, changing nothing, when one of them must still wait.
func (s *Store) admit(ctx context.Context, keys []string) error {
	now := s.Now()
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO login_throttle (key, failures, first_at, last_at) SELECT k, 0, $2, $2 FROM unnest($1::text[]) k
			ON CONFLICT (key) DO NOTHING`, keys, now); err != nil {
			return fmt.Errorf("auth: login throttle: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT key, failures, first_at, last_at FROM login_throttle
			WHERE key = ANY($1) ORDER BY key FOR UPDATE`, keys)
		if err != nil {
			return fmt.Errorf("auth: login throttle: %w", err)
		}
		counted, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (throttleRow, error) {
			var t throttleRow
			err := r.Scan(&t.key, &t.failures, &t.firstAt, &t.lastAt)
			return t, err
		})
		if err != nil {
			return fmt.Errorf("auth: login throttle: %w", err)
		}
		var wait time.Duration
		for i := range counted {
			wait = max(wait, counted[i].wait(now))
		}
		if wait > 0 {
			return &ThrottledError{RetryAfter: ceilSecond(wait)}
		}
		for _, t := range counted {
			if _, err := tx.Exec(ctx, `UPDATE login_throttle SET failures = $2, first_at = $3, last_at = $4 WHERE key = $1`,
				t.key, t.failures+1, t.firstAt, now); err != nil {
				return fmt.Errorf("auth: login throttle: %w", err)
			}
		}
		return nil
	})
}

// wait is how long the key must wait before an attempt at now. It first forgets failures that are old enough.
func (t *throttleRow) wait(now time.Time) time.Duration {
	if strings.HasPrefix(t.key, "login:") {
		if now.Sub(t.lastAt) >= forgetFailures {
			t.failures = 0
		}
		return t.lastAt.Add(LoginDelay(t.failures)).Sub(now)
	}
	if t.failures == 0 || now.Sub(t.firstAt) >= AddressWindow {
		t.failures, t.firstAt = 0, now
	}
	if t.failures < MaxFailuresPerAddress {
		return 0
	}
	return t.firstAt.Add(AddressWindow).Sub(now)
}

// ceilSecond rounds a wait up to whole seconds, at least one: what Retry-After and the login page can say.
func ceilSecond(d time.Duration) time.Duration {
	if r := d % time.Second; r != 0 {
		d += time.Second - r
	}
	return max(d, time.Second)
}
