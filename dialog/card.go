package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// ClientCard is everything an operator should know about whom they are talking to, beside the chat.
type ClientCard struct {
	ConversationID int64
	ClientID       *int64 // nil: the chat is not linked to a client yet (nobody shared a phone or followed a link)
	// Name is the company as people write it: its name with its legal form once ("ООО «Спектр»").
	Name        string
	Company     string
	LegalForm   string
	INN         string
	OKVED       string
	OKVEDExtra  []string
	Region      string
	TimeZone    string
	LocalTime   time.Time // now in the client's time zone; zero when the zone is unknown
	ContactName string
	Segment     string

	LeadID     *int64
	LeadKind   string
	LeadStatus string

	// Channel, BotID and ChatID are the chat of this conversation: the messenger the client wrote on.
	Channel   string
	BotID     int64
	ChatID    int64
	FirstName string // in the messenger
	Username  string
	// ContactStatus is active, blocked or opted_out; OptedOut also covers the phone being on the do-not-contact
	// list from another chat.
	ContactStatus string
	LinkedVia     string
	OptedOut      bool
	// Consent is the client's latest consent, if any.
	Consent *OutcomeRecord
	// Chats are every chat of the client on every messenger and bot, this conversation's first, then by when
	// they were linked: the client's chats, or this one alone for a chat linked to no client yet.
	Chats []LinkedChat

	Applications  []Application
	Timeline      []ApplicationEvent // newest first
	Campaigns     []CampaignTouch    // newest first
	Conversations []PastConversation // newest first, this one included
	Outcomes      []OutcomeRecord    // newest first
}

// LinkedChat is one of the client's chats: on which messenger, with which bot, whether it may be written to, and
// how and when it was linked to the client.
type LinkedChat struct {
	Channel   string
	BotID     int64
	BotName   string
	ChatID    int64
	FirstName string
	Username  string
	Status    string    // active, blocked, opted_out
	LinkedVia string    // deep_link, contact (a shared phone), manual; empty: the client wrote first
	LinkedAt  time.Time // when Dozvon first heard from the chat
	Current   bool      // the chat of this conversation
}

// Application is one of the client's applications.
type Application struct {
	ID           int64
	Product      string
	Status       string
	Channel      string
	FieldManager string
	SubmittedAt  time.Time
}

// ApplicationEvent is one step of an application's history as the bank reported it.
type ApplicationEvent struct {
	ApplicationID int64
	Product       string
	Kind          string // call_attempt, call_answered, meeting_booked, meeting_held, account_opened ...
	Result        string
	OccurredAt    time.Time
}

// CampaignTouch is a campaign message sent (or meant) for the client.
type CampaignTouch struct {
	CampaignID int64
	Name       string
	State      string
	QueuedAt   time.Time
	SentAt     *time.Time
}

// PastConversation is one of the client's conversations.
type PastConversation struct {
	ID           int64
	Status       string
	OpenedAt     time.Time
	ClosedAt     *time.Time
	OperatorName string
	CSAT         *int16
	Outcomes     []string
}

// OutcomeRecord is a recorded outcome.
type OutcomeRecord struct {
	ID             int64
	ConversationID *int64
	Kind           string
	Product        string
	ReasonID       *int64 // a refusal's reason, with its labels in both languages
	ReasonRU       string
	ReasonEN       string
	Reason         string // the operator's comment
	DueAt          *time.Time
	Source         string // operator, client (a button), import (the bank's systems)
	RecordedBy     string
	RecordedAt     time.Time
}

// ClientCard returns the card of the client a conversation is with.
func (s *Service) ClientCard(ctx context.Context, convID int64) (ClientCard, error) {
	k := ClientCard{ConversationID: convID}
	err := s.pool.QueryRow(ctx, `
		SELECT c.client_id, coalesce(cl.company_name, ''), coalesce(cl.legal_form, ''), coalesce(cl.inn, ''),
		       coalesce(cl.okved, ''), coalesce(cl.okved_extra, '{}'), coalesce(cl.region, ''),
		       coalesce(cl.timezone, ''), coalesce(cl.contact_name, ''), coalesce(cl.segment, ''),
		       c.lead_id, coalesce(l.kind, ''), coalesce(l.status, ''),
		       ct.channel, ct.bot_id, ct.chat_id, ct.first_name, ct.username, ct.status, ct.linked_via,
		       ct.status = 'opted_out' OR EXISTS (SELECT FROM opt_outs o WHERE o.lifted_at IS NULL
		           AND ((o.bot_id = ct.bot_id AND o.chat_id = ct.chat_id) OR o.phone = ct.phone OR o.phone = cl.phone
		                OR o.client_id = c.client_id))
		FROM conversations c
		JOIN contacts ct ON ct.id = c.contact_id
		LEFT JOIN clients cl ON cl.id = c.client_id
		LEFT JOIN leads l ON l.id = c.lead_id
		WHERE c.id = $1`, convID).Scan(&k.ClientID, &k.Company, &k.LegalForm, &k.INN, &k.OKVED, &k.OKVEDExtra,
		&k.Region, &k.TimeZone, &k.ContactName, &k.Segment, &k.LeadID, &k.LeadKind, &k.LeadStatus,
		&k.Channel, &k.BotID, &k.ChatID, &k.FirstName, &k.Username, &k.ContactStatus, &k.LinkedVia, &k.OptedOut)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, ErrNotFound
	}
	if err != nil {
		return k, fmt.Errorf("dialog: client card of conversation %d: %w", convID, err)
	}
	k.Name = CompanyName(k.LegalForm, k.Company)
	if loc, err := time.LoadLocation(k.TimeZone); err == nil && k.TimeZone != "" {
		k.LocalTime = s.Now().In(loc)
	}
	if err := s.cardLists(ctx, &k); err != nil {
		return k, fmt.Errorf("dialog: client card of conversation %d: %w", convID, err)
	}
	for i := range k.Outcomes {
		if k.Outcomes[i].Kind == OutcomeConsent {
			k.Consent = &k.Outcomes[i]
			break
		}
	}
	return k, nil
}

