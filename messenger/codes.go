package messenger

import "dozvon/internal/msg"

// The messages this package raises for a person (internal/msg), in English; the operator UI's catalog has their
// Russian.
func init() {
	msg.Register(map[string]string{
		"messenger.bad_phone": "not a phone number",

		// What Telegram would refuse, checked before sending, and what it did refuse.
		"messenger.no_chat":         "no chat",
		"messenger.no_bot":          "no bot",
		"messenger.unknown_channel": "unknown channel %q",

		// The channel policy (policy.go).
		"messenger.foreign_denied":     "Dozvon does not write to clients on %s: it is a foreign messenger, and the installation's policy forbids them (Federal Law 41-FZ)",
		"messenger.channel_disabled":   "Dozvon does not write on %s: the channel is turned off in the settings",
		"messenger.foreign_policy":     "the foreign-messenger policy is allow or deny, not %q",
		"messenger.no_channel_enabled": "at least one channel must be on",
		"messenger.html":               "%s",
		"messenger.text_empty":         "the text is empty",
		"messenger.text_too_long":      "the text is %d {#1 character|characters}, %s allows %d",
		"messenger.button_no_text":     "a button has no text",
		"messenger.button_no_action":   "button %q has no action: it needs callback data or a URL",
		"messenger.button_two_actions": "button %q has more than one action: callback data, a URL and a request for the phone exclude each other",
		"messenger.button_data_long":   "button %q carries %d {#2 byte|bytes} of data, %s allows %d",
		"messenger.telegram_refused":   "%s: %d %s",

		// Why a message in the outbox was not sent (yet), as the outbox records it.
		"messenger.client_blocked":   "the client blocked the bot",
		"messenger.client_opted_out": "the client opted out",
		"messenger.sender_stopped":   "the sender stopped before sending it; it is sent again",
		"messenger.flood_wait":       "the messenger's flood control: sent again after %d {#1 second|seconds}",

		// A text as Telegram's HTML parse mode reads it; the tags are quoted as written.
		"messenger.html_at":                "%s (line %d, character %d)",
		"messenger.html_not_closed":        "the tag %s is not closed",
		"messenger.html_unknown_entity":    "Telegram shows %s as typed: it knows only &lt; &gt; &amp; &quot; and numeric references (&#8381;)",
		"messenger.html_no_gt":             `the tag %s has no closing ">"`,
		"messenger.html_closes_nothing":    "the tag %s closes nothing that is open",
		"messenger.html_wrong_close":       "the tag %s does not close the open %s",
		"messenger.html_emoji_empty":       "the tag <tg-emoji> needs an emoji inside, shown where custom emoji are not",
		"messenger.html_bare_lt":           `"<" starts no tag: write &lt; to show the sign`,
		"messenger.html_unsupported":       "Telegram does not support the tag %s",
		"messenger.html_bad_attribute":     "the tag %s has a malformed attribute",
		"messenger.html_ignored_attribute": "Telegram ignores the attribute %s of the tag %s",
		"messenger.html_span_class":        `the tag <span> needs class="tg-spoiler"`,
		"messenger.html_emoji_id":          `the tag <tg-emoji> needs emoji-id="…" with the custom emoji's number`,
		"messenger.html_time_unix":         `the tag <tg-time> needs unix="…" with a Unix time`,
		"messenger.html_time_format":       "the tag <tg-time> has format %q; Telegram takes r, or w, d or D, t or T in this order",
		"messenger.html_link_no_href":      `the link <a> has no href="…"`,
		"messenger.html_code_class":        "Telegram ignores the attribute class of the tag <code> unless it is language-…",
		"messenger.html_code_language":     `the language of <code> works only as <pre><code class="language-…">`,
		"messenger.html_not_inside":        "Telegram does not show the tag %s inside %s",
	})
}
