package operatorui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"dozvon/campaigns"
	"dozvon/internal/auth"
	"dozvon/reports"
)

// The lead rules: the thresholds that turn the bank's data into missed-call, follow-up and acquiring leads. New
// rules apply from the next derivation (every run derives first); leads already derived stay.

type leadRulesPage struct {
	Form   leadRulesForm
	Counts []reports.KindCount
}

// leadRulesForm is the rules as typed, kept as typed when they are sent back with a mistake.
type leadRulesForm struct {
	MissedAttempts, MissedMaxAge, FollowUpDays, FollowUpMaxAge, AcquiringDays, AcquiringOKVED string
}

func rulesForm(r campaigns.LeadRules) leadRulesForm {
	return leadRulesForm{
		MissedAttempts: strconv.Itoa(r.MissedCall.MinAttempts), MissedMaxAge: strconv.Itoa(r.MissedCall.MaxAgeDays),
		FollowUpDays: strconv.Itoa(r.FollowUp.Days), FollowUpMaxAge: strconv.Itoa(r.FollowUp.MaxAgeDays),
		AcquiringDays: strconv.Itoa(r.Acquiring.Days), AcquiringOKVED: strings.Join(r.Acquiring.OKVED, ", "),
	}
}

func (ui *UI) showLeadRules(w http.ResponseWriter, r *http.Request) {
	rules, err := ui.Campaigns.Rules(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.renderLeadRules(w, r, http.StatusOK, rulesForm(rules), "")
}

func (ui *UI) saveLeadRules(w http.ResponseWriter, r *http.Request) {
	locale := ui.requestLocale(r)
	f := leadRulesForm{
		MissedAttempts: r.PostFormValue("missed_min_attempts"), MissedMaxAge: r.PostFormValue("missed_max_age_days"),
		FollowUpDays: r.PostFormValue("follow_up_days"), FollowUpMaxAge: r.PostFormValue("follow_up_max_age_days"),
		AcquiringDays: r.PostFormValue("acquiring_days"), AcquiringOKVED: r.PostFormValue("acquiring_okved"),
	}
	var rules campaigns.LeadRules
	rules.Acquiring.OKVED = splitList(f.AcquiringOKVED, ", ;\n")
	for _, n := range []struct {
		label, value string
		to           *int
	}{
		{"rules.min_attempts", f.MissedAttempts, &rules.MissedCall.MinAttempts},
		{"rules.max_age_days", f.MissedMaxAge, &rules.MissedCall.MaxAgeDays},
		{"rules.follow_up_days", f.FollowUpDays, &rules.FollowUp.Days},
		{"rules.max_age_days", f.FollowUpMaxAge, &rules.FollowUp.MaxAgeDays},
		{"rules.acquiring_days", f.AcquiringDays, &rules.Acquiring.Days},
	} {
		v, err := strconv.Atoi(strings.TrimSpace(n.value))
		if err != nil {
			ui.renderLeadRules(w, r, http.StatusUnprocessableEntity, f,
				T(locale, "form.invalid", T(locale, n.label), T(locale, "form.not_number", n.value)))
			return
		}
		*n.to = v
	}
	u := currentUser(r)
	err := ui.Campaigns.SaveRules(r.Context(), rules, u.ID)
	if in, ok := asInputError(err); ok {
		ui.renderLeadRules(w, r, http.StatusUnprocessableEntity, f, T(locale, "error.invalid", msgText(locale, in)))
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.audit(r, auth.Entry{UserID: &u.ID, Actor: u.Login, Action: "lead_rules.save", Object: "lead_rules",
		Detail: map[string]any{"missed_call": rules.MissedCall, "follow_up": rules.FollowUp, "acquiring": rules.Acquiring}})
	ui.flash(r, T(locale, "rules.saved"))
	http.Redirect(w, r, "/leads/rules", http.StatusSeeOther)
}

func (ui *UI) renderLeadRules(w http.ResponseWriter, r *http.Request, status int, f leadRulesForm, errMsg string) {
	o, err := ui.Reports.ForManager(r.Context(), startOfDay(time.Now()))
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.render(w, r, status, "lead_rules", view{Title: "rules.title", Error: errMsg,
		Data: leadRulesPage{Form: f, Counts: o.LeadsByKind}})
}
