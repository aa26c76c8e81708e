package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
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
	// Printed too, but temporary: the administrator changes it before anything else, so it needs no reminder.
	if u.Role != auth.Admin || !u.MustChangePassword || u.PasswordPrinted || u.LastLoginAt == nil || u.Locale != "en" {
		t.Errorf("admin = %+v", u)
	}
}

// A printed password (the demo team's) stays marked through everything but a change of the password: the user's
// own, an administrator's reset, `dozvon user passwd` (all three are SetPassword).
func TestAPrintedPasswordIsMarkedUntilThePasswordChanges(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	printed := func(id int64) bool {
		t.Helper()
		u, err := s.ByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u.PasswordPrinted
	}
	demo, err := s.Create(ctx, auth.NewUser{Login: "operator1", Password: "printed in the log", Role: auth.Operator,
		PasswordPrinted: true})
	if err != nil || !demo.PasswordPrinted || demo.MustChangePassword {
		t.Fatalf("created %+v, %v", demo, err)
	}
	ordinary, err := s.Create(ctx, auth.NewUser{Login: "ivanova", Password: "correct horse", Role: auth.Operator})
	if err != nil || ordinary.PasswordPrinted {
		t.Fatalf("an ordinary user: %+v, %v", ordinary, err)
	}
	if _, err := s.Authenticate(ctx, "operator1", "printed in the log", office); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLocale(ctx, demo.ID, "en"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTimeZone(ctx, demo.ID, "Asia/Vladivostok"); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, demo.ID, auth.Supervisor, "Анна Смирнова", true); err != nil {
		t.Fatal(err)
	}
	if !printed(demo.ID) {
		t.Fatal("a sign-in, a language, a zone or a role cleared the mark; only a new password may")
	}
	if err := s.SetPassword(ctx, demo.ID, "chosen by myself", false); err != nil {
		t.Fatal(err)
	}
	if printed(demo.ID) {
		t.Error("the mark survived the user's own change of password")
	}

	reset, err := s.Create(ctx, auth.NewUser{Login: "manager", Password: "printed in the log", Role: auth.Manager,
		PasswordPrinted: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, reset.ID, auth.RandomPassword(), true); err != nil {
		t.Fatal(err)
	}
	if printed(reset.ID) {
		t.Error("the mark survived an administrator's reset")
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

// 20 guesses at once against one login: each is counted before its password is checked, so no more than the
// free failures are ever checked, whatever the timing.
func TestParallelGuessesAreCountedBeforeThePasswordIsChecked(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, auth.NewUser{Login: "petrov", Password: "correct horse", Role: auth.Manager}); err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 20)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, err := s.Authenticate(ctx, "petrov", fmt.Sprintf("guess %d", i), netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}))
			results <- err
		})
	}
	wg.Wait()
	close(results)
	checked, throttled := 0, 0
	for err := range results {
		var th *auth.ThrottledError
		switch {
		case errors.Is(err, auth.ErrBadCredentials):
			checked++
		case errors.As(err, &th):
			throttled++
		default:
			t.Errorf("guess: %v", err)
		}
	}
	if checked != auth.FreeFailures || throttled != 20-auth.FreeFailures {
		t.Fatalf("checked %d, throttled %d; want %d and %d", checked, throttled, auth.FreeFailures, 20-auth.FreeFailures)
	}
}

// The same from one address against many logins: the address's limit holds under parallel requests too.
func TestParallelGuessesFromOneAddressStopAtItsLimit(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	results := make(chan error, 2*auth.MaxFailuresPerAddress)
	var wg sync.WaitGroup
	for i := range 2 * auth.MaxFailuresPerAddress {
		wg.Go(func() {
			_, err := s.Authenticate(ctx, fmt.Sprintf("user%d", i), "some guess", office)
			results <- err
		})
	}
	wg.Wait()
	close(results)
	checked := 0
	for err := range results {
		if errors.Is(err, auth.ErrBadCredentials) {
			checked++
		}
	}
	if checked != auth.MaxFailuresPerAddress {
		t.Fatalf("checked %d guesses from one address, want %d", checked, auth.MaxFailuresPerAddress)
	}
}

// Five wrong passwords from an attacker delay the administrator by a second, not a quarter of an hour; a guesser
// who keeps going waits twice as long each time, up to half a minute.
func TestAnAttackersFailuresDelayTheAdminBrieflyAndSlowTheAttacker(t *testing.T) {
	s, clock := newStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, auth.NewUser{Login: "admin", Password: "correct horse", Role: auth.Admin}); err != nil {
		t.Fatal(err)
	}
	attacker := netip.MustParseAddr("203.0.113.9")
	for i := range auth.FreeFailures {
		if _, err := s.Authenticate(ctx, "admin", fmt.Sprintf("guess %d", i), attacker); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	var throttled *auth.ThrottledError
	if _, err := s.Authenticate(ctx, "admin", "correct horse", office); !errors.As(err, &throttled) || throttled.RetryAfter != time.Second {
		t.Fatalf("the admin right after: %v, want to wait 1s", err)
	}
	clock.t = clock.t.Add(time.Second)
	if u, err := s.Authenticate(ctx, "admin", "correct horse", office); err != nil || u.Login != "admin" {
		t.Fatalf("the admin a second later: %v", err)
	}

	// The admin's success forgets the failures; a guesser starts again from the free ones and then slows down.
	for i := range auth.FreeFailures {
		if _, err := s.Authenticate(ctx, "admin", fmt.Sprintf("again %d", i), attacker); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("guess %d after the admin's login: %v", i, err)
		}
	}
	var waits []time.Duration
	for range 8 {
		_, err := s.Authenticate(ctx, "admin", "another guess", attacker)
		if !errors.As(err, &throttled) {
			t.Fatalf("a guess during the wait: %v", err)
		}
		waits = append(waits, throttled.RetryAfter)
		clock.t = clock.t.Add(throttled.RetryAfter)
		if _, err := s.Authenticate(ctx, "admin", "another guess", attacker); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("a guess after the wait: %v", err)
		}
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
	for i := range want {
		want[i] *= time.Second
	}
	if !slices.Equal(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
}

