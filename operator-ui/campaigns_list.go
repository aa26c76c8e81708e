package operatorui

import (
	"net/http"
	"time"

	"dozvon/campaigns"
	"dozvon/reports"
)

// The campaign list: the day's figures, every campaign with its live progress, and the leads waiting by source.
// The page polls campaignsProgress every two seconds, so a run's progress shows while the sender works.

type campaignsPage struct {
	Overview  reports.CampaignsOverview
	Campaigns []listedCampaign
	All       bool // cancelled campaigns are listed too
}

type listedCampaign struct {
	campaigns.Listed
	NextRun string // an active campaign's next scheduled run, as slotText shows it
}

// StatusShown is the status the list shows.
func (c listedCampaign) StatusShown() string { return shownStatus(c.Status, c.Progress) }

// shownStatus is a campaign's status as pages show it: a draft that has run by hand is no longer a draft to the
// manager ("run by hand"), though it has no schedule running it; every other status is as stored.
func shownStatus(status string, p campaigns.Progress) string {
	if status == campaigns.StatusDraft && p.Runs > 0 {
		return "manual"
	}
	return status
}

func (ui *UI) showCampaigns(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	o, err := ui.Reports.ForManager(r.Context(), startOfDay(now))
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	all := r.URL.Query().Get("all") == "1"
	list, err := ui.Campaigns.List(r.Context(), all)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	page := campaignsPage{Overview: o, All: all}
	locale, zone := ui.requestLocale(r), ui.userZone(r)
	for _, c := range list {
		lc := listedCampaign{Listed: c}
		if next, err := campaigns.NextRuns(c.Schedule, now, 1); err == nil && len(next) == 1 && c.Status == campaigns.StatusActive {
			lc.NextRun = slotText(locale, zone, scheduleZone(c.Schedule), next[0])
		}
		page.Campaigns = append(page.Campaigns, lc)
	}
	ui.render(w, r, http.StatusOK, "campaigns", view{Title: "nav.campaigns", Data: page})
}

// progressJSON is one campaign's figures as the list and campaign pages refresh them.
type progressJSON struct {
	ID          int64  `json:"id"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	Queued      int    `json:"queued"`
	Sent        int    `json:"sent"`
	Failed      int    `json:"failed"`
	Cancelled   int    `json:"cancelled"`
	Replied     int    `json:"replied"`
	Done        int    `json:"done"` // settled messages, percent
	Runs        int    `json:"runs"`
	LastRun     string `json:"last_run"` // as the page shows it; "" before the first run
}

// campaignsProgress is every campaign's progress, for the pages' polling.
func (ui *UI) campaignsProgress(w http.ResponseWriter, r *http.Request) {
	list, err := ui.Campaigns.List(r.Context(), true)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	locale, zone := ui.requestLocale(r), ui.userZone(r)
	out := make([]progressJSON, 0, len(list))
	for _, c := range list {
		out = append(out, progressOf(locale, zone, c.Campaign, c.Progress))
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": out})
}

func progressOf(locale string, zone *time.Location, c campaigns.Campaign, p campaigns.Progress) progressJSON {
	shown := shownStatus(c.Status, p)
	j := progressJSON{ID: c.ID, Status: shown, StatusLabel: T(locale, "campaign.status_"+shown),
		Queued: p.Queued, Sent: p.Sent, Failed: p.Failed, Cancelled: p.Cancelled, Replied: p.Replied,
		Done: p.Done(), Runs: p.Runs}
	if p.LastRunAt != nil {
		j.LastRun = formatWhen(locale, zone, *p.LastRunAt)
	}
	return j
}
