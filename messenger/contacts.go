package messenger

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Contacts is the registry of chats Dozvon may write to: which phone and leads each chat speaks for, how it was
// linked, and whether it is active, blocked or opted out. It also keeps invitations and the do-not-contact list.
type Contacts struct {
	pool *pgxpool.Pool
}

// NewContacts returns the registry on pool.
func NewContacts(pool *pgxpool.Pool) *Contacts { return &Contacts{pool: pool} }

// Contact statuses.
const (
	StatusActive   = "active"
	StatusBlocked  = "blocked"
	StatusOptedOut = "opted_out"
)

// Chat is who wrote to a bot, as the messenger describes them, and where: the bot's channel and the chat.
type Chat struct {
	Address
	UserID    int64 // the messenger's user id
	Username  string
	FirstName string
}

// Contact is a row of the registry: one chat of one bot.
type Contact struct {
	ID int64
	Address
	UserID    *int64
	Username  string
	FirstName string
	Phone     *string
	Status    string
	LinkedVia string
	LinkedAt  time.Time
	UpdatedAt time.Time
	Leads     []int64
}

// ErrUnknownInvitation is returned for a /start token that no invitation has.
var ErrUnknownInvitation = errors.New("messenger: unknown invitation token")

// InviteLink is the personal deep link that opens the bot of channel with the token: https://t.me/<bot>?start=<token>
// on Telegram, https://max.ru/<bot>?start=<token> on MAX (which hands the token over in bot_started).
func InviteLink(channel, botUsername, token string) string {
	if channel == MAX {
		return "https://max.ru/" + botUsername + "?start=" + token
	}
	return "https://t.me/" + botUsername + "?start=" + token
}

// ErrBadInviteLink is returned for text that is neither an invitation link nor a deep-link token.
var ErrBadInviteLink = errors.New("messenger: not an invitation link or token")

// startPayload is what both messengers accept as a deep-link payload and what invitations' tokens are.
var startPayload = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ParseInviteLink reads what a person pastes as an invitation: the link InviteLink made for either messenger
// (https://t.me/<bot>?start=<token>, telegram.me, https://max.ru/<bot>?start=<token>, with or without the scheme),
// the tg://resolve form Telegram's apps use, or the bare token. channel is the link's messenger; channel and bot
// are empty for a bare token.
func ParseInviteLink(s string) (channel, bot, token string, err error) {
	s = strings.TrimSpace(s)
	if startPayload.MatchString(s) {
		return "", "", s, nil
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", "", "", ErrBadInviteLink
	}
	web := u.Scheme == "https" || u.Scheme == "http"
	host := strings.ToLower(u.Host)
	switch {
	case u.Scheme == "tg" && u.Host == "resolve":
		channel, bot = Telegram, u.Query().Get("domain")
	case web && (host == "t.me" || host == "telegram.me"):
		channel, bot = Telegram, strings.Trim(u.Path, "/")
	case web && host == "max.ru":
		channel, bot = MAX, strings.Trim(u.Path, "/")
	default:
		return "", "", "", ErrBadInviteLink
	}
	token = u.Query().Get("start")
	if bot == "" || strings.Contains(bot, "/") || !startPayload.MatchString(token) {
		return "", "", "", ErrBadInviteLink
	}
	return channel, bot, token, nil
}

