package auth_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dozvon/internal/auth"
	"dozvon/internal/pg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func newStore(t *testing.T) (*auth.Store, *fixedClock) {
	s := auth.NewStore(pgtest.NewDB(t))
	s.Cost = bcrypt.MinCost
	clock := &fixedClock{time.Now().Truncate(time.Second)}
	s.Now = clock.Now
	return s, clock
}

var office = netip.MustParseAddr("10.1.2.3")

func TestFirstStartCreatesOneAdminWhoMustChangePassword(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pw, err := s.EnsureAdmin(ctx, "admin", "en")
	if err != nil || len(pw) != 16 {
		t.Fatalf("EnsureAdmin = %q, %v", pw, err)
	}
	again, err := s.EnsureAdmin(ctx, "admin", "en")
	if err != nil || again != "" {
		t.Fatalf("second EnsureAdmin = %q, %v; want no new password", again, err)
	}
	u, err := s.Authenticate(ctx, "Admin ", pw, office)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != auth.Admin || !u.MustChangePassword || u.LastLoginAt == nil || u.Locale != "en" {
		t.Errorf("admin = %+v", u)
	}
}

func TestWrongPasswordUnknownUserAndDeactivatedUserAreRefused(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	u, err := s.Create(ctx, auth.NewUser{Login: "ivanova", Password: "correct horse", Role: auth.Operator})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "ivanova", "wrong horse!", office); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := s.Authenticate(ctx, "nobody", "correct horse", office); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("unknown user: %v", err)
	}
	if err := s.Update(ctx, u.ID, auth.Operator, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "ivanova", "correct horse", office); !errors.Is(err, auth.ErrInactive) {
		t.Errorf("deactivated: %v", err)
	}
}

func TestFiveFailuresLockTheLoginForFifteenMinutes(t *testing.T) {
	s, clock := newStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, auth.NewUser{Login: "petrov", Password: "correct horse", Role: auth.Manager}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < auth.MaxFailuresPerLogin; i++ {
		clock.t = clock.t.Add(time.Second)
		if _, err := s.Authenticate(ctx, "petrov", "guess", office); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	var throttled *auth.ThrottledError
	_, err := s.Authenticate(ctx, "petrov", "correct horse", office)
	if !errors.As(err, &throttled) {
		t.Fatalf("sixth attempt with the right password: %v, want throttled", err)
	}
	if throttled.RetryAfter != 15*time.Minute-4*time.Second {
		t.Errorf("RetryAfter = %s", throttled.RetryAfter)
	}
	clock.t = clock.t.Add(15 * time.Minute)
	if _, err := s.Authenticate(ctx, "petrov", "correct horse", office); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestPolicyRejectsShortPasswordsAndBadLogins(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	var in *auth.InputError
	if _, err := s.Create(ctx, auth.NewUser{Login: "ok", Password: "short", Role: auth.Operator}); !errors.As(err, &in) || in.Field != "password" {
		t.Errorf("short password: %v", err)
	}
	if _, err := s.Create(ctx, auth.NewUser{Login: "Bad Login", Password: "long enough pw", Role: auth.Operator}); !errors.As(err, &in) || in.Field != "login" {
		t.Errorf("bad login: %v", err)
	}
	if _, err := s.Create(ctx, auth.NewUser{Login: "x1", Password: "long enough pw", Role: "root"}); !errors.As(err, &in) || in.Field != "role" {
		t.Errorf("bad role: %v", err)
	}
	if _, err := s.Create(ctx, auth.NewUser{Login: "dup", Password: "long enough pw", Role: auth.Operator}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, auth.NewUser{Login: "dup", Password: "long enough pw", Role: auth.Operator}); !errors.Is(err, auth.ErrLoginTaken) {
		t.Errorf("duplicate: %v", err)
	}
}
