package operatorui

import (
	"net/http"

	"dozvon/internal/auth"
	"dozvon/messenger"
)

// The installation's settings an administrator changes at run time (/admin/settings): which messengers Dozvon
// writes on, and the foreign-messenger policy. The environment gives the first value (DOZVON_FOREIGN_MESSENGERS);
// what an administrator saves here holds on every instance from the moment it is saved, and is in the audit log.

type settingsPage struct {
	Policy   messenger.Policy
	Channels []string        // every channel, in the order the form lists them
	On       map[string]bool // the channels turned on
	SetBy    string          // the administrator who set the policy; "" while it is the environment's
}

func (ui *UI) showSettings(w http.ResponseWriter, r *http.Request) {
	policy, err := ui.Policies.Get(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.renderSettings(w, r, http.StatusOK, policy, "")
}

func (ui *UI) renderSettings(w http.ResponseWriter, r *http.Request, status int, policy messenger.Policy, errMsg string) {
	p := settingsPage{Policy: policy, Channels: messenger.Channels, On: map[string]bool{}}
	for _, ch := range policy.Enabled {
		p.On[ch] = true
	}
	if policy.UpdatedBy != nil {
		users, err := ui.Users.List(r.Context())
		if err != nil {
			ui.serverError(w, r, err)
			return
		}
		for _, u := range users {
			if u.ID == *policy.UpdatedBy {
				p.SetBy = u.Login
			}
		}
	}
	ui.render(w, r, status, "settings", view{Title: "settings.title", Error: errMsg, Data: p})
}

func (ui *UI) saveSettings(w http.ResponseWriter, r *http.Request) {
	admin := currentUser(r)
	_ = r.ParseForm()
	want := messenger.Policy{Enabled: r.PostForm["enabled"], ForeignMessengers: r.PostFormValue("foreign_messengers")}
	before, err := ui.Policies.Get(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	saved, err := ui.Policies.Set(r.Context(), want, admin.ID)
	if in, ok := asInputError(err); ok {
		ui.renderSettings(w, r, http.StatusUnprocessableEntity, want, msgText(ui.requestLocale(r), in))
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.audit(r, auth.Entry{UserID: &admin.ID, Actor: admin.Login, Action: "settings.channels", Object: "channel_policy",
		Detail: map[string]any{
			"foreign_messengers": saved.ForeignMessengers, "enabled": saved.Enabled,
			"was_foreign_messengers": before.ForeignMessengers, "was_enabled": before.Enabled,
		}})
	ui.flash(r, T(ui.requestLocale(r), "settings.saved"))
	http.Redirect(w, r, "/admin/settings", http.StatusSeeOther)
}

// channelChoices are the campaign form's channel selects: the channel first preferred, then the other or none.
func channelChoices(chosen []string) (first, then string) {
	if len(chosen) > 0 {
		first = chosen[0]
	}
	if len(chosen) > 1 {
		then = chosen[1]
	}
	return first, then
}

// closedChannels says, in locale, why the policy in force keeps Dozvon off channels a campaign form may name: one
// sentence per channel closed (Telegram under deny: a foreign messenger, 41-FZ), none when every one is open.
func (ui *UI) closedChannels(r *http.Request, locale string) ([]string, error) {
	policy, err := ui.Policies.Get(r.Context())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ch := range messenger.Channels {
		if why := policy.Refusal(ch); why != nil {
			out = append(out, msgText(locale, why))
		}
	}
	return out, nil
}
