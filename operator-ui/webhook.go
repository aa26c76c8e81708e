package operatorui

import "net/http"

// telegramWebhook hands Telegram's deliveries to the messenger; it checks the secret token itself.
func (ui *UI) telegramWebhook(w http.ResponseWriter, r *http.Request) {
	if ui.Webhook == nil {
		http.NotFound(w, r)
		return
	}
	ui.Webhook(w, r)
}

// maxWebhook is where MAX delivers a bot's updates when a public URL is configured (messenger/max checks the
// subscription's secret); without one, 404.
func (ui *UI) maxWebhook(w http.ResponseWriter, r *http.Request) {
	if ui.MaxWebhook == nil {
		http.NotFound(w, r)
		return
	}
	ui.MaxWebhook.ServeHTTP(w, r)
}
