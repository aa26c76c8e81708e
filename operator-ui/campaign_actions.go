package operatorui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"dozvon/campaigns"
	"dozvon/internal/auth"
	"dozvon/messenger"
)

// What a manager does with a campaign: run it now, move it between statuses, send a test, export invitations.
// Each is a POST from the campaign page (the export a GET), written to the audit log.

// campaignCommand is a status change offered on the campaign page.
type campaignCommand struct {
	Path    string // POST /campaigns/{id}/Path
	Label   string
	Confirm string // a question to confirm first, for what cannot be undone
}

var statusCommands = []struct {
	campaignCommand
	from []string // the statuses it applies to
}{
	{campaignCommand{"activate", "campaign.activate", ""}, []string{campaigns.StatusDraft}},
	{campaignCommand{"pause", "campaign.pause", ""}, []string{campaigns.StatusActive}},
	{campaignCommand{"resume", "campaign.resume", ""}, []string{campaigns.StatusPaused}},
	{campaignCommand{"cancel", "campaign.cancel", "campaign.cancel_confirm"},
		[]string{campaigns.StatusDraft, campaigns.StatusActive, campaigns.StatusPaused}},
}

func commandsFor(status string) []campaignCommand {
	var out []campaignCommand
	for _, c := range statusCommands {
		if slices.Contains(c.from, status) {
			out = append(out, c.campaignCommand)
		}
	}
	return out
}

// canRun tells whether "Run now" applies: paused and cancelled campaigns do not run.
func canRun(status string) bool {
	return status != campaigns.StatusPaused && status != campaigns.StatusCancelled
}

// setCampaignStatus is the handler of one status command. Resume and activate both make a campaign active, so
// each checks it applies, or the audit log would say "resumed" of a draft.
func (ui *UI) setCampaignStatus(to, action string) http.HandlerFunc {
	path := strings.TrimPrefix(action, "campaign.")
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := ui.campaignOf(w, r)
		if !ok {
			return
		}
		if !slices.ContainsFunc(commandsFor(c.Status), func(cmd campaignCommand) bool { return cmd.Path == path }) {
			ui.refuseCampaignAction(w, r, c)
			return
		}
		err := ui.Campaigns.SetStatus(r.Context(), c.ID, to)
		if _, ok := asInputError(err); ok { // another manager changed it first
			ui.refuseCampaignAction(w, r, c)
			return
		}
		if err != nil {
			ui.serverError(w, r, err)
			return
		}
		ui.auditCampaign(r, action, c, map[string]any{"from": c.Status, "to": to})
		ui.flash(r, T(ui.requestLocale(r), "campaign.status_changed", T(ui.requestLocale(r), "campaign.status_"+to)))
		http.Redirect(w, r, campaignPath(c.ID), http.StatusSeeOther)
	}
}

// refuseCampaignAction shows the campaign as it is now, saying the action does not apply to it.
func (ui *UI) refuseCampaignAction(w http.ResponseWriter, r *http.Request, c campaigns.Campaign) {
	if fresh, err := ui.Campaigns.Get(r.Context(), c.ID); err == nil {
		c = fresh
	}
	locale := ui.requestLocale(r)
	ui.renderCampaign(w, r, http.StatusConflict, c, formOf(c), nil,
		T(locale, "campaign.not_now", T(locale, "campaign.status_"+c.Status)))
}

// runCampaign runs a campaign by hand, now: fresh leads are derived and the audience is queued.
func (ui *UI) runCampaign(w http.ResponseWriter, r *http.Request) {
	c, ok := ui.campaignOf(w, r)
	if !ok {
		return
	}
	locale := ui.requestLocale(r)
	if !canRun(c.Status) {
		ui.refuseCampaignAction(w, r, c)
		return
	}
	// The sender starts on the run's first chunk while the rest is written; a manager who leaves the page does not
	// stop the run halfway (a run that stops anyway is finished by the scheduler).
	run, err := ui.Campaigns.RunNow(context.WithoutCancel(r.Context()), c.ID)
	switch _, refused := asInputError(err); {
	case errors.Is(err, campaigns.ErrSlotTaken): // a double click: the first run is the one
		ui.renderCampaign(w, r, http.StatusConflict, c, formOf(c), nil, T(locale, "campaign.slot_taken"))
		return
	case refused:
		ui.refuseCampaignAction(w, r, c)
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	}
	ui.auditCampaign(r, "campaign.run", c, map[string]any{"run_id": run.ID, "audience": run.Audience,
		"enqueued": run.Enqueued, "invited": run.Invited, "excluded": run.Excluded})
	if run.Invited > 0 && c.InviteWebhook != "" {
		ui.postInvitations(r, c)
	}
	ui.flash(r, T(locale, "campaign.ran", run.Enqueued, run.Invited, run.Excluded))
	http.Redirect(w, r, campaignPath(c.ID), http.StatusSeeOther)
}

