package campaigns

import (
	"context"

	"dozvon/messenger"
)

// Preview is a campaign's message as one lead of its audience would get it. The campaign page shows it, and a test
// message sends it, so that what a manager checks is exactly what the broadcast sends.
type Preview struct {
	Values  map[string]string // the variables' values
	Real    bool              // the values are a lead's of the audience; false: the built-in samples (no audience)
	Text    string            // Telegram HTML, every value escaped
	Buttons messenger.Markup  // with the callback data the broadcast carries
}

// Preview renders a campaign's message on the first lead of its audience.
func (s *Store) Preview(ctx context.Context, camp Campaign) (Preview, error) {
	tmpl, err := Compile(camp.Template)
	if err != nil {
		return Preview{}, err
	}
	values, fromLead, err := s.sampleLead(ctx, camp)
	if err != nil {
		return Preview{}, err
	}
	return Preview{Values: values, Real: fromLead, Text: tmpl.Render(values), Buttons: markup(camp.ID, camp.Template.Buttons)}, nil
}