// A failed login is forgotten after a quarter of an hour without another.
func TestOldFailuresAreForgotten(t *testing.T) {
	s, clock := newStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, auth.NewUser{Login: "petrov", Password: "correct horse", Role: auth.Manager}); err != nil {
		t.Fatal(err)
	}
	for range auth.FreeFailures + 3 {
		_, _ = s.Authenticate(ctx, "petrov", "guess", office)
		clock.t = clock.t.Add(20 * time.Second)
	}
	clock.t = clock.t.Add(15 * time.Minute)
	for i := range auth.FreeFailures {
		if _, err := s.Authenticate(ctx, "petrov", "guess", office); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("guess %d the next quarter: %v", i, err)
		}
	}
}

func TestAnAddressIsClosedAfterThirtyFailuresForTheRestOfItsWindow(t *testing.T) {
	s, clock := newStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, auth.NewUser{Login: "petrov", Password: "correct horse", Role: auth.Manager}); err != nil {
		t.Fatal(err)
	}
	start := clock.t
	for i := range auth.MaxFailuresPerAddress {
		if _, err := s.Authenticate(ctx, fmt.Sprintf("user%d", i), "guess", office); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
		clock.t = clock.t.Add(time.Second)
	}
	var throttled *auth.ThrottledError
	if _, err := s.Authenticate(ctx, "petrov", "correct horse", office); !errors.As(err, &throttled) ||
		throttled.RetryAfter != auth.AddressWindow-time.Duration(auth.MaxFailuresPerAddress)*time.Second {
		t.Fatalf("from the same address: %v", err)
	}
	if _, err := s.Authenticate(ctx, "petrov", "correct horse", netip.MustParseAddr("10.9.9.9")); err != nil {
		t.Fatalf("from another address: %v", err)
	}
	clock.t = start.Add(auth.AddressWindow)
	if _, err := s.Authenticate(ctx, "petrov", "correct horse", office); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// Checking the current password before a change counts as a sign-in does: a stolen session is no way around it.
func TestWrongCurrentPasswordsAreThrottledLikeLogins(t *testing.T) {
	s, clock := newStore(t)
	ctx := context.Background()
	u, err := s.Create(ctx, auth.NewUser{Login: "petrov", Password: "correct horse", Role: auth.Manager})
	if err != nil {
		t.Fatal(err)
	}
	for i := range auth.FreeFailures {
		if err := s.VerifyPassword(ctx, u, fmt.Sprintf("guess %d", i), office); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	var throttled *auth.ThrottledError
	if err := s.VerifyPassword(ctx, u, "correct horse", office); !errors.As(err, &throttled) {
		t.Fatalf("the right password at once: %v, want throttled", err)
	}
	if _, err := s.Authenticate(ctx, "petrov", "correct horse", office); !errors.As(err, &throttled) {
		t.Fatalf("a sign-in at once: %v, want throttled", err)
	}
	clock.t = clock.t.Add(throttled.RetryAfter)
	if err := s.VerifyPassword(ctx, u, "correct horse", office); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

func TestPolicyRefusesPasswordsGuessedFirst(t *testing.T) {
	for _, c := range []struct{ login, password, reason string }{
		{"petrov", "            ", auth.WeakBlank},
		{"petrov", "aaaaaaaaaaaa", auth.WeakRepeated},
		{"petrov", "ЖЖЖЖЖЖЖЖЖЖ", auth.WeakRepeated},
		{"petrov.ivan", "Petrov.Ivan", auth.WeakLogin},
		{"petrov", "Qwertyuiop", auth.WeakCommon},
		{"petrov", "ЙЦУКЕНГШЩЗ", auth.WeakCommon},
		{"petrov", " 1234567890 ", auth.WeakCommon},
	} {
		var weak *auth.WeakPasswordError
		if err := auth.ValidatePassword(c.login, c.password); !errors.As(err, &weak) || weak.Reason != c.reason {
			t.Errorf("%q for %s: %v, want weak (%s)", c.password, c.login, err, c.reason)
		}
	}
	for _, ok := range []string{"correct horse", "petrov.ivan2", "aaaaaaaaab"} {
		if err := auth.ValidatePassword("petrov.ivan", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	s, _ := newStore(t)
	u, err := s.Create(context.Background(), auth.NewUser{Login: "sidorov.petr", Password: "correct horse", Role: auth.Operator})
	if err != nil {
		t.Fatal(err)
	}
	var weak *auth.WeakPasswordError
	if err := s.SetPassword(context.Background(), u.ID, "SIDOROV.PETR", false); !errors.As(err, &weak) || weak.Reason != auth.WeakLogin {
		t.Errorf("SetPassword to the login: %v", err)
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
