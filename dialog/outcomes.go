package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
)

// Outcome kinds: the conversion events reports count.
const (
	OutcomeConsent            = "consent"             // the client agrees to the offer (of Product)
	OutcomeRefusal            = "refusal"             // the client declines, for Reason
	OutcomeCallback           = "callback"            // a phone call is agreed for DueAt
	OutcomeMeeting            = "meeting"             // handed to a field manager: the account is due by DueAt
	OutcomeAccountOpened      = "account_opened"      // the business account (RKO) is open
	OutcomeAcquiringConnected = "acquiring_connected" // internet acquiring is connected
)

// Outcome is what an operator records about a conversation.
type Outcome struct {
	Kind    string
	Product string // "rko" or "acquiring"; needed for a consent
	// ReasonID is a refusal's reason, one of the supervisors' list (RefusalReasons); needed for a refusal.
	ReasonID int64
	// Reason is the operator's comment: beside a refusal's reason, or a callback's note. Optional.
	Reason string
	// DueAt is a callback's agreed time, or a meeting's deadline: the day by which the field manager should have
	// opened the account. Both must be in the future.
	DueAt time.Time
}

// leadStatusAfter is the status an outcome gives the conversation's lead; a callback leaves it as it is.
var leadStatusAfter = map[string]string{
	OutcomeConsent:            "consented",
	OutcomeMeeting:            "consented",
	OutcomeRefusal:            "refused",
	OutcomeAccountOpened:      "converted",
	OutcomeAcquiringConnected: "converted",
}

// Validate checks an outcome against the clock and fills in what its kind implies.
func (o *Outcome) Validate(now time.Time) error {
	o.Product, o.Reason = strings.TrimSpace(o.Product), strings.TrimSpace(o.Reason)
	switch o.Kind {
	case OutcomeConsent, OutcomeRefusal, OutcomeCallback, OutcomeMeeting:
	case OutcomeAccountOpened:
		o.Product = cmpOr(o.Product, "rko")
	case OutcomeAcquiringConnected:
		o.Product = cmpOr(o.Product, "acquiring")
	default:
		return msg.In("kind", "dialog.unknown_outcome", o.Kind)
	}
	switch {
	case o.Product != "" && o.Product != "rko" && o.Product != "acquiring":
		return msg.In("product", "dialog.product")
	case o.Kind == OutcomeConsent && o.Product == "":
		return msg.In("product", "dialog.product_required")
	case o.Kind == OutcomeRefusal && o.ReasonID <= 0:
		return msg.In("reason_id", "dialog.reason_required")
	case (o.Kind == OutcomeCallback || o.Kind == OutcomeMeeting) && o.DueAt.IsZero():
		return msg.In("due_at", "dialog.time_required")
	case (o.Kind == OutcomeCallback || o.Kind == OutcomeMeeting) && !o.DueAt.After(now):
		return msg.In("due_at", "dialog.time_past")
	}
	if o.Kind != OutcomeCallback && o.Kind != OutcomeMeeting {
		o.DueAt = time.Time{}
	}
	if o.Kind != OutcomeRefusal {
		o.ReasonID = 0
	}
	return nil
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// RecordOutcome records an operator's outcome for a conversation (theirs, open or just closed), moves the lead's
// status along, and, for a meeting, schedules the follow-up: see followUpAfterMeeting. It returns the outcome's id.
func (s *Service) RecordOutcome(ctx context.Context, convID, operatorID int64, o Outcome) (int64, error) {
	now := s.now()
	if err := o.Validate(now); err != nil {
		return 0, err
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		c, err := lockConversation(ctx, tx, convID)
		if err != nil {
			return err
		}
		if c.OperatorID == nil || *c.OperatorID != operatorID {
			return ErrNotYours
		}
		if o.Kind == OutcomeMeeting && c.ClientID == nil {
			return msg.In("kind", "dialog.no_client")
		}
		var due *time.Time
		if !o.DueAt.IsZero() {
			due = ptr(o.DueAt.UTC())
		}
		var reasonID *int64
		if o.ReasonID > 0 {
			if err := activeReason(ctx, tx, o.ReasonID); err != nil {
				return err
			}
			reasonID = &o.ReasonID
		}
		args := pgx.NamedArgs{"conv": c.ID, "lead": c.LeadID, "client": c.ClientID, "kind": o.Kind,
			"product": o.Product, "reason": o.Reason, "reason_id": reasonID, "due": due, "op": operatorID,
			"now": now, "status": leadStatusAfter[o.Kind]}
		if err := tx.QueryRow(ctx, `
			INSERT INTO outcomes (conversation_id, lead_id, client_id, kind, product, reason, reason_id, due_at,
			                      recorded_by, source, recorded_at)
			VALUES (@conv, @lead, @client, @kind, @product, @reason, @reason_id, @due, @op, 'operator', @now)
			RETURNING id`, args).Scan(&id); err != nil {
			return err
		}
		args["outcome"] = id
		if err := moveLeadStatus(ctx, tx, args); err != nil {
			return err
		}
		payload := map[string]any{"outcome_id": id, "kind": o.Kind, "product": o.Product, "due_at": due,
			"reason_id": reasonID}
		if o.Kind == OutcomeMeeting {
			followUp, err := followUpAfterMeeting(ctx, tx, args)
			if err != nil {
				return err
			}
			payload["follow_up_lead_id"] = followUp
		}
		return publish(ctx, tx, EventOutcome, &c.ID, &operatorID, c.QueueID, payload)
	})
	if err != nil && !isSentinel(err) {
		return 0, fmt.Errorf("dialog: record %s in conversation %d: %w", o.Kind, convID, err)
	}
	return id, err
}

