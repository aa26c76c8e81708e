package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"dozvon/internal/msg"
)

// Role is what a user does in the team; every route says which roles may use it.
type Role string

const (
	Operator   Role = "operator"
	Manager    Role = "manager" // campaign manager
	Supervisor Role = "supervisor"
	Admin      Role = "admin"
)

// Roles lists every role, in the order screens show them.
var Roles = []Role{Operator, Manager, Supervisor, Admin}

// Valid tells whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// User is a person who logs in.
type User struct {
	ID                 int64
	Login              string
	DisplayName        string
	Role               Role
	Locale             string
	TimeZone           string // IANA name; "" is the installation's zone
	MustChangePassword bool
	// PasswordPrinted: the password was printed where others may have read it (the demo team's, in the log of the
	// start that seeded it). Unlike a temporary password it blocks nothing; pages ask the user to change it, and
	// any change of the password clears it.
	PasswordPrinted bool
	Active          bool
	CreatedAt       time.Time
	LastLoginAt     *time.Time
}

// Name is what screens call the user.
func (u User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Login
}

// MinPasswordLength is the bank's minimum for staff passwords.
const MinPasswordLength = 10

var (
	loginRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

	ErrNotFound       = errors.New("auth: no such user")
	ErrLoginTaken     = errors.New("auth: login is taken")
	ErrBadCredentials = errors.New("auth: wrong login or password")
	ErrInactive       = errors.New("auth: user is deactivated")
)

// InputError is a problem with what a person typed, safe to show back to them: a coded message.
type InputError = msg.Error

// Store owns the users, sessions, login_throttle, api_tokens and audit_log tables.
type Store struct {
	pool *pgxpool.Pool
	// Cost of bcrypt; tests lower it, since the race detector makes the default slow.
	Cost int
	Now  func() time.Time

	dummy struct {
		sync.Once
		hash []byte
	}
}

// NewStore returns a Store with production settings.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, Cost: bcrypt.DefaultCost, Now: time.Now}
}

// NewUser is what an admin fills in to add a user.
type NewUser struct {
	Login, DisplayName, Password, Locale string
	Role                                 Role
	MustChangePassword                   bool
	PasswordPrinted                      bool // see User.PasswordPrinted
}

func (n *NewUser) validate() error {
	n.Login = strings.ToLower(strings.TrimSpace(n.Login))
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if !loginRe.MatchString(n.Login) {
		return msg.In("login", "auth.login_format", 2, 63)
	}
	if !n.Role.Valid() {
		return msg.In("role", "auth.role", strings.Trim(fmt.Sprint(Roles), "[]"))
	}
	if n.Locale == "" {
		n.Locale = "ru"
	}
	if n.Locale != "ru" && n.Locale != "en" {
		return msg.In("locale", "auth.locale")
	}
	if utf8.RuneCountInString(n.DisplayName) > 100 {
		return msg.In("display_name", "auth.at_most_chars", 100)
	}
	return ValidatePassword(n.Login, n.Password)
}

// ValidatePassword applies the password policy to a password the user of login would have: long enough for
// bcrypt's sake and the bank's, and not one that is guessed first (see WeakPasswordError).
func ValidatePassword(login, p string) error {
	if utf8.RuneCountInString(p) < MinPasswordLength {
		return msg.In("password", "auth.at_least_chars", MinPasswordLength)
	}
	if len(p) > 72 { // bcrypt ignores what is past 72 bytes
		return msg.In("password", "auth.at_most_bytes", 72)
	}
	folded := strings.ToLower(strings.TrimSpace(p))
	switch {
	case folded == "":
		return &WeakPasswordError{WeakBlank}
	case oneRepeated(folded):
		return &WeakPasswordError{WeakRepeated}
	case login != "" && folded == strings.ToLower(login):
		return &WeakPasswordError{WeakLogin}
	case slices.Contains(commonPasswords, folded):
		return &WeakPasswordError{WeakCommon}
	}
	return nil
}

func oneRepeated(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}

// Why a password is too easy to guess; the pages show each in the user's language (catalog "password.weak_...").
const (
	WeakBlank    = "blank"    // only spaces
	WeakRepeated = "repeated" // one character over and over
	WeakLogin    = "login"    // the login itself
	WeakCommon   = "common"   // on the list every guesser tries first
)

// WeakPasswordError refuses a password that is long enough but among the first a guesser tries.
type WeakPasswordError struct{ Reason string }

func (e *WeakPasswordError) Error() string {
	return map[string]string{
		WeakBlank:    "auth: password is only spaces",
		WeakRepeated: "auth: password is one character repeated",
		WeakLogin:    "auth: password is the login",
		WeakCommon:   "auth: password is one of the most common passwords",
	}[e.Reason]
}

// commonPasswords are the most common leaked passwords of at least MinPasswordLength characters, lower-case
// (ValidatePassword compares without case), Latin and Russian keyboard walks included.
var commonPasswords = []string{
	"1234567890", "0987654321", "0123456789", "12345678910", "123456789a", "1234567890a", "a123456789",
	"qwertyuiop", "qwerty1234", "qwerty12345", "qwerty123456", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5",
	"1qaz2wsx3edc", "zaq12wsxcde3", "asdfghjkl;", "zxcvbnm123", "password12", "password123", "password1234",
	"password1!", "passw0rd123", "iloveyou12", "abcdefghij", "abc1234567", "123123123123", "1234512345",
	"йцукенгшщз", "пароль1234", "пароль12345", "qwertyqwerty", "welcome123", "administrator", "admin12345",
	"admin123456",
}

