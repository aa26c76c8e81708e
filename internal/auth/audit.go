package auth

import (
	"context"
	"fmt"
	"net/netip"
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
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		var ip *netip.Addr
		err := r.Scan(&e.ID, &e.At, &e.UserID, &e.Actor, &e.Action, &e.Object, &e.Detail, &ip)
		if ip != nil {
			e.IP = *ip
		}
		return e, err
	})
}

func ipOrNil(ip netip.Addr) any {
	if !ip.IsValid() {
		return nil
	}
	return ip
}
