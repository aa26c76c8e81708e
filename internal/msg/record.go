package msg

import (
	"encoding/json"
	"strings"
)

// Record is what a table keeps of err to show it later in any language: the message err carries (the first in its
// chain), as JSON, or err's own words when it carries none (a cause no package coded, kept as it was).
func Record(err error) string {
	if m, ok := As(err); ok {
		if b, jerr := json.Marshal(m); jerr == nil {
			return string(b)
		}
	}
	return err.Error()
}

// Recorded reads back what Record kept: the message, or false for words kept as they were (or an empty record).
func Recorded(s string) (*Error, bool) {
	if !strings.HasPrefix(s, `{"code":`) {
		return nil, false
	}
	var m Error
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, false
	}
	return &m, true
}
