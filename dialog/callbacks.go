package dialog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/csvx"
)

// A callback outcome — an operator agreed a phone call at a time, or the client pressed "call me back" — is a task
// for the bank's dialer or CRM. It stays open until a supervisor marks it done; the export remembers when it
// first handed each task over, so the next file can be compared with the last.

// ErrNoSuchCallback is returned for an outcome that is not an open callback task.
var ErrNoSuchCallback = errors.New("dialog: no such open callback task")

// CallbackTask is one open callback.
type CallbackTask struct {
	ID             int64 // the outcome's id
	ConversationID *int64
	ClientID       *int64
	Company        string
	INN            string
	ContactName    string
	Phone          string // the client's phone in the bank's data, else the one the chat shared; E.164
	TimeZone       string // the client's, for the local time of the call
	DueAt          *time.Time
	Operator       string // who recorded it, else who had the conversation
	Note           string
	Source         string // operator, or client (the "call me back" button)
	RecordedAt     time.Time
	ExportedAt     *time.Time
}

// LocalDue is the due time in the client's own time zone; zero without a due time.
func (t CallbackTask) LocalDue() time.Time {
	if t.DueAt == nil {
		return time.Time{}
	}
	if loc, err := time.LoadLocation(t.TimeZone); err == nil && t.TimeZone != "" {
		return t.DueAt.In(loc)
	}
	return *t.DueAt
}

// OpenCallbacks lists the callback tasks not done yet, the earliest due first (those with no agreed time — "as
// soon as possible" — before all).
func (s *Service) OpenCallbacks(ctx context.Context) ([]CallbackTask, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT o.id, o.conversation_id, coalesce(o.client_id, c.client_id), coalesce(cl.company_name, ''),
		       coalesce(cl.inn, ''), coalesce(nullif(cl.contact_name, ''), ct.first_name, ''),
		       coalesce(cl.phone, ct.phone, ''), coalesce(cl.timezone, ''), o.due_at,
		       coalesce(nullif(r.display_name, ''), r.login, nullif(u.display_name, ''), u.login, ''),
		       o.reason, o.source, o.recorded_at, o.exported_at
		FROM outcomes o
		LEFT JOIN conversations c ON c.id = o.conversation_id
		LEFT JOIN clients cl ON cl.id = coalesce(o.client_id, c.client_id)
		LEFT JOIN contacts ct ON ct.id = c.contact_id
		LEFT JOIN users r ON r.id = o.recorded_by
		LEFT JOIN users u ON u.id = c.operator_id
		WHERE o.kind = 'callback' AND o.done_at IS NULL
		ORDER BY o.due_at NULLS FIRST, o.id`)
	if err != nil {
		return nil, fmt.Errorf("dialog: open callbacks: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CallbackTask])
	if err != nil {
		return nil, fmt.Errorf("dialog: open callbacks: %w", err)
	}
	return list, nil
}

// CloseCallback marks a callback task done by a person, or (by 0) by the bank's dialer through the API.
func (s *Service) CloseCallback(ctx context.Context, id, by int64) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE outcomes SET done_at = $3, done_by = nullif($2, 0) WHERE id = $1 AND kind = 'callback' AND done_at IS NULL`,
		id, by, s.now())
	if err != nil {
		return fmt.Errorf("dialog: close callback %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNoSuchCallback
	}
	return nil
}

// ExportCallbacks writes the open callback tasks as the file for the bank's dialer, its times in zone (the
// reader's), and records when each was first exported. It returns how many tasks the file holds.
func (s *Service) ExportCallbacks(ctx context.Context, w io.Writer, zone *time.Location) (int, error) {
	list, err := s.OpenCallbacks(ctx)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer // whole before writing, so a failure leaves no half file and marks nothing
	if err := WriteCallbacksCSV(&buf, list, zone); err != nil {
		return 0, fmt.Errorf("dialog: export callbacks: %w", err)
	}
	if err := s.markExported(ctx, list); err != nil {
		return 0, err
	}
	if _, err := buf.WriteTo(w); err != nil {
		return 0, fmt.Errorf("dialog: export callbacks: %w", err)
	}
	return len(list), nil
}

// HandOverCallbacks returns the open callback tasks to the bank's dialer, which reads them through the API, and
// records when each was first handed over, as the file export does.
func (s *Service) HandOverCallbacks(ctx context.Context) ([]CallbackTask, error) {
	list, err := s.OpenCallbacks(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.markExported(ctx, list); err != nil {
		return nil, err
	}
	return list, nil
}

func (s *Service) markExported(ctx context.Context, list []CallbackTask) error {
	ids := make([]int64, len(list))
	for i, t := range list {
		ids[i] = t.ID
	}
	if _, err := s.pool.Exec(ctx, `UPDATE outcomes SET exported_at = $2 WHERE id = ANY ($1) AND exported_at IS NULL`,
		ids, s.now()); err != nil {
		return fmt.Errorf("dialog: record the callbacks' export: %w", err)
	}
	return nil
}

// WriteCallbacksCSV writes callback tasks for Russian Excel and the dialer's import (csvx). Names and notes come
// from clients and operators, so no cell is evaluated as a formula; E.164 phones are written '+7..., which Excel
// keeps as text instead of a number without its plus. Times are RFC 3339 in zone, offset included, so a person
// reads their own clock and a program the exact moment; due_local is the client's own time.
func WriteCallbacksCSV(w io.Writer, tasks []CallbackTask, zone *time.Location) error {
	cw := csvx.NewWriter(w)
	_ = cw.Write("task_id", "company", "inn", "contact_name", "phone", "due_at", "due_local", "timezone",
		"operator", "note", "source", "conversation_id", "recorded_at")
	for _, t := range tasks {
		due, local := "", ""
		if t.DueAt != nil {
			due, local = t.DueAt.In(zone).Format(time.RFC3339), t.LocalDue().Format("02.01.2006 15:04")
		}
		conv := ""
		if t.ConversationID != nil {
			conv = strconv.FormatInt(*t.ConversationID, 10)
		}
		_ = cw.Write(strconv.FormatInt(t.ID, 10), t.Company, t.INN, t.ContactName, t.Phone, due, local, t.TimeZone,
			t.Operator, t.Note, t.Source, conv, t.RecordedAt.In(zone).Format(time.RFC3339))
	}
	return cw.Flush()
}
