package telegram

import "dozvon/internal/msg"

// The messages of Telegram's refusals to give a client's file (getFile and the download), in English; the operator
// UI's catalog has their Russian. Telegram's own description stays in the logs.
func init() {
	msg.Register(map[string]string{
		"telegram.file_refused":     "Telegram refused to give the file (getFile)",
		"telegram.file_no_path":     "Telegram's getFile gave no path to the file",
		"telegram.file_status":      "Telegram did not give the file (HTTP %d)",
		"telegram.file_unreachable": "Telegram did not answer when Dozvon fetched the file; Dozvon tries again",
	})
}
