package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dozvon/internal/msg"
)

// Offer is one of the bank's product offers (an RKO tariff, internet acquiring) that an operator sends to a client
// from the console with two clicks, as a reply of their own. Supervisors keep them. The body is plain text, as an
// operator types a reply: Reply escapes it for Telegram, so "<b>" reaches the client as written, not as markup.
type Offer struct {
	ID    int64
	Title string
	Body  string
	// Product is what the offer sells: "rko" (an account), "acquiring", or "" for every lead.
	Product   string
	CreatedBy *int64
	UpdatedAt time.Time
}

// ErrNoSuchOffer is returned for an offer that does not exist (or was deleted meanwhile).
var ErrNoSuchOffer = errors.New("dialog: no such offer")

// Validate checks an offer as a supervisor typed it.
func (o *Offer) Validate() error {
	o.Title, o.Body = strings.TrimSpace(o.Title), strings.TrimSpace(o.Body)
	switch {
	case o.Title == "" || utf8.RuneCountInString(o.Title) > 120:
		return msg.In("title", "dialog.title_length", 1, 120)
	case o.Body == "":
		return msg.In("body", "dialog.offer_empty")
	case utf8.RuneCountInString(o.Body) > 4096:
		return msg.In("body", "dialog.body_too_long", 4096)
	case o.Product != "" && o.Product != "rko" && o.Product != "acquiring":
		return msg.In("product", "dialog.offer_product")
	}
	return nil
}

const offerColumns = `id, title, body, product, created_by, updated_at`

// Offers lists the offers in the order they were added.
func (s *Service) Offers(ctx context.Context) ([]Offer, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+offerColumns+` FROM offers ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("dialog: offers: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Offer])
	if err != nil {
		return nil, fmt.Errorf("dialog: offers: %w", err)
	}
	return list, nil
}

// OffersFor lists the offers for a dialog about a lead of this kind: those for the lead's product first, then
// those for every lead, then the rest (a missed-call client may still ask about acquiring).
func (s *Service) OffersFor(ctx context.Context, leadKind string) ([]Offer, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+offerColumns+` FROM offers
		ORDER BY product = $1 AND $1 <> '' DESC, product = '' DESC, id`, ProductOf(leadKind))
	if err != nil {
		return nil, fmt.Errorf("dialog: offers for %s: %w", leadKind, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Offer])
	if err != nil {
		return nil, fmt.Errorf("dialog: offers for %s: %w", leadKind, err)
	}
	return list, nil
}

// ProductOf is what a lead of this kind is meant to sell: an account after a missed call or a follow-up,
// acquiring in the cross-sell; "" for a kind it does not know (a dialog that no lead started).
func ProductOf(leadKind string) string {
	switch leadKind {
	case "missed_call", "follow_up":
		return "rko"
	case "acquiring":
		return "acquiring"
	}
	return ""
}

// Offer returns one offer.
func (s *Service) Offer(ctx context.Context, id int64) (Offer, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+offerColumns+` FROM offers WHERE id = $1`, id)
	if err != nil {
		return Offer{}, fmt.Errorf("dialog: offer %d: %w", id, err)
	}
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Offer])
	if errors.Is(err, pgx.ErrNoRows) {
		return o, ErrNoSuchOffer
	}
	if err != nil {
		return o, fmt.Errorf("dialog: offer %d: %w", id, err)
	}
	return o, nil
}

// SaveOffer creates an offer (ID 0) or changes one.
func (s *Service) SaveOffer(ctx context.Context, o Offer, by int64) (Offer, error) {
	if err := o.Validate(); err != nil {
		return o, err
	}
	args := pgx.NamedArgs{"id": o.ID, "title": o.Title, "body": o.Body, "product": o.Product, "by": by, "now": s.now()}
	var err error
	if o.ID == 0 {
		err = s.pool.QueryRow(ctx, `
			INSERT INTO offers (title, body, product, created_by, updated_at) VALUES (@title, @body, @product, @by, @now)
			RETURNING id`, args).Scan(&o.ID)
	} else {
		var tag pgconn.CommandTag
		tag, err = s.pool.Exec(ctx, `
			UPDATE offers SET title = @title, body = @body, product = @product, updated_at = @now WHERE id = @id`, args)
		if err == nil && tag.RowsAffected() == 0 {
			return o, ErrNoSuchOffer
		}
	}
	if err != nil {
		return o, fmt.Errorf("dialog: save offer %q: %w", o.Title, err)
	}
	return s.Offer(ctx, o.ID)
}

// DeleteOffer removes an offer. What was sent stays in the conversations: it was copied there as a reply.
func (s *Service) DeleteOffer(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM offers WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("dialog: delete offer %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNoSuchOffer
	}
	return nil
}

// SendOffer sends an offer to the client as the operator's reply, with everything a reply does (escaping, the SLA
// clock, read marks); it answers as Reply does, or ErrNoSuchOffer.
func (s *Service) SendOffer(ctx context.Context, convID, offerID, operatorID int64) (int64, error) {
	o, err := s.Offer(ctx, offerID)
	if err != nil {
		return 0, err
	}
	return s.Reply(ctx, convID, operatorID, o.Body)
}