// moveLeadStatus gives the lead the status its outcome means. A conversion is final, and a lead the bank closed
// stays closed unless it converts. An opened account also converts the client's pending follow-up for the same
// application: there is nothing left to follow up.
func moveLeadStatus(ctx context.Context, tx pgx.Tx, args pgx.NamedArgs) error {
	if args["status"] == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `
		UPDATE leads l SET status = @status, updated_at = @now
		WHERE l.status <> 'converted' AND (l.status <> 'closed' OR @status = 'converted')
		  AND (l.id = @lead
		       OR (@kind = 'account_opened' AND l.kind = 'follow_up' AND l.client_id = @client
		           AND l.application_id IS NOT DISTINCT FROM (SELECT application_id FROM leads WHERE id = @lead)))`,
		args)
	return err
}

// followUpAfterMeeting is the hand-off to a field manager, with the deadline kept where follow-up campaigns look:
// the client's follow-up lead (one per application) becomes eligible at the deadline. Campaign audiences only take
// leads whose eligible_at has passed and whose status is still new or offered, and every campaign run first lets
// the bank's data convert leads whose account was opened — so the lead is written to exactly when the deadline
// passes without an account, with no job of its own to run. A later meeting moves the deadline of the same lead.
func followUpAfterMeeting(ctx context.Context, tx pgx.Tx, args pgx.NamedArgs) (*int64, error) {
	args["attrs"] = map[string]any{"meeting_deadline": args["due"], "meeting_outcome_id": args["outcome"],
		"meeting_conversation_id": args["conv"]}
	var id int64
	err := tx.QueryRow(ctx, `
		WITH src AS (
		    SELECT coalesce(l.client_id, @client) AS client_id, l.application_id
		    FROM (SELECT) AS one LEFT JOIN leads l ON l.id = @lead
		), moved AS (
		    UPDATE leads f SET eligible_at = @due, status = 'new', attributes = f.attributes || @attrs, updated_at = @now
		    FROM src
		    WHERE f.kind = 'follow_up' AND f.client_id = src.client_id
		      AND f.application_id IS NOT DISTINCT FROM src.application_id
		      AND f.status NOT IN ('converted', 'closed')
		    RETURNING f.id
		), created AS (
		    INSERT INTO leads (client_id, application_id, kind, eligible_at, attributes)
		    SELECT client_id, application_id, 'follow_up', @due, @attrs FROM src
		    WHERE NOT EXISTS (SELECT FROM moved)
		    ON CONFLICT (kind, application_id) WHERE application_id IS NOT NULL DO NOTHING
		    RETURNING id
		)
		SELECT id FROM moved UNION ALL SELECT id FROM created`, args).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) { // the application's follow-up is converted or closed: nothing to follow
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("follow-up after meeting: %w", err)
	}
	return &id, nil
}