// cardLists fills the card's histories. A client without a bank record still has their chat's history.
func (s *Service) cardLists(ctx context.Context, k *ClientCard) error {
	args := pgx.NamedArgs{"client": k.ClientID, "bot": k.BotID, "chat": k.ChatID, "conv": k.ConversationID}
	var err error
	if k.Applications, err = collect(ctx, s, `
		SELECT id, product, status, channel, field_manager, submitted_at
		FROM applications WHERE client_id = @client ORDER BY submitted_at DESC, id DESC`,
		args, pgx.RowToStructByPos[Application]); err != nil {
		return err
	}
	if k.Timeline, err = collect(ctx, s, `
		SELECT e.application_id, a.product, e.kind, e.result, e.occurred_at
		FROM application_events e JOIN applications a ON a.id = e.application_id
		WHERE a.client_id = @client ORDER BY e.occurred_at DESC, e.id DESC LIMIT 200`,
		args, pgx.RowToStructByPos[ApplicationEvent]); err != nil {
		return err
	}
	if k.Campaigns, err = collect(ctx, s, `
		SELECT o.campaign_id, cp.name, o.state, o.created_at, o.sent_at
		FROM outbox o JOIN campaigns cp ON cp.id = o.campaign_id
		WHERE (o.bot_id = @bot AND o.chat_id = @chat) OR o.lead_id IN (SELECT id FROM leads WHERE client_id = @client)
		ORDER BY o.created_at DESC, o.id DESC LIMIT 50`,
		args, pgx.RowToStructByPos[CampaignTouch]); err != nil {
		return err
	}
	if k.Conversations, err = collect(ctx, s, `
		SELECT c.id, c.status, c.opened_at, c.closed_at, coalesce(nullif(u.display_name, ''), u.login, ''), c.csat,
		       coalesce(array(SELECT o.kind FROM outcomes o WHERE o.conversation_id = c.id ORDER BY o.id), '{}')
		FROM conversations c LEFT JOIN users u ON u.id = c.operator_id
		WHERE c.id = @conv OR c.client_id = @client
		   OR c.contact_id = (SELECT contact_id FROM conversations WHERE id = @conv)
		ORDER BY c.opened_at DESC, c.id DESC LIMIT 50`,
		args, pgx.RowToStructByPos[PastConversation]); err != nil {
		return err
	}
	// A chat is the client's when one of the client's leads or conversations went through it.
	if k.Chats, err = collect(ctx, s, `
		SELECT ct.channel, ct.bot_id, b.name, ct.chat_id, ct.first_name, ct.username,
		       CASE WHEN ct.status = 'active' AND EXISTS (SELECT FROM opt_outs o WHERE o.lifted_at IS NULL
		                AND o.bot_id = ct.bot_id AND o.chat_id = ct.chat_id) THEN 'opted_out' ELSE ct.status END,
		       ct.linked_via, ct.linked_at, ct.bot_id = @bot AND ct.chat_id = @chat
		FROM contacts ct JOIN bots b ON b.id = ct.bot_id
		WHERE (ct.bot_id = @bot AND ct.chat_id = @chat)
		   OR ct.id IN (SELECT cl.contact_id FROM contact_leads cl JOIN leads l ON l.id = cl.lead_id WHERE l.client_id = @client)
		   OR ct.id IN (SELECT c.contact_id FROM conversations c WHERE c.client_id = @client)
		ORDER BY ct.bot_id = @bot AND ct.chat_id = @chat DESC, ct.linked_at, ct.id`,
		args, pgx.RowToStructByPos[LinkedChat]); err != nil {
		return err
	}
	k.Outcomes, err = collect(ctx, s, `
		SELECT o.id, o.conversation_id, o.kind, o.product, o.reason_id, coalesce(r.label_ru, ''),
		       coalesce(r.label_en, ''), o.reason, o.due_at, o.source,
		       coalesce(nullif(u.display_name, ''), u.login, ''), o.recorded_at
		FROM outcomes o LEFT JOIN users u ON u.id = o.recorded_by
		LEFT JOIN refusal_reasons r ON r.id = o.reason_id
		WHERE o.client_id = @client OR o.conversation_id = @conv
		ORDER BY o.recorded_at DESC, o.id DESC LIMIT 100`,
		args, pgx.RowToStructByPos[OutcomeRecord])
	return err
}

func collect[T any](ctx context.Context, s *Service, sql string, args pgx.NamedArgs, fn pgx.RowToFunc[T]) ([]T, error) {
	rows, err := s.pool.Query(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, fn)
}

// CompanyName is a client's company as people write it. The bank's files carry the legal form both in its own
// column and, mostly, already in the name ("ООО «Спектр»", "ИП Соколова О. И."; imports derive the column from
// the name): the form is put in front only when the name does not already start with it.
func CompanyName(legalForm, company string) string {
	form, name := strings.TrimSpace(legalForm), strings.TrimSpace(company)
	if form == "" || name == "" {
		return name
	}
	if rest, ok := cutPrefixFold(name, form); ok && (rest == "" || !unicode.IsLetter([]rune(rest)[0])) {
		return name
	}
	return form + " " + name
}

// cutPrefixFold is strings.CutPrefix ignoring case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
