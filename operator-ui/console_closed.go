package operatorui

import (
	"context"

	"dozvon/messenger"
)

// A chat on a channel the installation's policy closes (Telegram under the foreign-messenger policy deny, a channel
// turned off) stays readable in the console, but nobody may answer in it: the console says so in a standing banner
// above a disabled reply, with what to do instead, rather than only refusing an answer once it is written.

// channelClosed is the banner for a chat on channel in locale, "" when Dozvon may write there.
func (ui *UI) channelClosed(ctx context.Context, locale, channel string) (string, error) {
	if ui.Policies == nil {
		return "", nil
	}
	policy, err := ui.Policies.Get(ctx)
	if err != nil {
		return "", err
	}
	if policy.Writable(channel) {
		return "", nil
	}
	label := channelLabel(locale, channel)
	if messenger.Foreign(channel) && policy.ForeignMessengers == messenger.ForeignDeny {
		return T(locale, "console.closed_foreign", label), nil
	}
	return T(locale, "console.closed_off", label), nil
}
