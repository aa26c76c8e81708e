package dialog

import (
	"dozvon/internal/msg"
	"dozvon/messenger"
)

// The messages this package raises for a person (internal/msg), in English; the operator UI's catalog has their
// Russian.
func init() {
	msg.Register(map[string]string{
		// Routing, scripts, offers, messages.
		"dialog.route_target":     "choose an operator or a queue",
		"dialog.no_queue":         "no queue %d",
		"dialog.no_such_queue":    "no such queue",
		"dialog.title_length":     "a title of %d-%d characters is required",
		"dialog.script_empty":     "the script is empty",
		"dialog.offer_empty":      "the offer is empty",
		"dialog.body_too_long":    "at most %d {#1 character|characters}, as in one Telegram message",
		"dialog.script_kind":      "choose missed calls, follow-ups, acquiring or every kind",
		"dialog.shortcut_format":  "up to %d lowercase letters, digits, _ or -",
		"dialog.shortcut_taken":   "/%s is already another script's shortcut",
		"dialog.unknown_variable": "unknown variable %s; use one of %s",
		"dialog.offer_product":    "must be rko, acquiring or empty",
		"dialog.message_empty":    "the message is empty",
		"dialog.note_empty":       "the note is empty",
		"dialog.refused":          "%s",

		// Outcomes and refusal reasons.
		"dialog.unknown_outcome":  "unknown outcome %q",
		"dialog.product":          "must be rko or acquiring",
		"dialog.product_required": "say which product the client agreed to",
		"dialog.reason_required":  "say why the client refused",
		"dialog.time_required":    "set the time",
		"dialog.time_past":        "the time must be in the future",
		"dialog.no_client":        "the conversation has no client to hand over to a field manager",
		"dialog.label_length":     "a label of %d-%d characters is required",
		"dialog.position":         "must be a number from %d to %d",

		// Presence, alarms, QA.
		"dialog.presence":        "must be online, away or offline",
		"dialog.presence_away":   "must be away or offline",
		"dialog.capacity":        "must be between %d and %d",
		"dialog.alarm_threshold": "between %d and %d",
		"dialog.qa_missing":      "answer every item of the checklist: %q is missing",
		"dialog.qa_unknown":      "%q is not an item of the checklist",
		"dialog.at_most_chars":   "at most %d {#1 character|characters}",
	})
}

// refusal is why the messenger refused a message, for a person when it says so in a code.
func refusal(p *messenger.PermanentError) any {
	if p.Msg != nil {
		return p.Msg
	}
	return p.Reason
}
