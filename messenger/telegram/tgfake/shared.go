package tgfake

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// What users share besides words and files: a location, a venue, a poll, dice. The bot receives them as the Bot
// API 10.1 delivers them (a venue's message carries its location too, for old clients). Anything else a user may
// send (a story, a checklist, a game forwarded from a chat) can be queued as it is with SendRaw.

// Location is a point on the map.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// Venue is a named place.
type Venue struct {
	Location Location `json:"location"`
	Title    string   `json:"title"`
	Address  string   `json:"address"`
}

// Poll is a native poll, as a user who made it sends it: nobody voted yet.
type Poll struct {
	ID                    string       `json:"id"`
	Question              string       `json:"question"`
	Options               []PollOption `json:"options"`
	TotalVoterCount       int          `json:"total_voter_count"`
	IsClosed              bool         `json:"is_closed"`
	IsAnonymous           bool         `json:"is_anonymous"`
	Type                  string       `json:"type"` // regular or quiz
	AllowsMultipleAnswers bool         `json:"allows_multiple_answers"`
	AllowsRevoting        bool         `json:"allows_revoting"`
	MembersOnly           bool         `json:"members_only"`
}

// PollOption is one answer of a poll.
type PollOption struct {
	PersistentID string `json:"persistent_id"`
	Text         string `json:"text"`
	VoterCount   int    `json:"voter_count"`
}

// Dice is an animated emoji with a random value.
type Dice struct {
	Emoji string `json:"emoji"`
	Value int    `json:"value"`
}

// Errors of sharing what Telegram's apps would not let a user share.
var (
	ErrBadLocation = errors.New("tgfake: latitude must be -90..90 and longitude -180..180")
	ErrBadVenue    = errors.New("tgfake: a venue needs a title and an address")
	ErrBadPoll     = errors.New("tgfake: a poll needs a question of 1-300 characters and 1-12 answers of 1-100 characters")
	ErrBadDice     = errors.New("tgfake: dice are 🎲, 🎯 or 🎳 (1-6), 🏀 or ⚽ (1-5), or 🎰 (1-64)")
)

// diceFaces is the highest value of each dice emoji (Bot API 10.1, sendDice).
var diceFaces = map[string]int{"🎲": 6, "🎯": 6, "🎳": 6, "🏀": 5, "⚽": 5, "🎰": 64}

// SendLocation is the user sharing a point on the map.
func (f *Fake) SendLocation(userID int64, latitude, longitude float64) (Update, error) {
	if !validLocation(latitude, longitude) {
		return Update{}, ErrBadLocation
	}
	return f.userMessage(userID, false, func(_ *chat, m *Message) error {
		m.Location = &Location{Latitude: latitude, Longitude: longitude}
		return nil
	})
}

// SendVenue is the user sharing a named place; the message carries its location too, as Telegram sends it.
func (f *Fake) SendVenue(userID int64, latitude, longitude float64, title, address string) (Update, error) {
	if !validLocation(latitude, longitude) {
		return Update{}, ErrBadLocation
	}
	if strings.TrimSpace(title) == "" || strings.TrimSpace(address) == "" {
		return Update{}, ErrBadVenue
	}
	return f.userMessage(userID, false, func(_ *chat, m *Message) error {
		loc := Location{Latitude: latitude, Longitude: longitude}
		m.Location, m.Venue = &loc, &Venue{Location: loc, Title: title, Address: address}
		return nil
	})
}

// SendPoll is the user sending a poll they made, anonymous and of the regular kind, as Telegram's apps make one
// by default.
func (f *Fake) SendPoll(userID int64, question string, answers ...string) (Update, error) {
	question = strings.TrimSpace(question)
	if n := utf8.RuneCountInString(question); n == 0 || n > 300 || len(answers) == 0 || len(answers) > 12 {
		return Update{}, ErrBadPoll
	}
	for _, a := range answers {
		if n := utf8.RuneCountInString(strings.TrimSpace(a)); n == 0 || n > 100 {
			return Update{}, ErrBadPoll
		}
	}
	return f.userMessage(userID, false, func(_ *chat, m *Message) error {
		f.pollSeq++
		p := &Poll{ID: strconv.FormatInt(5_000_000_000_000_000_000+f.pollSeq, 10), Question: question,
			IsAnonymous: true, Type: "regular"}
		for i, a := range answers {
			p.Options = append(p.Options, PollOption{PersistentID: fmt.Sprint(i), Text: strings.TrimSpace(a)})
		}
		m.Poll = p
		return nil
	})
}

// SendDice is the user throwing dice: emoji says which (🎲 🎯 🏀 ⚽ 🎳 🎰) and value what fell, which Telegram
// chooses at random and a test chooses here.
func (f *Fake) SendDice(userID int64, emoji string, value int) (Update, error) {
	if faces := diceFaces[emoji]; value < 1 || value > faces {
		return Update{}, ErrBadDice
	}
	return f.userMessage(userID, false, func(_ *chat, m *Message) error {
		m.Dice = &Dice{Emoji: emoji, Value: value}
		return nil
	})
}

func validLocation(latitude, longitude float64) bool {
	return !math.IsNaN(latitude) && !math.IsNaN(longitude) && math.Abs(latitude) <= 90 && math.Abs(longitude) <= 180
}
