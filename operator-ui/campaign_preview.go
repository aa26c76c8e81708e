package operatorui

import (
	"errors"
	"net/http"
	"strconv"

	"dozvon/campaigns"
)

// livePreview answers the campaign form as the manager types: the message rendered on the first lead of the
// audience the form describes (the built-in samples when it has none), as the page's preview shows it, or why
// Telegram would refuse it. Nothing is saved.
func (ui *UI) livePreview(w http.ResponseWriter, r *http.Request) {
	locale := ui.requestLocale(r)
	var c campaigns.Campaign
	if id, err := strconv.ParseInt(r.URL.Query().Get("campaign"), 10, 64); err == nil && id > 0 {
		stored, err := ui.Campaigns.Get(r.Context(), id)
		if err != nil && !errors.Is(err, campaigns.ErrNotFound) {
			ui.serverError(w, r, err)
			return
		}
		c = stored // its id: the preview leaves out the leads it wrote to, as its page does
	}
	form := readCampaignForm(r)
	if err := form.apply(locale, &c); err != nil {
		c.Audience = campaigns.Audience{} // a number being typed: the audience without it
	}
	p, err := ui.Campaigns.Preview(r.Context(), c)
	if in, ok := asInputError(err); ok {
		writeJSON(w, http.StatusOK, map[string]any{"error": msgText(locale, in)})
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	who := T(locale, "campaign.preview_sample")
	if p.Real {
		who = T(locale, "campaign.preview_lead", p.Values["Company"])
	}
	buttons := [][]string{}
	for _, row := range p.Buttons {
		var texts []string
		for _, b := range row {
			texts = append(texts, b.Text)
		}
		buttons = append(buttons, texts)
	}
	// html is telegramHTML's: only Telegram's formatting tags, every text escaped, as the page itself renders it.
	writeJSON(w, http.StatusOK, map[string]any{"html": string(telegramHTML(p.Text)), "buttons": buttons, "who": who})
}
