package operatorui

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"dozvon/campaigns"
	"dozvon/messenger"
)

// A campaign's page: what it would send and to how many (preview, audience), what it did (progress, runs,
// invitations), what can be done with it (run, activate, pause, resume, cancel, send a test), and the form that
// edits it. /campaigns/new is the same form on its own.

type campaignPage struct {
	Campaign  campaigns.Campaign // ID 0: not created yet
	Form      campaignForm
	Err       *campaigns.InputError // the form's mistake, shown beside its field
	ErrText   string                // the mistake in the user's language
	Kinds     []string
	Actions   []string // what a button may do
	Variables []templateVariable
	NextRuns  []string // the schedule's next slots, as the schedule preview shows them

	// A saved campaign's state.
	StatusShown string // Campaign.Status as shownStatus shows it
	Progress    campaigns.Progress
	Preview     campaigns.Preview
	PreviewHTML template.HTML
	Size        campaigns.Size
	Runs        []campaigns.Run
	Invitations campaigns.InvitationCounts
	Commands    []campaignCommand
	CanRun      bool
	RunConfirm  string      // what "Run now" asks first: how many it writes to and invites
	Sim         bool        // the simulator runs: tests go to its clients
	SimClients  []simClient // the simulator's clients a test may go to
	TestLeads   []testLead  // the audience's first leads, whose own text a test may send

	Zones []zoneChoice // the schedule builder's time zones
	Days  []choice     // the schedule builder's weekdays, Monday first, valued as cron numbers them
	// ClientTimes is the time now across Russia's zones, west to east, beside the quiet hours: they are each
	// client's own.
	ClientTimes string
	// Channels are the channels a campaign may name; ClosedChannels say why the installation's policy keeps Dozvon
	// off some of them now (Telegram under deny), beside the form's channels.
	Channels       []string
	ClosedChannels []string
}

// testLead is a lead a test may send the text of, as the select names it.
type testLead struct {
	ID    int64
	Label string
}

// testLeadsShown bounds the test's lead select: enough to try a long company name or an empty contact.
const testLeadsShown = 20

// ErrorFor is the form's mistake when it is about field.
func (p campaignPage) ErrorFor(field string) string {
	if p.Err != nil && p.Err.Field == field {
		return p.ErrText
	}
	return ""
}

type templateVariable struct{ Name, Token string }

// runsShown bounds the run history on the page; a schedule twice a day fills it in ten days.
const runsShown = 20

func (ui *UI) showNewCampaign(w http.ResponseWriter, r *http.Request) {
	ui.renderCampaign(w, r, http.StatusOK, campaigns.Campaign{}, newCampaignForm(), nil, "")
}