// upsert records the chat and returns its contact id, keeping an earlier link's method and time.
func upsert(ctx context.Context, tx pgx.Tx, chat Chat, via string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO contacts (channel, bot_id, chat_id, user_id, username, first_name, linked_via)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (bot_id, chat_id) DO UPDATE
		   SET user_id = EXCLUDED.user_id, username = EXCLUDED.username, first_name = EXCLUDED.first_name,
		       linked_via = CASE WHEN contacts.linked_via = '' THEN EXCLUDED.linked_via ELSE contacts.linked_via END,
		       updated_at = now()
		RETURNING id`, chat.Channel, chat.BotID, chat.ChatID, chat.UserID, CleanText(chat.Username),
		CleanText(chat.FirstName), via).Scan(&id)
	return id, err
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ContactAddress returns where a contact's messages go: an answer goes to the chat the client wrote from, on its
// bot and channel.
func ContactAddress(ctx context.Context, db querier, contactID int64) (Address, error) {
	var a Address
	err := db.QueryRow(ctx, `SELECT channel, bot_id, chat_id FROM contacts WHERE id = $1`, contactID).
		Scan(&a.Channel, &a.BotID, &a.ChatID)
	if err != nil {
		return a, fmt.Errorf("messenger: address of contact %d: %w", contactID, err)
	}
	return a, nil
}

// Seen records a chat that wrote to the bot without linking anything (a plain /start, a message).
func (c *Contacts) Seen(ctx context.Context, chat Chat) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		var err error
		id, err = upsert(ctx, tx, chat, "")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("messenger: record chat %d: %w", chat.ChatID, err)
	}
	return id, nil
}

// LinkInvitation links the chat to the invitation's lead and records what brought it. Using a token again
// (the client pressed the link twice) links nothing new and is not an error.
func (c *Contacts) LinkInvitation(ctx context.Context, chat Chat, token string) (leadID int64, err error) {
	if !startPayload.MatchString(token) { // no invitation has it, and PostgreSQL may not even take it (a NUL)
		return 0, ErrUnknownInvitation
	}
	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		var campaignID *int64
		err := tx.QueryRow(ctx, `SELECT lead_id, campaign_id FROM invitations WHERE token = $1 FOR UPDATE`, token).
			Scan(&leadID, &campaignID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrUnknownInvitation
		}
		if err != nil {
			return err
		}
		contactID, err := upsert(ctx, tx, chat, "deep_link")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE invitations SET used_at = coalesce(used_at, now()), contact_id = coalesce(contact_id, $2)
			WHERE token = $1`, token, contactID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO contact_leads (contact_id, lead_id, campaign_id, via) VALUES ($1, $2, $3, 'deep_link')
			ON CONFLICT DO NOTHING`, contactID, leadID, campaignID)
		return err
	})
	if err != nil && !errors.Is(err, ErrUnknownInvitation) {
		err = fmt.Errorf("messenger: link chat %d by invitation: %w", chat.ChatID, err)
	}
	return leadID, err
}

// LinkPhone records the phone a client shared from their own account and links the chat to every lead of a client
// with that phone. It returns how many leads it linked.
func (c *Contacts) LinkPhone(ctx context.Context, chat Chat, phone string) (int, error) {
	phone, err := NormalizePhone(phone)
	if err != nil {
		return 0, err
	}
	var linked int
	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		contactID, err := upsert(ctx, tx, chat, "contact")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE contacts SET phone = $2, updated_at = now() WHERE id = $1`, contactID, phone); err != nil {
			return err
		}
		// Leads belong to campaigns; reading them here follows the data's direction (sources → messenger).
		tag, err := tx.Exec(ctx, `
			INSERT INTO contact_leads (contact_id, lead_id, via)
			SELECT $1, l.id, 'contact' FROM leads l JOIN clients cl ON cl.id = l.client_id WHERE cl.phone = $2
			ON CONFLICT DO NOTHING`, contactID, phone)
		linked = int(tag.RowsAffected())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("messenger: link chat %d by phone: %w", chat.ChatID, err)
	}
	return linked, nil
}

// OptOut puts the chat on the do-not-contact list, and with it its phone (when known) and the bank's clients its
// leads belong to: a client who opted out on one messenger is not written to on another either. The rows say on
// which channel and bot the client said it.
func (c *Contacts) OptOut(ctx context.Context, chat Chat, source string) error {
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		contactID, err := upsert(ctx, tx, chat, "")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE contacts SET status = 'opted_out', updated_at = now() WHERE id = $1`, contactID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO opt_outs (phone, channel, bot_id, chat_id, client_id, source)
			SELECT c.phone, c.channel, c.bot_id, c.chat_id, cl.client_id, $2
			FROM contacts c
			LEFT JOIN LATERAL (SELECT DISTINCT l.client_id FROM contact_leads x JOIN leads l ON l.id = x.lead_id
			                   WHERE x.contact_id = c.id) cl ON true
			WHERE c.id = $1
			  AND NOT EXISTS (SELECT FROM opt_outs o WHERE o.bot_id = c.bot_id AND o.chat_id = c.chat_id AND o.lifted_at IS NULL)`,
			contactID, source)
		return err
	})
	if err != nil {
		return fmt.Errorf("messenger: opt out chat %d: %w", chat.ChatID, err)
	}
	return nil
}

