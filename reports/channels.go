package reports

import (
	"context"
	"fmt"
	"time"
)

// ChannelFigures are a period's funnel and service on one messenger.
type ChannelFigures struct {
	Channel string
	// Funnel is the leads written to on this messenger, and what became of them (Conversion's total with the
	// filter's channel set): a lead written to on both messengers counts on each, and a lead's reply counts on
	// whichever messenger the client answered (the funnel follows the lead, as the channel filter does).
	Funnel Funnel
	// Service is the client messages of the period on this messenger answered, in time, and the ratings given in
	// its dialogs (ServiceTotal of ServiceByDay).
	Service ServiceDay
}

// ByChannel returns the filter's funnel and service on each messenger in Channels order, or on the filter's own
// channel alone when it names one. Each is the same query as the panels' with the channel set, so the figures
// of a channel are exactly those the filter shows when it is chosen.
func (rp *Reports) ByChannel(ctx context.Context, f Filter, zone *time.Location) ([]ChannelFigures, error) {
	channels := Channels
	if f.Channel != "" {
		channels = []string{f.Channel}
	}
	out := make([]ChannelFigures, 0, len(channels))
	for _, ch := range channels {
		one := f
		one.Channel = ch
		conv, err := rp.Conversion(ctx, one)
		if err != nil {
			return nil, fmt.Errorf("reports: by channel %s: %w", ch, err)
		}
		days, err := rp.ServiceByDay(ctx, one, zone)
		if err != nil {
			return nil, fmt.Errorf("reports: by channel %s: %w", ch, err)
		}
		conv.Total.Kind = ""
		out = append(out, ChannelFigures{Channel: ch, Funnel: conv.Total, Service: ServiceTotal(days)})
	}
	return out, nil
}
