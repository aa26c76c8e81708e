// Package msg is how an engine (campaigns, dialog, auth, imports, messenger) tells a person what is wrong without
// writing their language: an Error carries a code and its arguments, and whoever shows it renders the code from a
// catalog in the reader's language (the pages, operator-ui/i18n_codes.go) or in English (logs, the CLI, Error).
//
// A package registers the English of its codes once (Register, from an init next to where they are raised); the
// operator UI's catalog adds the Russian, and its tests check that every code raised anywhere has both, with the
// same placeholders.
package msg

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Error is a message a person may read: Code names it in the catalog ("<package>.<what>", e.g.
// "campaigns.name_length"), Args fill its verbs. An argument that is itself an *Error is rendered in the reader's
// language too (a cron parser's complaint inside "is not a schedule"); any other error argument shows its own
// words, as a detail. Field is the form field or input the message is about, when there is one; Err is the cause,
// for logs and errors.Is, never shown as the message.
type Error struct {
	Code  string
	Args  []any
	Field string
	Err   error
}

// New returns the message code with args.
func New(code string, args ...any) *Error { return &Error{Code: code, Args: args} }

// In returns the message code with args about the input field.
func In(field, code string, args ...any) *Error { return &Error{Code: code, Args: args, Field: field} }

// Wrap returns the message code with args, caused by err (a third-party parser's error, say): err stays
// reachable with errors.Is and As, and its words may be one of the args, but the message is the code's.
func Wrap(err error, code string, args ...any) *Error {
	return &Error{Code: code, Args: args, Err: err}
}

// Error is the message in English, after the package that raised it and the field: "campaigns: name: a name of
// 1-120 characters is required".
func (e *Error) Error() string {
	s := English(e)
	if e.Field != "" {
		s = e.Field + ": " + s
	}
	if pkg, _, ok := strings.Cut(e.Code, "."); ok {
		s = pkg + ": " + s
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, msg.New(code)) true for any message with that code, whatever its arguments.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Args == nil && t.Field == ""
}

// As finds the message in err's chain.
func As(err error) (*Error, bool) {
	var m *Error
	ok := errors.As(err, &m)
	return m, ok
}

var (
	mu      sync.RWMutex
	english = map[string]string{}
)

// Register adds a package's codes with their English (fmt verbs for the arguments, {#n one|other} for a word
// that agrees with the n-th argument). A code registered twice is a bug.
func Register(codes map[string]string) {
	mu.Lock()
	defer mu.Unlock()
	for code, en := range codes {
		if _, dup := english[code]; dup {
			panic("msg: code " + code + " is registered twice")
		}
		english[code] = en
	}
}

// EnglishOf is the registered English of code.
func EnglishOf(code string) (string, bool) {
	mu.RLock()
	defer mu.RUnlock()
	en, ok := english[code]
	return en, ok
}

// English renders e in English, without the package and the field. An unregistered code shows as itself with
// its arguments, so that nothing is lost in a log.
func English(e *Error) string {
	return Render(e, "en", func(code string) (string, bool) { return EnglishOf(code) })
}

// Render renders e in locale with lookup, the catalog of that language; nested messages among the arguments are
// rendered the same way.
func Render(e *Error, locale string, lookup func(code string) (string, bool)) string {
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		switch a := a.(type) {
		case *Error:
			args[i] = Render(a, locale, lookup)
		case error:
			args[i] = a.Error()
		default:
			args[i] = a
		}
	}
	if e.Code == listCode {
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = fmt.Sprint(a)
		}
		return strings.Join(parts, "; ")
	}
	format, ok := lookup(e.Code)
	if !ok {
		return strings.TrimSpace(fmt.Sprintln(append([]any{e.Code}, args...)...))
	}
	return Sprintf(locale, format, args...)
}

// List is several messages about one field, shown one after another ("; " between them).
func List(field string, items ...*Error) *Error {
	args := make([]any, len(items))
	for i, it := range items {
		args[i] = it
	}
	return &Error{Code: listCode, Args: args, Field: field}
}

const listCode = "msg.list"
