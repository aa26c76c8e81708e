package tgfake

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is an injected Bot API failure.
type Fault struct {
	// Code is the HTTP status and error_code, e.g. 429, 500, 502.
	Code int
	// Description defaults to Telegram's wording for Code, e.g.
	// "Too Many Requests: retry after 5".
	Description string
	// RetryAfter goes to parameters.retry_after; for 429 it defaults to 1.
	RetryAfter int
	// Disconnect drops the connection without any response, like a
	// network failure. Code and Description are then ignored.
	Disconnect bool
	// AfterApply lets the call take effect before failing, like a response
	// lost after Telegram already delivered the message — the case that
	// makes blind retries send duplicates.
	AfterApply bool
}

func (ft Fault) apiError() *apiError {
	e := &apiError{Code: ft.Code, Description: ft.Description, RetryAfter: ft.RetryAfter}
	if e.Code == 0 {
		e.Code = http.StatusInternalServerError
	}
	if e.Code == http.StatusTooManyRequests && e.RetryAfter <= 0 {
		e.RetryAfter = 1
	}
	if e.Description == "" {
		switch e.Code {
		case http.StatusTooManyRequests:
			e.Description = "Too Many Requests: retry after " + strconv.Itoa(e.RetryAfter)
		case http.StatusBadRequest:
			e.Description = "Bad Request"
		case http.StatusForbidden:
			e.Description = errBlocked.Description
		default:
			e.Description = http.StatusText(e.Code)
		}
	}
	return e
}

// FailNext makes the next n calls of a Bot API method (case-insensitive,
// e.g. "sendMessage") fail with fault. Faults queue up: a second FailNext
// for the same method applies after the first is used up.
func (f *Fake) FailNext(method string, n int, fault Fault) {
	f.faults.Add(canonicalMethod(method), n, fault)
}

// ClearFaults drops all pending injected faults.
func (f *Fake) ClearFaults() { f.faults.Clear() }

// SetLatency delays every Bot API request by d before it is handled
// (0 to turn off). Control endpoints are not delayed.
func (f *Fake) SetLatency(d time.Duration) { f.latency.Set(d) }

// canonicalMethod maps any spelling of a known method to its canonical
// name, and leaves unknown names as given.
func canonicalMethod(method string) string {
	if am, ok := apiMethods[strings.ToLower(method)]; ok {
		return am.name
	}
	return method
}
