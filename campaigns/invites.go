package campaigns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/csvx"
	"dozvon/messenger"
)

// Invitation is a lead without a chat and the personal link that brings them to the bot, for the bank's SMS
// system to send.
type Invitation struct {
	Phone       string     `json:"phone"`
	Company     string     `json:"company"`
	ContactName string     `json:"contact_name"`
	Link        string     `json:"link"`
	Channel     string     `json:"channel"` // the messenger the link opens
	InvitedAt   time.Time  `json:"invited_at"`
	FollowedAt  *time.Time `json:"followed_at,omitempty"`
	token       string
}

// Invitations returns a campaign's invitations, newest first; pending limits them to those not yet posted to
// the SMS gateway.
func (s *Store) Invitations(ctx context.Context, campaignID int64, pending bool) ([]Invitation, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT coalesce(c.phone, ''), c.company_name, c.contact_name, i.token, i.created_at, i.used_at, i.channel,
		       coalesce(b.username, '')
		FROM invitations i JOIN leads l ON l.id = i.lead_id JOIN clients c ON c.id = l.client_id
		LEFT JOIN bots b ON b.id = i.bot_id AND b.remote_id IS NOT NULL
		WHERE i.campaign_id = $1 AND (NOT $2 OR i.posted_at IS NULL)
		ORDER BY i.created_at DESC, i.token`, campaignID, pending)
	if err != nil {
		return nil, fmt.Errorf("campaigns: invitations of %d: %w", campaignID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invitation, error) {
		var in Invitation
		var bot string
		err := r.Scan(&in.Phone, &in.Company, &in.ContactName, &in.token, &in.InvitedAt, &in.FollowedAt, &in.Channel, &bot)
		if bot == "" { // made before invitations named their bot: the environment's Telegram bot
			bot = s.BotUsername
		}
		in.Link = messenger.InviteLink(in.Channel, bot, in.token)
		return in, err
	})
}

// WriteInvitationsCSV writes a campaign's invitations for the bank's SMS system (csvx: Russian Excel's format,
// and company and contact names from the bank's files never evaluated as formulas).
func (s *Store) WriteInvitationsCSV(ctx context.Context, campaignID int64, w io.Writer) error {
	list, err := s.Invitations(ctx, campaignID, false)
	if err != nil {
		return err
	}
	cw := csvx.NewWriter(w)
	_ = cw.Write("phone", "company", "contact_name", "link", "invited_at", "followed_at")
	for _, in := range list {
		followed := ""
		if in.FollowedAt != nil {
			followed = in.FollowedAt.Format(time.RFC3339)
		}
		_ = cw.Write(in.Phone, in.Company, in.ContactName, in.Link, in.InvitedAt.Format(time.RFC3339), followed)
	}
	return cw.Flush()
}

// PostInvitations hands the invitations not yet posted to the campaign's SMS-gateway webhook as one JSON batch,
// retrying a failed post with a growing pause; what the gateway took is marked so a later call sends only the
// rest. It returns how many were posted.
func (s *Store) PostInvitations(ctx context.Context, camp Campaign) (int, error) {
	if camp.InviteWebhook == "" {
		return 0, nil
	}
	list, err := s.Invitations(ctx, camp.ID, true)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	body, _ := json.Marshal(map[string]any{"campaign_id": camp.ID, "campaign": camp.Name, "invitations": list})
	var lastErr error
	for attempt, pause := 1, time.Second; attempt <= 3; attempt, pause = attempt+1, pause*4 {
		lastErr = post(ctx, s.Gateway, camp.InviteWebhook, body)
		if lastErr == nil || errors.Is(lastErr, ErrPrivateGateway) || errors.Is(lastErr, errRedirected) {
			break // done, or a setting to fix: asking again gives the same answer
		}
		if attempt < 3 {
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(pause):
			}
		}
	}
	if lastErr != nil {
		return 0, fmt.Errorf("campaigns: post %d invitations of %d to the SMS gateway: %w", len(list), camp.ID, lastErr)
	}
	tokens := make([]string, len(list))
	for i, in := range list {
		tokens[i] = in.token
	}
	if _, err := s.pool.Exec(ctx, `UPDATE invitations SET posted_at = now() WHERE token = ANY($1)`, tokens); err != nil {
		return 0, fmt.Errorf("campaigns: mark invitations posted: %w", err)
	}
	return len(list), nil
}

// errRedirected is a gateway answering with a redirect, which GatewayClient does not follow: the webhook's URL
// is out of date.
var errRedirected = errors.New("the gateway redirects (not followed; set the address it redirects to)")

func post(ctx context.Context, client *http.Client, url string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		return fmt.Errorf("%w: %s to %q", errRedirected, res.Status, res.Header.Get("Location"))
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("the gateway answered %s", res.Status)
	}
	return nil
}

// InvitationCounts is how a campaign's invitations did.
type InvitationCounts struct {
	Total    int // leads without a chat that got a personal link
	Followed int // of those, opened it and started the bot
	Posted   int // handed to the SMS gateway
}

// CountInvitations counts a campaign's invitations without loading them: a big campaign has tens of thousands.
func (s *Store) CountInvitations(ctx context.Context, campaignID int64) (InvitationCounts, error) {
	var n InvitationCounts
	err := s.pool.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE used_at IS NOT NULL), count(*) FILTER (WHERE posted_at IS NOT NULL)
		FROM invitations WHERE campaign_id = $1`, campaignID).Scan(&n.Total, &n.Followed, &n.Posted)
	if err != nil {
		return n, fmt.Errorf("campaigns: count invitations of %d: %w", campaignID, err)
	}
	return n, nil
}
