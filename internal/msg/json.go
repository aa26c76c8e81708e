package msg

import (
	"encoding/json"
	"errors"
)

// wire is a message as JSON: what the API answers and what a table keeps to render it later in any language.
type wire struct {
	Code  string            `json:"code"`
	Args  []json.RawMessage `json:"args,omitempty"`
	Field string            `json:"field,omitempty"`
}

// MarshalJSON writes the code, the arguments (a nested message as an object, another error as its words) and the
// field; the cause is for logs and is not kept.
func (e *Error) MarshalJSON() ([]byte, error) {
	w := wire{Code: e.Code, Field: e.Field}
	for _, a := range e.Args {
		var (
			raw []byte
			err error
		)
		switch a := a.(type) {
		case *Error:
			raw, err = a.MarshalJSON()
		case error:
			raw, err = json.Marshal(a.Error())
		default:
			raw, err = json.Marshal(a)
		}
		if err != nil {
			return nil, err
		}
		w.Args = append(w.Args, raw)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON wrote: whole numbers come back as int64 (for %d), objects as messages.
func (e *Error) UnmarshalJSON(b []byte) error {
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.Code == "" {
		return errors.New("msg: a message without a code")
	}
	*e = Error{Code: w.Code, Field: w.Field}
	for _, raw := range w.Args {
		var a any
		if len(raw) > 0 && raw[0] == '{' {
			var m Error
			if err := m.UnmarshalJSON(raw); err != nil {
				return err
			}
			a = &m
		} else if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		if f, ok := a.(float64); ok && f == float64(int64(f)) {
			a = int64(f)
		}
		e.Args = append(e.Args, a)
	}
	return nil
}
