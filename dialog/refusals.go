package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
)

// RefusalReason is one of the reasons an operator picks when a client refuses. Supervisors keep the list: its
// labels in both languages, its order, and whether operators still see a reason (a used one is switched off, not
// deleted, so past refusals keep their reason).
type RefusalReason struct {
	ID        int64
	LabelRU   string
	LabelEN   string
	Active    bool
	Position  int
	UpdatedAt time.Time
}

// Label is the reason in a language: "ru", else English.
func (r RefusalReason) Label(locale string) string {
	if locale == "ru" {
		return r.LabelRU
	}
	return r.LabelEN
}

// ErrNoSuchReason is returned for a refusal reason that does not exist, or that operators may no longer pick.
var ErrNoSuchReason = errors.New("dialog: no such refusal reason")

// Validate checks a reason as a supervisor typed it.
func (r *RefusalReason) Validate() error {
	r.LabelRU, r.LabelEN = strings.TrimSpace(r.LabelRU), strings.TrimSpace(r.LabelEN)
	switch {
	case r.LabelRU == "" || utf8.RuneCountInString(r.LabelRU) > 80:
		return msg.In("label_ru", "dialog.label_length", 1, 80)
	case r.LabelEN == "" || utf8.RuneCountInString(r.LabelEN) > 80:
		return msg.In("label_en", "dialog.label_length", 1, 80)
	case r.Position < 0 || r.Position > 100000:
		return msg.In("position", "dialog.position", 0, 100000)
	}
	return nil
}

// RefusalReasons lists the reasons in their order; only the active ones unless all.
func (s *Service) RefusalReasons(ctx context.Context, all bool) ([]RefusalReason, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, label_ru, label_en, active, position, updated_at FROM refusal_reasons
		WHERE active OR $1 ORDER BY position, id`, all)
	if err != nil {
		return nil, fmt.Errorf("dialog: refusal reasons: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RefusalReason])
	if err != nil {
		return nil, fmt.Errorf("dialog: refusal reasons: %w", err)
	}
	return list, nil
}

// SaveRefusalReason adds a reason (ID 0) or changes one, and returns its id.
func (s *Service) SaveRefusalReason(ctx context.Context, r RefusalReason) (int64, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	args := pgx.NamedArgs{"id": r.ID, "ru": r.LabelRU, "en": r.LabelEN, "active": r.Active, "pos": r.Position,
		"now": s.now()}
	sql := `UPDATE refusal_reasons SET label_ru = @ru, label_en = @en, active = @active, position = @pos,
		updated_at = @now WHERE id = @id RETURNING id`
	if r.ID == 0 {
		sql = `INSERT INTO refusal_reasons (label_ru, label_en, active, position, updated_at)
			VALUES (@ru, @en, @active, @pos, @now) RETURNING id`
	}
	var id int64
	err := s.pool.QueryRow(ctx, sql, args).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNoSuchReason
	}
	if err != nil {
		return 0, fmt.Errorf("dialog: save refusal reason %d: %w", r.ID, err)
	}
	return id, nil
}

// activeReason checks, in the outcome's transaction, that operators may pick the reason.
func activeReason(ctx context.Context, tx pgx.Tx, id int64) error {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM refusal_reasons WHERE id = $1 AND active)`, id).
		Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return ErrNoSuchReason
	}
	return nil
}
