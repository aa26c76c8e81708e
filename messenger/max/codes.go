package max

import "dozvon/internal/msg"

// The messages of MAX's refusals a person reads (internal/msg), in English; the operator UI's catalog has their
// Russian. Each names the call and MAX's error key (chat.denied, proto.payload), never MAX's English prose.
func init() {
	msg.Register(map[string]string{
		"max.refused":          "MAX refused %s (%d %s)",
		"max.blocked":          "the client stopped the bot or deleted the dialog in MAX (%s: %s)",
		"max.chat_not_found":   "MAX does not know this chat (%s: %s)",
		"max.failed":           "MAX failed on %s (%d %s); Dozvon tries again",
		"max.unreachable":      "MAX did not answer %s; Dozvon tries again",
		"max.file_url":         "the address MAX gave for the file is not a web address",
		"max.file_status":      "MAX did not give the file (HTTP %d)",
		"max.file_unreachable": "MAX did not answer when Dozvon fetched the file; Dozvon tries again",
	})
}
