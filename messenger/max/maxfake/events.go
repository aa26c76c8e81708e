package maxfake

import "time"

// EventKind says what an Event reports.
type EventKind string

// Event kinds.
const (
	EventMessage    EventKind = "message"     // a new message, from the bot or a user
	EventChatAction EventKind = "chat_action" // the bot sent an action (typing_on ...)
)

// Event is a change in a dialog, for live views such as the simulator.
type Event struct {
	Kind    EventKind `json:"kind"`
	ChatID  int64     `json:"chat_id"`
	Message Message   `json:"message"`
	Action  string    `json:"action,omitempty"`
	Time    time.Time `json:"time"`
}

// Subscribe delivers every event from now on; a subscriber more than 1024 events behind misses some (tests that
// must see everything use WaitSent). cancel unsubscribes and closes the channel.
func (f *Fake) Subscribe() (events <-chan Event, cancel func()) { return f.events.Subscribe() }
