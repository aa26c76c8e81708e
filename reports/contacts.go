package reports

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// The contact registry as people search it: a chat by its number, the client's phone, INN or company, or the
// chat's name, a page at a time, with the leads each chat speaks for. It reads the messenger's contacts and the
// campaigns' leads and clients, which is a report's to join.

// ContactSearch is what the registry page asks for. Status is "" for every contact.
type ContactSearch struct {
	Query         string
	Status        string
	Offset, Limit int
}

// ContactRow is one chat of the registry.
type ContactRow struct {
	ChatID    int64
	Username  string
	FirstName string
	Phone     string
	Status    string
	LinkedVia string
	LinkedAt  time.Time
	Leads     []ContactLead
}

// ContactLead is a lead a chat speaks for, with what a page links it to: the campaign whose invitation or
// message brought it, and its latest dialog.
type ContactLead struct {
	ID             int64  `json:"id"`
	Kind           string `json:"kind"`
	Company        string `json:"company"`
	INN            string `json:"inn"`
	CampaignID     *int64 `json:"campaign_id"`
	ConversationID *int64 `json:"conversation_id"`
}

// SearchContacts returns a page of the contacts that match, newest link first, and how many match in all.
func (rp *Reports) SearchContacts(ctx context.Context, s ContactSearch) ([]ContactRow, int, error) {
	q := strings.TrimSpace(s.Query)
	digits := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, q)
	phone := digits
	if len(phone) > 10 { // 8 918 …, +7 918 … and 7918… are one number: its last ten digits
		phone = phone[len(phone)-10:]
	}
	args := pgx.NamedArgs{"status": s.Status, "q": q, "like": "%" + escapeLike(q) + "%", "digits": digits,
		"phone": phone, "limit": s.Limit, "offset": s.Offset}
	rows, err := rp.pool.Query(ctx, `
		WITH matched AS (
		    SELECT c.id FROM contacts c
		    WHERE (@status = '' OR c.status = @status)
		      AND (@q = ''
		           OR c.chat_id::text = @q
		           OR c.first_name ILIKE @like OR c.username ILIKE @like
		           OR (length(@phone) >= 5 AND c.phone LIKE '%' || @phone || '%')
		           OR EXISTS (SELECT FROM contact_leads cl JOIN leads l ON l.id = cl.lead_id
		                      JOIN clients k ON k.id = l.client_id
		                      WHERE cl.contact_id = c.id
		                        AND (k.company_name ILIKE @like
		                             OR (length(@digits) >= 4 AND k.inn LIKE @digits || '%')
		                             OR (length(@phone) >= 5 AND k.phone LIKE '%' || @phone || '%'))))
		)
		SELECT count(*) OVER (), c.chat_id, c.username, c.first_name, coalesce(c.phone, ''), c.status, c.linked_via,
		       c.linked_at,
		       coalesce((SELECT json_agg(json_build_object('id', l.id, 'kind', l.kind, 'company', k.company_name,
		                        'inn', coalesce(k.inn, ''), 'campaign_id', cl.campaign_id,
		                        'conversation_id', (SELECT max(cv.id) FROM conversations cv WHERE cv.lead_id = l.id))
		                        ORDER BY l.id)
		                 FROM contact_leads cl JOIN leads l ON l.id = cl.lead_id JOIN clients k ON k.id = l.client_id
		                 WHERE cl.contact_id = c.id), '[]')
		FROM contacts c JOIN matched m ON m.id = c.id
		ORDER BY c.linked_at DESC, c.id DESC
		LIMIT @limit OFFSET @offset`, args)
	if err != nil {
		return nil, 0, fmt.Errorf("reports: search contacts %q: %w", q, err)
	}
	total := 0
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ContactRow, error) {
		var c ContactRow
		err := r.Scan(&total, &c.ChatID, &c.Username, &c.FirstName, &c.Phone, &c.Status, &c.LinkedVia, &c.LinkedAt,
			&c.Leads)
		return c, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("reports: search contacts %q: %w", q, err)
	}
	if len(list) == 0 && s.Offset > 0 { // a page past the end: count what matches all the same
		_, total, err = rp.SearchContacts(ctx, ContactSearch{Query: s.Query, Status: s.Status, Limit: 1})
	}
	return list, total, err
}

// escapeLike makes text match itself in LIKE: % and _ are not wildcards there.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
