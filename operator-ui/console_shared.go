package operatorui

import (
	"strconv"
	"strings"

	"dozvon/messenger"
)

// What a client shares that is neither words nor a file (a place, a poll, dice ...) is stored as data and worded
// here, in the reader's language, for the console and the supervisor's view alike.

// consoleShared is such a thing as the page shows it.
type consoleShared struct {
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`            // what it is: "📍 Location: 55.755826, 37.6173"
	Lines   []string `json:"lines,omitempty"` // a poll's answers
	MapURL  string   `json:"map_url,omitempty"`
	MapText string   `json:"map_text,omitempty"`
}

// sharedOf words s for loc; nil for nothing shared.
func sharedOf(loc string, s *messenger.Shared) *consoleShared {
	if s == nil {
		return nil
	}
	out := &consoleShared{Kind: s.Kind}
	switch s.Kind {
	case messenger.SharedLocation:
		out.Text = T(loc, "console.shared_location", coordinate(s.Latitude), coordinate(s.Longitude))
		out.MapURL = mapURL(s.Latitude, s.Longitude)
	case messenger.SharedVenue:
		out.Text = T(loc, "console.shared_venue", s.Title, s.Address)
		out.Lines = []string{coordinate(s.Latitude) + ", " + coordinate(s.Longitude)}
		out.MapURL = mapURL(s.Latitude, s.Longitude)
	case messenger.SharedPoll:
		out.Text, out.Lines = T(loc, "console.shared_poll", s.Title), s.Options
	case messenger.SharedDice:
		out.Text = T(loc, "console.shared_dice", s.Emoji, s.Value)
	case messenger.SharedGame:
		out.Text = T(loc, "console.shared_game", s.Title)
	default:
		name := s.Name
		if name == "" {
			name = s.Kind
		}
		out.Kind = messenger.SharedOther
		out.Text = T(loc, "console.shared_other", strings.ReplaceAll(name, "_", " "))
	}
	if out.MapURL != "" {
		out.MapText = T(loc, "console.shared_map")
	}
	return out
}

func coordinate(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// mapURL shows a point on OpenStreetMap; none for coordinates that are not on Earth.
func mapURL(lat, lon float64) string {
	if !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
		return ""
	}
	la, lo := coordinate(lat), coordinate(lon)
	return "https://www.openstreetmap.org/?mlat=" + la + "&mlon=" + lo + "#map=17/" + la + "/" + lo
}