func (ui *UI) createCampaign(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	form := readCampaignForm(r)
	c := campaigns.Campaign{CreatedBy: &u.ID}
	err := form.apply(ui.requestLocale(r), &c)
	if err == nil {
		c, err = ui.Campaigns.Create(r.Context(), c)
	}
	if in, ok := asInputError(err); ok {
		ui.renderCampaign(w, r, http.StatusUnprocessableEntity, campaigns.Campaign{}, form, in, "")
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.auditCampaign(r, "campaign.create", c, map[string]any{"lead_kind": c.LeadKind})
	ui.flash(r, T(ui.requestLocale(r), "campaign.created"))
	http.Redirect(w, r, campaignPath(c.ID), http.StatusSeeOther)
}

func (ui *UI) showCampaign(w http.ResponseWriter, r *http.Request) {
	if c, ok := ui.campaignOf(w, r); ok {
		ui.renderCampaign(w, r, http.StatusOK, c, formOf(c), nil, "")
	}
}

func (ui *UI) updateCampaign(w http.ResponseWriter, r *http.Request) {
	stored, ok := ui.campaignOf(w, r)
	if !ok {
		return
	}
	form := readCampaignForm(r)
	c := stored
	err := form.apply(ui.requestLocale(r), &c)
	if err == nil {
		c, err = ui.Campaigns.Update(r.Context(), c)
	}
	if in, ok := asInputError(err); ok {
		ui.renderCampaign(w, r, http.StatusUnprocessableEntity, stored, form, in, "")
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.auditCampaign(r, "campaign.update", c, nil)
	ui.flash(r, T(ui.requestLocale(r), "campaign.saved"))
	http.Redirect(w, r, campaignPath(c.ID), http.StatusSeeOther)
}

// renderCampaign shows the page of c (or the new-campaign form when c.ID is 0) with the form as given; fieldErr
// is the form's mistake, alert a refused action.
func (ui *UI) renderCampaign(w http.ResponseWriter, r *http.Request, status int, c campaigns.Campaign, form campaignForm,
	fieldErr *campaigns.InputError, alert string) {
	locale := ui.requestLocale(r)
	p := campaignPage{Campaign: c, Form: form, Err: fieldErr, Kinds: campaigns.Kinds,
		Actions: []string{campaigns.ActionRoute, campaigns.ActionCallback, campaigns.ActionOptOut, campaigns.ActionReply}}
	for _, v := range campaigns.VariableNames {
		p.Variables = append(p.Variables, templateVariable{Name: v, Token: "{{." + v + "}}"})
	}
	if fieldErr != nil {
		p.ErrText = msgText(locale, fieldErr)
		alert = T(locale, "form.invalid", T(locale, fieldLabel(fieldErr.Field)), p.ErrText)
	}
	p.NextRuns, _ = scheduleSlots(locale, ui.userZone(r), form.Schedule, time.Now())
	p.Zones = zoneChoices(locale, scheduleZoneName(form.Schedule, ui.userZone(r)))
	p.ClientTimes = clientTimes(locale, time.Now())
	p.Channels = messenger.Channels
	closed, err := ui.closedChannels(r, locale)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	p.ClosedChannels = closed
	names := strings.Fields(T(locale, "time.weekdays")) // Sunday first, as cron and time.Weekday count
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		p.Days = append(p.Days, choice{Value: strconv.Itoa(d), Label: names[d]})
	}
	if c.ID != 0 {
		if err := ui.loadCampaignState(r, &p); err != nil {
			ui.serverError(w, r, err)
			return
		}
	}
	ui.render(w, r, status, "campaign", view{Title: "nav.campaigns", Error: alert, Data: p})
}

func (ui *UI) loadCampaignState(r *http.Request, p *campaignPage) error {
	ctx, c := r.Context(), p.Campaign
	var err error
	if p.Progress, err = ui.Campaigns.ProgressOf(ctx, c.ID); err != nil {
		return err
	}
	p.StatusShown = shownStatus(c.Status, p.Progress)
	if p.Preview, err = ui.Campaigns.Preview(ctx, c); err != nil {
		return err
	}
	p.PreviewHTML = telegramHTML(p.Preview.Text)
	if p.Size, err = ui.Campaigns.AudienceSize(ctx, c); err != nil {
		return err
	}
	if p.Runs, err = ui.Campaigns.Runs(ctx, c.ID, runsShown); err != nil {
		return err
	}
	if p.Invitations, err = ui.Campaigns.CountInvitations(ctx, c.ID); err != nil {
		return err
	}
	p.Commands, p.CanRun = commandsFor(c.Status), canRun(c.Status)
	p.RunConfirm = T(ui.requestLocale(r), "campaign.run_confirm", p.Size.Reachable, p.Size.NeedsInvite)
	leads, err := ui.Campaigns.SampleLeads(ctx, c, testLeadsShown)
	if err != nil {
		return err
	}
	for _, l := range leads {
		label := l.Values["Company"]
		if who := l.Values["ClientName"]; who != "" {
			label += " · " + who
		}
		p.TestLeads = append(p.TestLeads, testLead{ID: l.LeadID, Label: label})
	}
	if ui.Sim != nil {
		p.Sim = true
		for _, u := range ui.Sim.Users() {
			if !ui.Sim.Blocked(u.ID) {
				p.SimClients = append(p.SimClients, ui.simClientOf(u))
			}
		}
	}
	return nil
}

// campaignOf is the campaign of the route's {id}; it answers 404 itself when there is none.
func (ui *UI) campaignOf(w http.ResponseWriter, r *http.Request) (campaigns.Campaign, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return campaigns.Campaign{}, false
	}
	c, err := ui.Campaigns.Get(r.Context(), id)
	if errors.Is(err, campaigns.ErrNotFound) {
		ui.notFound(w, r)
		return c, false
	}
	if err != nil {
		ui.serverError(w, r, err)
		return c, false
	}
	return c, true
}

func campaignPath(id int64) string { return "/campaigns/" + strconv.FormatInt(id, 10) }

func asInputError(err error) (*campaigns.InputError, bool) {
	var in *campaigns.InputError
	ok := errors.As(err, &in)
	return in, ok
}

// fieldLabel names a campaign field, as campaigns.InputError reports it, the way the form labels it.
func fieldLabel(field string) string {
	if key, ok := map[string]string{
		"name": "campaign.name", "lead_kind": "campaign.lead_kind", "body": "campaign.body", "buttons": "campaign.buttons",
		"schedule": "campaign.schedule", "quiet_from": "campaign.quiet_from", "quiet_to": "campaign.quiet_to",
		"frequency_cap": "campaign.cap_days", "invite_webhook": "campaign.webhook", "audience": "campaign.audience",
		"min_age_hours": "campaign.min_age_hours", "max_age_days": "campaign.max_age_days",
		"min_attempts": "campaign.min_attempts", "channels": "campaign.channels",
	}[field]; ok {
		return key
	}
	return "campaign.settings"
}