// Create adds a user.
func (s *Store) Create(ctx context.Context, n NewUser) (User, error) {
	if err := n.validate(); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), s.Cost)
	if err != nil {
		return User{}, fmt.Errorf("auth: hash password: %w", err)
	}
	row := s.pool.QueryRow(ctx, `
		INSERT INTO users (login, display_name, role, locale, password_hash, must_change_password, password_printed)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING `+userColumns,
		n.Login, n.DisplayName, n.Role, n.Locale, string(hash), n.MustChangePassword, n.PasswordPrinted)
	u, err := scanUser(row)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return User{}, ErrLoginTaken
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: create user %s: %w", n.Login, err)
	}
	return u, nil
}

const userColumns = `id, login, display_name, role, locale, timezone, must_change_password, password_printed, active,
	created_at, last_login_at`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Login, &u.DisplayName, &u.Role, &u.Locale, &u.TimeZone, &u.MustChangePassword,
		&u.PasswordPrinted, &u.Active, &u.CreatedAt, &u.LastLoginAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}

// ByID returns a user, active or not.
func (s *Store) ByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, fmt.Errorf("auth: user %d: %w", id, err)
	}
	return u, err
}

// ByLogin returns a user by login.
func (s *Store) ByLogin(ctx context.Context, login string) (User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE login = $1`,
		strings.ToLower(strings.TrimSpace(login))))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, fmt.Errorf("auth: user %s: %w", login, err)
	}
	return u, err
}

// List returns every user, by role then login.
func (s *Store) List(ctx context.Context) ([]User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users
		ORDER BY array_position(ARRAY['admin','supervisor','manager','operator'], role), login`)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	return users, nil
}

// Update changes what an admin may change about a user.
func (s *Store) Update(ctx context.Context, id int64, role Role, displayName string, active bool) error {
	if !role.Valid() {
		return msg.In("role", "auth.role", strings.Trim(fmt.Sprint(Roles), "[]"))
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE users SET role = $2, display_name = $3, active = $4, updated_at = now() WHERE id = $1`,
		id, role, strings.TrimSpace(displayName), active)
	if err != nil {
		return fmt.Errorf("auth: update user %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// SetLocale switches a user's UI language.
func (s *Store) SetLocale(ctx context.Context, id int64, locale string) error {
	if locale != "ru" && locale != "en" {
		return msg.In("locale", "auth.locale")
	}
	if _, err := s.pool.Exec(ctx, `UPDATE users SET locale = $2, updated_at = now() WHERE id = $1`, id, locale); err != nil {
		return fmt.Errorf("auth: set locale of user %d: %w", id, err)
	}
	return nil
}

// SetTimeZone sets the zone a user reads times in: an IANA name such as Asia/Vladivostok, or "" for the
// installation's.
func (s *Store) SetTimeZone(ctx context.Context, id int64, zone string) error {
	if _, err := time.LoadLocation(zone); err != nil || zone == "Local" {
		return msg.In("timezone", "auth.not_zone")
	}
	if _, err := s.pool.Exec(ctx, `UPDATE users SET timezone = $2, updated_at = now() WHERE id = $1`, id, zone); err != nil {
		return fmt.Errorf("auth: set time zone of user %d: %w", id, err)
	}
	return nil
}

// SetPassword replaces a password and ends every session of the user: whoever knew the old password, or holds a
// session from before, is out. mustChange makes the user choose a new one at next login (an administrator's
// reset). A user changing their own password keeps the session they did it from by renewing its token. A
// printed password is printed no more: the new one was typed or shown once to an administrator.
func (s *Store) SetPassword(ctx context.Context, id int64, password string, mustChange bool) error {
	var login string
	err := s.pool.QueryRow(ctx, `SELECT login FROM users WHERE id = $1`, id).Scan(&login)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("auth: set password of user %d: %w", id, err)
	}
	if err := ValidatePassword(login, password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.Cost)
	if err != nil {
		return fmt.Errorf("auth: hash password: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			UPDATE users SET password_hash = $2, must_change_password = $3, password_printed = false, updated_at = now()
			WHERE id = $1`,
			id, string(hash), mustChange); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: set password of user %d: %w", id, err)
	}
	return nil
}

// EnsureAdmin creates the first administrator when there is none (a new installation, or one whose users were
// all added from the command line), with a random password that the caller prints once; the admin must change it
// at first login. It returns "" when an administrator exists.
func (s *Store) EnsureAdmin(ctx context.Context, login, locale string) (string, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM users WHERE role = 'admin')`).Scan(&exists); err != nil || exists {
		if err != nil {
			err = fmt.Errorf("auth: look for an administrator: %w", err)
		}
		return "", err
	}
	password := RandomPassword()
	_, err := s.Create(ctx, NewUser{Login: login, DisplayName: "Administrator", Password: password,
		Role: Admin, Locale: locale, MustChangePassword: true})
	if errors.Is(err, ErrLoginTaken) { // another instance created it first
		return "", nil
	}
	if err != nil {
		return "", err
	}
	_ = s.Audit(ctx, Entry{Actor: "system", Action: "user.bootstrap_admin", Object: login})
	return password, nil
}

// RandomPassword returns 16 characters that are easy to read and type (no 0/O, 1/l/I).
func RandomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
