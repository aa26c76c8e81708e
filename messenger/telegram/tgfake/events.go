package tgfake

import "time"

// EventKind says what an Event reports.
type EventKind string

// Event kinds.
const (
	EventMessage    EventKind = "message"     // a new message from the bot or a user
	EventEdit       EventKind = "edit"        // the bot edited a message
	EventDelete     EventKind = "delete"      // a message was deleted
	EventChatAction EventKind = "chat_action" // the bot sent a chat action
)

// Event is a change in some chat, for live views such as the simulator.
type Event struct {
	Kind    EventKind `json:"kind"`
	ChatID  int64     `json:"chat_id"`
	Message Message   `json:"message"` // for message, edit (new state) and delete (last state)
	Action  string    `json:"action,omitempty"`
	Time    time.Time `json:"time"`
}

// Subscribe delivers every chat event from now on. Delivery never blocks
// the fake: a subscriber more than 1024 events behind misses events, so
// tests that must not miss anything should use WaitSent/WaitUntil. Call
// cancel to unsubscribe; it closes the channel.
func (f *Fake) Subscribe() (events <-chan Event, cancel func()) { return f.events.Subscribe() }
