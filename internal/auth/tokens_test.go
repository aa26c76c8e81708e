package auth_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dozvon/internal/auth"
	"dozvon/internal/pg/pgtest"
)

func TestAnIssuedTokenVerifiesUntilRevoked(t *testing.T) {
	pool := pgtest.NewDB(t)
	s := auth.NewStore(pool)
	s.Cost = bcrypt.MinCost
	clock := &fixedClock{time.Now().Truncate(time.Second)}
	s.Now = clock.Now
	ctx := context.Background()
	admin, err := s.Create(ctx, auth.NewUser{Login: "admin", Password: "long enough pw", Role: auth.Admin})
	if err != nil {
		t.Fatal(err)
	}
	plaintext, tok, err := s.IssueToken(ctx, " CRM leads ", []string{auth.ScopeImports}, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^dzv_[A-Za-z0-9_-]{43}$`).MatchString(plaintext) {
		t.Errorf("token %q is not dzv_ and 32 bytes of base64url", plaintext)
	}
	if tok.Name != "CRM leads" || tok.CreatedBy == nil || *tok.CreatedBy != admin.ID || tok.LastUsedAt != nil ||
		tok.RevokedAt != nil || !tok.CreatedAt.Equal(clock.t) {
		t.Errorf("issued token = %+v", tok)
	}

	// Only the hash is stored.
	var stored []byte
	if err := pool.QueryRow(ctx, `SELECT token_hash FROM api_tokens WHERE id = $1`, tok.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 32 || string(stored) == plaintext {
		t.Errorf("api_tokens.token_hash holds %d bytes, want a 32-byte SHA-256", len(stored))
	}

	got, err := s.VerifyToken(ctx, plaintext)
	if err != nil || got.ID != tok.ID || got.LastUsedAt == nil || !got.LastUsedAt.Equal(clock.t) {
		t.Fatalf("VerifyToken = %+v, %v; want token %d used now", got, err, tok.ID)
	}
	firstUse := clock.t

	// Within a minute, a use does not write the row again; after it, it does.
	clock.t = clock.t.Add(30 * time.Second)
	if got, _ := s.VerifyToken(ctx, plaintext); !got.LastUsedAt.Equal(firstUse) {
		t.Errorf("30 s later, last used = %s, want still %s", got.LastUsedAt, firstUse)
	}
	clock.t = clock.t.Add(time.Minute)
	if got, _ := s.VerifyToken(ctx, plaintext); !got.LastUsedAt.Equal(clock.t) {
		t.Errorf("90 s later, last used = %s, want %s", got.LastUsedAt, clock.t)
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(clock.t) {
		t.Errorf("ListTokens = %+v, %v", list, err)
	}

	revokedAt := clock.t.Add(time.Hour)
	clock.t = revokedAt
	if err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyToken(ctx, plaintext); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Errorf("a revoked token: %v, want ErrTokenRevoked", err)
	}
	clock.t = clock.t.Add(time.Hour)
	if err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Errorf("revoking again: %v", err)
	}
	if list, _ := s.ListTokens(ctx); list[0].RevokedAt == nil || !list[0].RevokedAt.Equal(revokedAt) {
		t.Errorf("revoked at %v, want the first revocation's %s", list[0].RevokedAt, revokedAt)
	}
	if err := s.RevokeToken(ctx, tok.ID+1); !errors.Is(err, auth.ErrNoSuchToken) {
		t.Errorf("revoking an unknown token: %v", err)
	}
}

func TestWrongAndMalformedTokensAreRefused(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	plaintext, tok, err := s.IssueToken(ctx, "bank bus", []string{auth.ScopeImports}, 0)
	if err != nil {
		t.Fatal(err)
	}
	other := plaintext[:len(plaintext)-1] + "A"
	if other == plaintext {
		other = plaintext[:len(plaintext)-1] + "B"
	}
	for name, presented := range map[string]string{
		"one character changed": other,
		"empty":                 "",
		"no prefix":             plaintext[len(auth.TokenPrefix):],
		"cut short":             plaintext[:20],
		"with a space":          plaintext + " ",
	} {
		if _, err := s.VerifyToken(ctx, presented); !errors.Is(err, auth.ErrBadToken) {
			t.Errorf("%s: %v, want ErrBadToken", name, err)
		}
	}
	if _, _, err := s.IssueToken(ctx, "  ", []string{auth.ScopeImports}, 0); err == nil {
		t.Error("a token without a name was issued")
	}
	for _, scopes := range [][]string{nil, {}, {"admin"}, {auth.ScopeImports, "everything"}} {
		if _, _, err := s.IssueToken(ctx, "dialer", scopes, 0); err == nil {
			t.Errorf("a token with scopes %q was issued", scopes)
		}
	}
	_, both, err := s.IssueToken(ctx, "dialer", []string{auth.ScopeCallbacks, auth.ScopeImports, auth.ScopeCallbacks}, 0)
	if err != nil || !both.Has(auth.ScopeImports) || !both.Has(auth.ScopeCallbacks) || len(both.Scopes) != 2 {
		t.Errorf("a token for both: %+v, %v", both.Scopes, err)
	}
	if tok.Has(auth.ScopeCallbacks) || !tok.Has(auth.ScopeImports) {
		t.Errorf("the bank bus's token has scopes %q, want imports only", tok.Scopes)
	}
	second, _, err := s.IssueToken(ctx, "bank bus", []string{auth.ScopeImports}, 0)
	if err != nil || second == plaintext {
		t.Errorf("a second token %q, %v; want a different secret", second, err)
	}
}
