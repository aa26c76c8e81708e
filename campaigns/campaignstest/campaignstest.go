// Package campaignstest gives other packages' tests a lead's invitation the way production makes one: a campaign
// run invites the leads of its audience that have no chat yet, and the client opens the personal link in Telegram
// (/start <token>). Only tests import it.
package campaignstest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/campaigns"
)

// Invitation runs the campaign now, as a manager's "Run now" does, and returns the token of the link the run made
// for the lead. The lead must be in the campaign's audience and have no chat; the run also writes to the leads of
// the audience that have one, as any run does.
func Invitation(t testing.TB, pool *pgxpool.Pool, campaignID, leadID int64) string {
	t.Helper()
	ctx := context.Background()
	if _, err := campaigns.NewStore(pool).RunNow(ctx, campaignID); err != nil {
		t.Fatalf("campaignstest: run campaign %d: %v", campaignID, err)
	}
	var token string
	if err := pool.QueryRow(ctx, `SELECT token FROM invitations WHERE campaign_id = $1 AND lead_id = $2`,
		campaignID, leadID).Scan(&token); err != nil {
		t.Fatalf("campaignstest: campaign %d did not invite lead %d: %v", campaignID, leadID, err)
	}
	return token
}

// Invite creates a campaign for the lead's kind (quiet hours off) and returns the token of the invitation its
// first run made for the lead, with the campaign.
func Invite(t testing.TB, pool *pgxpool.Pool, leadID int64) (token string, campaignID int64) {
	t.Helper()
	ctx := context.Background()
	var kind string
	if err := pool.QueryRow(ctx, `SELECT kind FROM leads WHERE id = $1`, leadID).Scan(&kind); err != nil {
		t.Fatalf("campaignstest: lead %d: %v", leadID, err)
	}
	c, err := campaigns.NewStore(pool).Create(ctx, campaigns.Campaign{Name: "Приглашения", LeadKind: kind,
		QuietFrom: "00:00", QuietTo: "00:00", Template: campaigns.Template{Body: "Здравствуйте, {{.Company}}!"}})
	if err != nil {
		t.Fatalf("campaignstest: create a campaign for lead %d: %v", leadID, err)
	}
	return Invitation(t, pool, c.ID, leadID), c.ID
}
