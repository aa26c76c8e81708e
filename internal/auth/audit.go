package auth

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Entry is one line of the audit log: who did what to which object.
type Entry struct {
	ID     int64
	At     time.Time
	UserID *int64
	Actor  string // login, or "system", or an API token's name
	Action string // e.g. login.ok, login.failed, user.create, user.update, password.change
	Object string
	Detail map[string]any
	IP     netip.Addr
}

// Audit appends an entry.
func (s *Store) Audit(ctx context.Context, e Entry) error {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO audit_log (user_id, actor, action, object, detail, remote_ip) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.UserID, e.Actor, e.Action, e.Object, e.Detail, ipOrNil(e.IP))
	if err != nil {
		return fmt.Errorf("auth: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditLog returns the newest entries first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]Entry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, at, user_id, actor, action, object, detail, remote_ip
		FROM audit_log ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("auth: read audit log: %w", err)
	}
	return pgx.CollectRows(rows, scanEntry)
}

func ipOrNil(ip netip.Addr) any {
	if !ip.IsValid() {
		return nil
	}
	return ip
}

// AuditFilter picks entries of the audit log: by who (a login or token name, exactly), by what (an action, or a
// group of them ending in a dot: "campaign."), and by when (From inclusive, To exclusive; zero: open). Offset and
// Limit page through them, newest first.
type AuditFilter struct {
	Actor, Action string
	From, To      time.Time
	Offset, Limit int
}

// SearchAudit returns the entries that match, newest first, a page at a time, and how many match in all.
func (s *Store) SearchAudit(ctx context.Context, f AuditFilter) ([]Entry, int, error) {
	where, args := auditWhere(f)
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE `+where, args).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("auth: count audit log: %w", err)
	}
	args["limit"], args["offset"] = f.Limit, f.Offset
	rows, err := s.pool.Query(ctx, `
		SELECT id, at, user_id, actor, action, object, detail, remote_ip
		FROM audit_log WHERE `+where+` ORDER BY id DESC LIMIT @limit OFFSET @offset`, args)
	if err != nil {
		return nil, 0, fmt.Errorf("auth: search audit log: %w", err)
	}
	entries, err := pgx.CollectRows(rows, scanEntry)
	if err != nil {
		return nil, 0, fmt.Errorf("auth: search audit log: %w", err)
	}
	return entries, total, nil
}

func auditWhere(f AuditFilter) (string, pgx.NamedArgs) {
	where, args := []string{"true"}, pgx.NamedArgs{}
	if f.Actor != "" {
		where, args["actor"] = append(where, "actor = @actor"), f.Actor
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		where = append(where, "starts_with(action, @action)")
		args["action"] = f.Action
	case f.Action != "":
		where, args["action"] = append(where, "action = @action"), f.Action
	}
	if !f.From.IsZero() {
		where, args["from"] = append(where, "at >= @from"), f.From
	}
	if !f.To.IsZero() {
		where, args["to"] = append(where, "at < @to"), f.To
	}
	return strings.Join(where, " AND "), args
}

// AuditNames lists who appears in the audit log and every action it holds, for a filter's choices.
func (s *Store) AuditNames(ctx context.Context) (actors, actions []string, err error) {
	for _, q := range []struct {
		sql string
		to  *[]string
	}{
		{`SELECT DISTINCT actor FROM audit_log ORDER BY 1`, &actors},
		{`SELECT DISTINCT action FROM audit_log ORDER BY 1`, &actions},
	} {
		rows, err := s.pool.Query(ctx, q.sql)
		if err != nil {
			return nil, nil, fmt.Errorf("auth: audit log names: %w", err)
		}
		if *q.to, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return nil, nil, fmt.Errorf("auth: audit log names: %w", err)
		}
	}
	return actors, actions, nil
}

func scanEntry(r pgx.CollectableRow) (Entry, error) {
	var e Entry
	var ip *netip.Addr
	err := r.Scan(&e.ID, &e.At, &e.UserID, &e.Actor, &e.Action, &e.Object, &e.Detail, &ip)
	if ip != nil {
		e.IP = *ip
	}
	return e, err
}
