package dialog

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dozvon/internal/msg"
)

// Script is a prepared answer supervisors keep for operators: a title, a body with variables such as
// {{.Company}}, the lead kind it is for (empty: every kind) and a shortcut to call it up with ("/price").
type Script struct {
	ID        int64
	Title     string
	Body      string
	LeadKind  string
	Shortcut  string
	CreatedBy *int64
	UpdatedAt time.Time
}

// ScriptVariables are the values a script may use, filled from the conversation.
var ScriptVariables = []string{"ClientName", "Company", "INN", "Region", "Manager", "Operator"}

// ErrNoSuchScript is returned for a script that does not exist.
var ErrNoSuchScript = errors.New("dialog: no such script")

var (
	scriptVar  = regexp.MustCompile(`\{\{\s*\.?([A-Za-z]*)\s*\}\}`)
	shortcutRe = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
)

// Validate checks a script as a supervisor typed it.
func (sc *Script) Validate() error {
	sc.Title, sc.Body = strings.TrimSpace(sc.Title), strings.TrimSpace(sc.Body)
	sc.Shortcut = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(sc.Shortcut), "/"))
	switch {
	case sc.Title == "" || utf8.RuneCountInString(sc.Title) > 120:
		return msg.In("title", "dialog.title_length", 1, 120)
	case sc.Body == "":
		return msg.In("body", "dialog.script_empty")
	case utf8.RuneCountInString(sc.Body) > 4096:
		return msg.In("body", "dialog.body_too_long", 4096)
	case sc.LeadKind != "" && sc.LeadKind != "missed_call" && sc.LeadKind != "follow_up" && sc.LeadKind != "acquiring":
		return msg.In("lead_kind", "dialog.script_kind")
	case sc.Shortcut != "" && !shortcutRe.MatchString(sc.Shortcut):
		return msg.In("shortcut", "dialog.shortcut_format", 32)
	}
	for _, m := range scriptVar.FindAllStringSubmatch(sc.Body, -1) {
		if !knownVariable(m[1]) {
			return msg.In("body", "dialog.unknown_variable", m[0], "{{."+strings.Join(ScriptVariables, "}}, {{.")+"}}")
		}
	}
	return nil
}

func knownVariable(name string) bool {
	for _, v := range ScriptVariables {
		if v == name {
			return true
		}
	}
	return false
}

const scriptColumns = `id, title, body, coalesce(lead_kind, ''), shortcut, created_by, updated_at`

// Scripts lists the scripts for a lead kind (with those for every kind), or all of them for an empty kind.
func (s *Service) Scripts(ctx context.Context, leadKind string) ([]Script, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+scriptColumns+` FROM scripts
		WHERE $1 = '' OR lead_kind IS NULL OR lead_kind = $1
		ORDER BY lead_kind NULLS LAST, title, id`, leadKind)
	if err != nil {
		return nil, fmt.Errorf("dialog: scripts: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Script])
}

// Script returns one script.
func (s *Service) Script(ctx context.Context, id int64) (Script, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+scriptColumns+` FROM scripts WHERE id = $1`, id)
	if err != nil {
		return Script{}, fmt.Errorf("dialog: script %d: %w", id, err)
	}
	sc, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Script])
	if errors.Is(err, pgx.ErrNoRows) {
		return sc, ErrNoSuchScript
	}
	return sc, err
}

// SaveScript creates a script (ID 0) or changes one.
func (s *Service) SaveScript(ctx context.Context, sc Script, by int64) (Script, error) {
	if err := sc.Validate(); err != nil {
		return sc, err
	}
	args := pgx.NamedArgs{"id": sc.ID, "title": sc.Title, "body": sc.Body, "kind": nilIfEmpty(sc.LeadKind),
		"shortcut": sc.Shortcut, "by": by, "now": s.now()}
	var err error
	if sc.ID == 0 {
		err = s.pool.QueryRow(ctx, `
			INSERT INTO scripts (title, body, lead_kind, shortcut, created_by, updated_at)
			VALUES (@title, @body, @kind, @shortcut, @by, @now) RETURNING id`, args).Scan(&sc.ID)
	} else {
		var tag pgconn.CommandTag
		tag, err = s.pool.Exec(ctx, `
			UPDATE scripts SET title = @title, body = @body, lead_kind = @kind, shortcut = @shortcut, updated_at = @now
			WHERE id = @id`, args)
		if err == nil && tag.RowsAffected() == 0 {
			return sc, ErrNoSuchScript
		}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "scripts_shortcut_key" {
		return sc, msg.In("shortcut", "dialog.shortcut_taken", sc.Shortcut)
	}
	if err != nil {
		return sc, fmt.Errorf("dialog: save script %q: %w", sc.Title, err)
	}
	return s.Script(ctx, sc.ID)
}

// DeleteScript removes a script.
func (s *Service) DeleteScript(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM scripts WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("dialog: delete script %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNoSuchScript
	}
	return nil
}

// FillScript returns a script's text for a conversation, its variables replaced by the client's values. The
// result is plain text for the reply box; Reply escapes it on the way out.
func (s *Service) FillScript(ctx context.Context, scriptID, convID int64) (string, error) {
	sc, err := s.Script(ctx, scriptID)
	if err != nil {
		return "", err
	}
	var client, company, inn, region, manager, operator string
	err = s.pool.QueryRow(ctx, `
		SELECT coalesce(cl.contact_name, ''), coalesce(cl.company_name, ''), coalesce(cl.inn, ''),
		       coalesce(cl.region, ''), coalesce(a.field_manager, ''),
		       coalesce(nullif(u.display_name, ''), u.login, '')
		FROM conversations c
		LEFT JOIN clients cl ON cl.id = c.client_id
		LEFT JOIN leads l ON l.id = c.lead_id
		LEFT JOIN applications a ON a.id = l.application_id
		LEFT JOIN users u ON u.id = c.operator_id
		WHERE c.id = $1`, convID).Scan(&client, &company, &inn, &region, &manager, &operator)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("dialog: fill script %d for conversation %d: %w", scriptID, convID, err)
	}
	vals := map[string]string{"ClientName": client, "Company": company, "INN": inn, "Region": region,
		"Manager": manager, "Operator": operator}
	return scriptVar.ReplaceAllStringFunc(sc.Body, func(m string) string {
		return vals[scriptVar.FindStringSubmatch(m)[1]]
	}), nil
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// UnknownVariable returns the first variable in a script's body that is not one of ScriptVariables, as written
// ("{{.Foo}}"), or "" when every one is known: screens name it next to the field.
func UnknownVariable(body string) string {
	for _, m := range scriptVar.FindAllStringSubmatch(body, -1) {
		if !knownVariable(m[1]) {
			return m[0]
		}
	}
	return ""
}