// Resubscribe lifts the chat's opt-out and block: the client started the bot again. The opt-outs lifted are every
// one that kept the client out: by this chat, by its phone and by the clients its leads belong to, whichever
// channel they were said on, since the client came back of their own accord. Each records the chat that lifted it
// (its channel, bot and chat): the consent trail says where the client came back.
func (c *Contacts) Resubscribe(ctx context.Context, chat Chat) (wasOptedOut bool, err error) {
	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		var id int64
		var prev string
		err := tx.QueryRow(ctx, `SELECT id, status FROM contacts WHERE bot_id = $1 AND chat_id = $2`, chat.BotID, chat.ChatID).
			Scan(&id, &prev)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		wasOptedOut = prev == StatusOptedOut
		if _, err := tx.Exec(ctx, `UPDATE contacts SET status = 'active', updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE opt_outs o SET lifted_at = now(), lifted_channel = c.channel, lifted_bot_id = c.bot_id, lifted_chat_id = c.chat_id
			FROM contacts c
			WHERE c.id = $1 AND o.lifted_at IS NULL
			  AND ((o.bot_id = c.bot_id AND o.chat_id = c.chat_id) OR o.phone = c.phone
			       OR o.client_id IN (SELECT l.client_id FROM contact_leads x JOIN leads l ON l.id = x.lead_id
			                          WHERE x.contact_id = c.id))`, id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("messenger: resubscribe chat %d: %w", chat.ChatID, err)
	}
	return wasOptedOut, nil
}

// MarkBlocked records that the chat cannot be written to (the user blocked the bot, or the chat is gone).
func (c *Contacts) MarkBlocked(ctx context.Context, chat Address, reason string) error {
	_, err := c.pool.Exec(ctx, `
		UPDATE contacts SET status = 'blocked', updated_at = now() WHERE bot_id = $1 AND chat_id = $2 AND status = 'active'`,
		chat.BotID, chat.ChatID)
	if err != nil {
		return fmt.Errorf("messenger: mark chat %d of bot %d blocked (%s): %w", chat.ChatID, chat.BotID, reason, err)
	}
	return nil
}

// MarkUnblocked records that the user unblocked the bot; an opt-out stays in force.
func (c *Contacts) MarkUnblocked(ctx context.Context, chat Address) error {
	_, err := c.pool.Exec(ctx, `
		UPDATE contacts SET status = 'active', updated_at = now() WHERE bot_id = $1 AND chat_id = $2 AND status = 'blocked'`,
		chat.BotID, chat.ChatID)
	if err != nil {
		return fmt.Errorf("messenger: mark chat %d of bot %d unblocked: %w", chat.ChatID, chat.BotID, err)
	}
	return nil
}

// Each calls fn with every contact, oldest first, one row at a time rather than all of them in memory. The
// simulator uses it at start to bring back the chats it had. An error from fn stops the walk and is returned.
func (c *Contacts) Each(ctx context.Context, fn func(Contact) error) error {
	rows, err := c.pool.Query(ctx, contactQuery+` GROUP BY c.id ORDER BY c.id`)
	if err != nil {
		return fmt.Errorf("messenger: walk contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		ct, err := scanContact(rows)
		if err != nil {
			return fmt.Errorf("messenger: walk contacts: %w", err)
		}
		if err := fn(ct); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("messenger: walk contacts: %w", err)
	}
	return nil
}

// StatusCounts is how many contacts have each status.
type StatusCounts struct {
	Active, Blocked, OptedOut int
}

// Total is the number of contacts.
func (s StatusCounts) Total() int { return s.Active + s.Blocked + s.OptedOut }

// Counts returns how many contacts have each status, for the registry's summary.
func (c *Contacts) Counts(ctx context.Context) (StatusCounts, error) {
	var s StatusCounts
	err := c.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'blocked'),
		       count(*) FILTER (WHERE status = 'opted_out')
		FROM contacts`).Scan(&s.Active, &s.Blocked, &s.OptedOut)
	if err != nil {
		return StatusCounts{}, fmt.Errorf("messenger: count contacts: %w", err)
	}
	return s, nil
}

const contactQuery = `
	SELECT c.id, c.channel, c.bot_id, c.chat_id, c.user_id, c.username, c.first_name, c.phone, c.status, c.linked_via, c.linked_at,
	       c.updated_at, coalesce(array_agg(cl.lead_id ORDER BY cl.lead_id) FILTER (WHERE cl.lead_id IS NOT NULL), '{}')
	FROM contacts c LEFT JOIN contact_leads cl ON cl.contact_id = c.id`

func scanContact(r pgx.CollectableRow) (Contact, error) {
	var ct Contact
	err := r.Scan(&ct.ID, &ct.Channel, &ct.BotID, &ct.ChatID, &ct.UserID, &ct.Username, &ct.FirstName, &ct.Phone, &ct.Status, &ct.LinkedVia,
		&ct.LinkedAt, &ct.UpdatedAt, &ct.Leads)
	return ct, err
}
