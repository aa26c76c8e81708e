package operatorui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"dozvon/campaigns"
	"dozvon/internal/msg"
)

// campaignForm is the campaign form as the person typed it: strings, so a form sent back with a mistake shows
// exactly what they wrote, not what it parsed to.
type campaignForm struct {
	Name, Description, LeadKind                   string
	MinAgeHours, MaxAgeDays, MinAttempts          string
	OKVEDInclude, OKVEDExclude, Regions, Segments string
	Body                                          string
	Buttons                                       []campaigns.Button // always MaxButtons rows, unused ones empty
	Schedule, QuietFrom, QuietTo, CapDays         string
	InviteWebhook                                 string
	ChannelFirst, ChannelThen                     string // the channels in the order of preference; Then "" for none
	// channelsAbsent: the request did not carry the channel fields at all (a form of before them, a script): the
	// campaign keeps its channels, a new one gets the default order.
	channelsAbsent bool
}

// newCampaignForm is the form of a campaign not yet created, with the defaults the package would apply.
func newCampaignForm() campaignForm {
	return formOf(campaigns.Campaign{LeadKind: campaigns.MissedCall, QuietFrom: "21:00", QuietTo: "09:00",
		FrequencyCap: 7 * 24 * time.Hour, Channels: campaigns.DefaultChannels})
}

func formOf(c campaigns.Campaign) campaignForm {
	a := c.Audience
	f := campaignForm{
		Name: c.Name, Description: c.Description, LeadKind: c.LeadKind,
		MinAgeHours: blankZero(a.MinAgeHours), MaxAgeDays: blankZero(a.MaxAgeDays), MinAttempts: blankZero(a.MinAttempts),
		OKVEDInclude: strings.Join(a.OKVEDInclude, ", "), OKVEDExclude: strings.Join(a.OKVEDExclude, ", "),
		Regions: strings.Join(a.Regions, ", "), Segments: strings.Join(a.Segments, ", "),
		Body: c.Template.Body, Schedule: c.Schedule, QuietFrom: c.QuietFrom, QuietTo: c.QuietTo,
		CapDays: strconv.Itoa(int(c.FrequencyCap / (24 * time.Hour))), InviteWebhook: c.InviteWebhook,
	}
	f.Buttons = make([]campaigns.Button, campaigns.MaxButtons)
	copy(f.Buttons, c.Template.Buttons)
	f.ChannelFirst, f.ChannelThen = channelChoices(c.Channels)
	return f
}

// A zero audience condition means "any": the field is left empty rather than showing a misleading 0.
func blankZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func readCampaignForm(r *http.Request) campaignForm {
	_ = r.ParseForm()
	v := r.PostForm
	f := campaignForm{
		Name: v.Get("name"), Description: v.Get("description"), LeadKind: v.Get("lead_kind"),
		MinAgeHours: v.Get("min_age_hours"), MaxAgeDays: v.Get("max_age_days"), MinAttempts: v.Get("min_attempts"),
		OKVEDInclude: v.Get("okved_include"), OKVEDExclude: v.Get("okved_exclude"),
		Regions: v.Get("regions"), Segments: v.Get("segments"),
		Body: v.Get("body"), Schedule: v.Get("schedule"), QuietFrom: v.Get("quiet_from"), QuietTo: v.Get("quiet_to"),
		CapDays: v.Get("frequency_cap_days"), InviteWebhook: strings.TrimSpace(v.Get("invite_webhook")),
		ChannelFirst: v.Get("channel_first"), ChannelThen: v.Get("channel_then"),
	}
	_, posted := v["channel_first"]
	f.channelsAbsent = !posted
	texts, actions, replies := v["button_text"], v["button_action"], v["button_reply"]
	f.Buttons = make([]campaigns.Button, campaigns.MaxButtons)
	for i := range min(len(texts), campaigns.MaxButtons) {
		f.Buttons[i] = campaigns.Button{Text: texts[i], Action: at(actions, i), Reply: at(replies, i)}
	}
	return f
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// apply puts the form onto c, keeping what the form does not show (custom-attribute rules, status). Numbers that
// are not numbers are the form's own mistakes; everything else is for campaigns to judge.
func (f campaignForm) apply(locale string, c *campaigns.Campaign) error {
	c.Name, c.Description, c.LeadKind = f.Name, strings.TrimSpace(f.Description), f.LeadKind
	c.Template.Body = f.Body
	c.Template.Buttons = nil
	for _, b := range f.Buttons {
		b.Text, b.Reply = strings.TrimSpace(b.Text), strings.TrimSpace(b.Reply)
		if b.Text == "" && b.Reply == "" {
			continue // an unused row
		}
		if b.Action != campaigns.ActionReply {
			b.Reply = ""
		}
		c.Template.Buttons = append(c.Template.Buttons, b)
	}
	c.Schedule, c.QuietFrom, c.QuietTo, c.InviteWebhook = f.Schedule, f.QuietFrom, f.QuietTo, f.InviteWebhook
	switch {
	case f.channelsAbsent:
		if len(c.Channels) == 0 {
			c.Channels = slices.Clone(campaigns.DefaultChannels)
		}
	case f.ChannelFirst == "":
		return msg.In("channels", "campaigns.channels_none")
	default:
		c.Channels = []string{f.ChannelFirst}
		if f.ChannelThen != "" {
			c.Channels = append(c.Channels, f.ChannelThen) // the same twice is campaigns' to refuse
		}
	}
	a := &c.Audience
	a.OKVEDInclude, a.OKVEDExclude = splitList(f.OKVEDInclude, ", ;\n"), splitList(f.OKVEDExclude, ", ;\n")
	a.Regions, a.Segments = splitList(f.Regions, ",;\n"), splitList(f.Segments, ",;\n")
	var capDays int
	for _, n := range []struct {
		field, value string
		to           *int
	}{
		{"min_age_hours", f.MinAgeHours, &a.MinAgeHours},
		{"max_age_days", f.MaxAgeDays, &a.MaxAgeDays},
		{"min_attempts", f.MinAttempts, &a.MinAttempts},
		{"frequency_cap", f.CapDays, &capDays},
	} {
		v, err := wholeNumber(n.value)
		if err != nil {
			return msg.In(n.field, "form.not_number", n.value)
		}
		*n.to = v
	}
	c.FrequencyCap = time.Duration(capDays) * 24 * time.Hour
	return nil
}

// wholeNumber reads a count typed into a form; empty is 0, "any".
func wholeNumber(s string) (int, error) {
	if s = strings.TrimSpace(s); s == "" {
		return 0, nil
	}
	return strconv.Atoi(s)
}

// splitList reads a list typed as "47.91, 56" into its items.
func splitList(s, seps string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
