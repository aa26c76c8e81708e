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
