package messenger

import "dozvon/internal/msg"

// Coded is err with a message for a person (internal/msg): err keeps every detail for the logs (a messenger's own
// words, a network error), the message says what happened in the reader's language, and both stay reachable with
// errors.Is and As — the message first, so that msg.As and msg.Record find it rather than one inside err.
func Coded(err error, code string, args ...any) error {
	return &coded{err: err, msg: msg.New(code, args...)}
}

type coded struct {
	err error
	msg *msg.Error
}

func (c *coded) Error() string   { return c.err.Error() }
func (c *coded) Unwrap() []error { return []error{c.msg, c.err} }
