package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
)

// Token is an API token of one of the bank's systems, as the list of tokens shows it; the secret itself is
// shown once, when it is issued, and only its hash is stored.
type Token struct {
	ID         int64
	Name       string
	Scopes     []string
	CreatedBy  *int64
	CreatedAt  time.Time
	LastUsedAt *time.Time // to the minute: a busy system would otherwise write the row on every request
	RevokedAt  *time.Time
}

// What a token may do. A system gets only what it needs: the CRM that pushes applications does not read clients'
// phones.
const (
	ScopeImports   = "imports"   // push clients, applications and events (POST /api/v1/...)
	ScopeCallbacks = "callbacks" // read open callback tasks and mark them done (the bank's dialer)
)

// Scopes lists every scope, in the order forms show them.
var Scopes = []string{ScopeImports, ScopeCallbacks}

// Has tells whether the token may do what scope names.
func (t Token) Has(scope string) bool { return slices.Contains(t.Scopes, scope) }

// TokenPrefix starts every token, so that a leaked one is recognisable in logs, code and secret scanners.
const TokenPrefix = "dzv_"

// tokenLen is the prefix and 32 random bytes in unpadded base64url.
var tokenLen = len(TokenPrefix) + base64.RawURLEncoding.EncodedLen(32)

var (
	ErrBadToken     = errors.New("auth: unknown or malformed API token")
	ErrTokenRevoked = errors.New("auth: API token is revoked")
	ErrNoSuchToken  = errors.New("auth: no such API token")
)

// IssueToken creates a token for a system with what it may do, recording who created it (0: nobody, e.g. the
// command line), and returns the secret to show once.
func (s *Store) IssueToken(ctx context.Context, name string, scopes []string, createdBy int64) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", Token{}, msg.In("name", "auth.chars_between", 1, 100)
	}
	if len(scopes) == 0 {
		return "", Token{}, msg.In("scopes", "auth.scopes_required")
	}
	for _, sc := range scopes {
		if !slices.Contains(Scopes, sc) {
			return "", Token{}, msg.In("scopes", "auth.unknown_scope", sc)
		}
	}
	scopes = slices.Compact(slices.Sorted(slices.Values(scopes)))
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", Token{}, fmt.Errorf("auth: issue token %q: %w", name, err)
	}
	plaintext := TokenPrefix + base64.RawURLEncoding.EncodeToString(secret)
	var by *int64
	if createdBy != 0 {
		by = &createdBy
	}
	t, err := scanToken(s.pool.QueryRow(ctx, `
		INSERT INTO api_tokens (name, token_hash, scopes, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
		RETURNING `+tokenColumns, name, tokenHash(plaintext), scopes, by, s.Now()))
	if err != nil {
		return "", Token{}, fmt.Errorf("auth: issue token %q: %w", name, err)
	}
	return plaintext, t, nil
}

// VerifyToken returns the token a request presents, refusing unknown and revoked ones. The lookup is by the
// secret's SHA-256, so the database never compares secrets and its timing says nothing about them.
func (s *Store) VerifyToken(ctx context.Context, plaintext string) (Token, error) {
	if len(plaintext) != tokenLen || !strings.HasPrefix(plaintext, TokenPrefix) {
		return Token{}, ErrBadToken
	}
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`,
		tokenHash(plaintext)))
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, ErrBadToken
	}
	if err != nil {
		return Token{}, fmt.Errorf("auth: verify token: %w", err)
	}
	if t.RevokedAt != nil {
		return t, ErrTokenRevoked
	}
	now := s.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute {
		if _, err := s.pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, t.ID, now); err != nil {
			return Token{}, fmt.Errorf("auth: record use of token %d: %w", t.ID, err)
		}
		t.LastUsedAt = &now
	}
	return t, nil
}

// ListTokens returns every token, revoked ones included, newest first.
func (s *Store) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	tokens, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) { return scanToken(r) })
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	return tokens, nil
}

// RevokeToken stops a token from working. Revoking it again keeps the first revocation's time.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1`,
		id, s.Now())
	if err != nil {
		return fmt.Errorf("auth: revoke token %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNoSuchToken
	}
	return nil
}

const tokenColumns = `id, name, scopes, created_by, created_at, last_used_at, revoked_at`

func scanToken(row pgx.Row) (Token, error) {
	var t Token
	err := row.Scan(&t.ID, &t.Name, &t.Scopes, &t.CreatedBy, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	return t, err
}

func tokenHash(plaintext string) []byte {
	h := sha256.Sum256([]byte(plaintext))
	return h[:]
}
