package campaigns

import (
	"context"
	"fmt"
	"slices"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

// DefaultChannels is what a campaign that names no channels writes on, in its order of preference: MAX first, the
// national messenger, then Telegram where the installation's policy allows it.
var DefaultChannels = []string{messenger.MAX, messenger.Telegram}

// validChannels checks a campaign's channels: known ones, each once, at least one.
func validChannels(list []string) error {
	if len(list) == 0 {
		return msg.In("channels", "campaigns.channels_none")
	}
	for i, ch := range list {
		if !slices.Contains(messenger.Channels, ch) {
			return msg.In("channels", "campaigns.channel_unknown", ch)
		}
		if slices.Contains(list[:i], ch) {
			return msg.In("channels", "campaigns.channel_twice", ch)
		}
	}
	return nil
}

// reach is where a run of a campaign may write, under the installation's channel policy at the run's start.
type reach struct {
	// channels are the campaign's channels the policy allows, in the campaign's order: a lead is written to on the
	// first of them they have a chat on.
	channels []string
	// invite is the channel whose deep link a lead with no chat on any of them is sent (the first of channels that
	// has a bot), and inviteBot its bot (nil: the environment's Telegram bot, known by BotUsername). invite is ""
	// when no channel allowed has a bot: such leads are unreachable and counted as excluded.
	invite    string
	inviteBot *int64
}

// reachOf reads the policy in force and the bots, and says where a run of camp may write.
func (s *Store) reachOf(ctx context.Context, camp Campaign) (reach, error) {
	policy, err := s.Policies.Get(ctx)
	if err != nil {
		return reach{}, err
	}
	r := reach{channels: policy.Filter(camp.Channels)}
	for _, ch := range r.channels {
		bot, ok, err := s.bots.Inviting(ctx, ch)
		if err != nil {
			return reach{}, fmt.Errorf("campaigns: the bot inviting to %s: %w", ch, err)
		}
		switch {
		case ok:
			r.invite, r.inviteBot = ch, &bot.ID
		case ch == messenger.Telegram: // the environment's bot, or the simulator's, whose username the store knows
			r.invite = ch
		default:
			continue
		}
		break
	}
	return r, nil
}

// writable is the campaign's channels the policy in force allows, in the campaign's order.
func (s *Store) writable(ctx context.Context, camp Campaign) ([]string, error) {
	r, err := s.reachOf(ctx, camp)
	return r.channels, err
}
