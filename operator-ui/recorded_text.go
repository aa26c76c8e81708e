package operatorui

import (
	"dozvon/internal/msg"
	"dozvon/messenger"
)

// What the engines record of a failure (a send's outbox row, a client's file) is a coded message when they coded
// it (msg.Record): shown in the reader's language; words recorded before, or never coded, show as they are.

// recordedText is a recorded failure in locale.
func recordedText(locale, recorded string) string {
	if m, ok := msg.Recorded(recorded); ok {
		return msgText(locale, m)
	}
	return recorded
}

// failedBecause is why a file could not be fetched, in locale; "" for a file that did not fail.
func failedBecause(locale string, f messenger.File) string {
	if f.State != messenger.FileFailed {
		return ""
	}
	return recordedText(locale, f.LastError)
}
