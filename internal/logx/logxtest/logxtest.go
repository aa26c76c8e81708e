// Package logxtest holds a log that tests read back. Only tests import it.
package logxtest

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
)

// Lines is a log that tests read: one JSON object a line (zerolog's output), safe for concurrent writers.
type Lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is the whole log so far.
func (l *Lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Count is how many lines say msg.
func (l *Lines) Count(msg string) int {
	n := 0
	for _, line := range strings.Split(l.String(), "\n") {
		var e struct{ Message string }
		if json.Unmarshal([]byte(line), &e) == nil && e.Message == msg {
			n++
		}
	}
	return n
}