// postInvitations hands a manual run's invitations to the campaign's SMS gateway in the background: the gateway
// may be slow and PostInvitations retries, and the manager should not wait for it. What is not posted stays
// pending, and a later run posts it.
func (ui *UI) postInvitations(r *http.Request, c campaigns.Campaign) {
	log := zerolog.Ctx(r.Context()).With().Int64("campaign_id", c.ID).Logger()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 2*time.Minute)
	go func() {
		defer cancel()
		n, err := ui.Campaigns.PostInvitations(ctx, c)
		if err != nil {
			log.Warn().Err(err).Msg("invitations not posted to the SMS gateway; a later run posts them")
			return
		}
		log.Info().Int("invitations", n).Msg("invitations posted to the SMS gateway")
	}()
}

// sendTestMessage queues the campaign's message, rendered on the lead the manager chose (the first of the
// audience when none), to one chat — a simulated client, or a colleague's chat with the real bot — ahead of
// broadcasts, so it arrives while the manager looks. The confirmation names both: whose text went to whom.
func (ui *UI) sendTestMessage(w http.ResponseWriter, r *http.Request) {
	c, ok := ui.campaignOf(w, r)
	if !ok {
		return
	}
	locale := ui.requestLocale(r)
	chatID, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("chat_id")), 10, 64)
	if err != nil || chatID == 0 {
		ui.renderCampaign(w, r, http.StatusUnprocessableEntity, c, formOf(c), nil, T(locale, "campaign.test_no_chat"))
		return
	}
	to := T(locale, "campaign.test_to_chat", chatID)
	if ui.Sim != nil {
		u, known := ui.Sim.User(chatID)
		if !known {
			ui.renderCampaign(w, r, http.StatusUnprocessableEntity, c, formOf(c), nil, T(locale, "sim.err_no_client"))
			return
		}
		to = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	var p campaigns.Preview
	leadID, _ := strconv.ParseInt(r.PostFormValue("lead_id"), 10, 64)
	if leadID != 0 {
		p, err = ui.Campaigns.PreviewLead(r.Context(), c, leadID)
	} else {
		p, err = ui.Campaigns.Preview(r.Context(), c)
	}
	if errors.Is(err, campaigns.ErrNotFound) {
		ui.renderCampaign(w, r, http.StatusUnprocessableEntity, c, formOf(c), nil, T(locale, "campaign.test_no_lead"))
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	id, err := ui.Outbox.Enqueue(r.Context(), messenger.Outgoing{
		Message: messenger.Message{Address: messenger.Address{Channel: ui.Bot.Channel, BotID: ui.Bot.ID, ChatID: chatID},
			Text: p.Text, Buttons: p.Buttons},
		Priority: messenger.PriorityReply,
	})
	var refused *messenger.PermanentError
	if errors.As(err, &refused) { // too long for Telegram, say
		ui.renderCampaign(w, r, http.StatusUnprocessableEntity, c, formOf(c), nil, T(locale, "campaign.test_refused", messageOr(locale, refused.Msg, refused.Reason)))
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	detail := map[string]any{"chat_id": chatID, "outbox_id": id}
	if leadID != 0 {
		detail["lead_id"] = leadID
	}
	ui.auditCampaign(r, "campaign.test", c, detail)
	ui.flash(r, T(locale, "campaign.test_queued_for", leadName(locale, p), to))
	http.Redirect(w, r, campaignPath(c.ID), http.StatusSeeOther)
}

// leadName is whose text a preview is: "ООО «Ромашка» (Ирина Петровна)", or the built-in sample's.
func leadName(locale string, p campaigns.Preview) string {
	if !p.Real {
		return T(locale, "campaign.test_sample")
	}
	name := p.Values["Company"]
	if who := p.Values["ClientName"]; who != "" {
		name += " (" + who + ")"
	}
	return name
}

// invitationsCSV is the file for the bank's SMS system: the leads without a chat and their personal links. It
// carries phone numbers, so who took it is in the audit log.
func (ui *UI) invitationsCSV(w http.ResponseWriter, r *http.Request) {
	c, ok := ui.campaignOf(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer // whole before sending, so a failure is a 500 and not a cut-off file
	if err := ui.Campaigns.WriteInvitationsCSV(r.Context(), c.ID, &buf); err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.auditCampaign(r, "campaign.invitations_export", c, nil)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="campaign-%d-invitations.csv"`, c.ID))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

func (ui *UI) auditCampaign(r *http.Request, action string, c campaigns.Campaign, detail map[string]any) {
	u := currentUser(r)
	if detail == nil {
		detail = map[string]any{}
	}
	detail["campaign_id"] = c.ID
	ui.audit(r, auth.Entry{UserID: &u.ID, Actor: u.Login, Action: action, Object: c.Name, Detail: detail})
}
