package fakekit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ControlMux serves a fake's control API under /_fake/, for the simulator or another process: JSON in and out,
// errors as {"error": "..."}. It answers the endpoints every fake has alike; the fake adds its own.
type ControlMux struct {
	*http.ServeMux
	errPrefix string
	notFound  []error
}

// Controlled is what the shared control endpoints drive.
type Controlled interface {
	ForgetChat(chatID int64)
	ClearFaults()
	SetLatency(d time.Duration)
}

// NewControlMux serves DELETE /_fake/chats/{id} (ForgetChat), DELETE /_fake/faults, PUT /_fake/latency {"ms"}
// and a 404 for any other path under /_fake/. Errors of the fake's controls lose errPrefix ("tgfake: ") and
// answer 404 when they are one of notFound (an unknown user or message), 400 otherwise.
func NewControlMux(fake Controlled, errPrefix string, notFound ...error) *ControlMux {
	m := &ControlMux{ServeMux: http.NewServeMux(), errPrefix: errPrefix, notFound: notFound}
	m.HandleFunc("DELETE /_fake/chats/{id}", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := PathID(w, r); ok {
			fake.ForgetChat(id)
			WriteJSON(w, http.StatusOK, true)
		}
	})
	m.HandleFunc("DELETE /_fake/faults", func(w http.ResponseWriter, r *http.Request) {
		fake.ClearFaults()
		WriteJSON(w, http.StatusOK, true)
	})
	m.HandleFunc("PUT /_fake/latency", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ MS int }
		if !ReadJSON(w, r, &in) {
			return
		}
		fake.SetLatency(time.Duration(in.MS) * time.Millisecond)
		WriteJSON(w, http.StatusOK, true)
	})
	m.HandleFunc("/_fake/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "no such control endpoint")
	})
	return m
}

// Get serves pattern with what get returns.
func (m *ControlMux) Get(pattern string, get func() any) {
	m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { WriteJSON(w, http.StatusOK, get()) })
}

// GetChat serves pattern, whose {id} names a chat, with what get returns for it.
func (m *ControlMux) GetChat(pattern string, get func(chatID int64) any) {
	m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if id, ok := PathID(w, r); ok {
			WriteJSON(w, http.StatusOK, get(id))
		}
	})
}

// HandleWait serves GET /_fake/chats/{id}/wait?n=&timeout_ms=: wait blocks until the bot has sent n messages to
// the chat (for 10 s unless timeout_ms says otherwise) and returns what to answer; 408 when it gave up.
func (m *ControlMux) HandleWait(wait func(ctx context.Context, chatID int64, n int) (any, error)) {
	m.HandleFunc("GET /_fake/chats/{id}/wait", func(w http.ResponseWriter, r *http.Request) {
		id, ok := PathID(w, r)
		if !ok {
			return
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		timeout := 10 * time.Second
		if ms, err := strconv.Atoi(r.URL.Query().Get("timeout_ms")); err == nil && ms > 0 {
			timeout = time.Duration(ms) * time.Millisecond
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		out, err := wait(ctx, id, n)
		if err != nil {
			WriteError(w, http.StatusRequestTimeout, err.Error())
			return
		}
		WriteJSON(w, http.StatusOK, out)
	})
}

// Act serves POST /_fake/users/{id}/<name>: the user with that id acts (writes, presses a button ...) with the
// JSON body read into In (names match case-insensitively, {"payload"} fills Payload; an In of struct{} reads
// no body), and the answer is what act returns, the update the bot will receive.
func Act[In, Out any](m *ControlMux, name string, act func(userID int64, in In) (Out, error)) {
	m.HandleFunc("POST /_fake/users/{id}/"+name, func(w http.ResponseWriter, r *http.Request) {
		id, ok := PathID(w, r)
		if !ok {
			return
		}
		var in In
		if _, none := any(in).(struct{}); !none {
			if err := DecodeBody(r, &in); err != nil {
				m.Error(w, err)
				return
			}
		}
		out, err := act(id, in)
		if err != nil {
			m.Error(w, err)
			return
		}
		WriteJSON(w, http.StatusOK, out)
	})
}

// Error answers an error of the fake's controls: 404 for an unknown user or message, 400 otherwise.
func (m *ControlMux) Error(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	for _, nf := range m.notFound {
		if errors.Is(err, nf) {
			status = http.StatusNotFound
		}
	}
	WriteError(w, status, strings.TrimPrefix(err.Error(), m.errPrefix))
}

// HandleEvents serves GET /_fake/events: subscribe's events as server-sent events, one JSON (what encode makes
// of it) per "data:" line, which a browser's EventSource reads without any library.
func HandleEvents[E any](m *ControlMux, subscribe func() (<-chan E, func()), encode func(E) any) {
	m.HandleFunc("GET /_fake/events", func(w http.ResponseWriter, r *http.Request) {
		flusher, ok := w.(http.Flusher)
		if !ok {
			WriteError(w, http.StatusInternalServerError, "streaming unsupported")
			return
		}
		events, cancel := subscribe()
		defer cancel()
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		flusher.Flush()
		keepAlive := time.NewTicker(15 * time.Second)
		defer keepAlive.Stop()
		for {
			select {
			case e := <-events:
				data, _ := json.Marshal(encode(e))
				fmt.Fprintf(w, "data: %s\n\n", data)
				flusher.Flush()
			case <-keepAlive.C:
				fmt.Fprint(w, ": keep-alive\n\n")
				flusher.Flush()
			case <-r.Context().Done():
				return
			}
		}
	})
}

// PathID is the request's {id}, or false after answering 400.
func PathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		WriteError(w, http.StatusBadRequest, "bad id")
		return 0, false
	}
	return id, true
}

// DecodeBody reads an optional JSON body of at most 1 MiB; field names match case-insensitively, so
// {"payload":...} fills Payload.
func DecodeBody(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("bad JSON body: %w", err)
	}
	return nil
}

// ReadJSON is DecodeBody, answering 400 when the body is bad.
func ReadJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := DecodeBody(r, v); err != nil {
		WriteError(w, http.StatusBadRequest, err.Error())
		return false
	}
	return true
}

// WriteError answers {"error": msg} with status.
func WriteError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, map[string]string{"error": msg})
}

// WriteJSON answers v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// NonNil makes an empty list encode as [] rather than null, which is friendlier to JavaScript callers.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
