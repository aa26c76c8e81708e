package maxfake

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"dozvon/messenger/fakekit"
)

// DefaultToken is the bot token accepted when Options.Token is empty.
const DefaultToken = "fake-max-bot-token-0123456789abcdef"

// Options configure a Fake; the zero value is usable.
type Options struct {
	// Token is the only token accepted; any other gets 401 verify.token.
	Token        string // default DefaultToken
	BotUsername  string // default "fake_max_bot"
	BotFirstName string // default "Fake MAX Bot"
	BotUserID    int64  // default 900000001

	// Clock drives timestamps, request times and the rate limit. Default: the system clock.
	Clock Clock
	// Limit is MAX's per-bot request limit; on by default.
	Limit RateLimit
	// RequestLogSize bounds the request log (default 1000, negative: none).
	RequestLogSize int
	// WebhookRetryDelay is the first back-off after a failed webhook delivery; it doubles up to
	// max(1s, WebhookRetryDelay). MAX waits 60 s and more; tests do not. Default 50ms.
	WebhookRetryDelay time.Duration
	// WebhookClient delivers webhook updates (default: a client with a 30 s timeout, MAX's).
	WebhookClient *http.Client
	// SeqBase is where message sequence numbers (and so mids) and callback ids start. The simulator forgets
	// everything when the process stops while the database keeps the updates it stored by mid and callback_id:
	// a restarted fake numbering from 0 again would make new updates look like redeliveries.
	SeqBase int64
}

// Clock is the fake's time source.
type Clock = fakekit.Clock

// Fake is an in-memory MAX Bot API server. All methods are safe for concurrent use.
type Fake struct {
	opts    Options
	bot     User
	clock   Clock
	latency fakekit.Latency

	mu         sync.Mutex
	users      map[int64]*User // by user_id
	userOrder  []int64
	chats      map[int64]*chat // by chat_id
	nextUserID int64
	nextChatID int64
	pending    []Update // not yet acknowledged, oldest first
	nextSeq    int64    // the next update's position, as markers count
	sub        *subscription
	callbacks  map[string]*callbackState
	cbSeq      int64
	answers    []CallbackAnswer
	faults     fakekit.Faults[Fault]
	calls      map[string]int
	requests   []Request
	limiter    limiter
	updatesSig fakekit.Signal
	stateSig   fakekit.Signal
	events     fakekit.Hub[Event]
	closed     bool
	wg         sync.WaitGroup

	controlOnce sync.Once
	control     *http.ServeMux

	baseURL string                 // where the fake is served: users' files' URLs start with it
	files   map[string]*storedFile // what users sent, by id
}

type chat struct {
	id      int64
	userID  int64
	stopped bool // the user stopped the bot or deleted the dialog
	seq     int64
	history []Message
	actions []ChatAction
	botSent int
}

type callbackState struct {
	userID  int64
	chatID  int64
	mid     string
	payload string
}

type subscription struct {
	Subscription
	secret string
	stop   func()
}

// New creates a Fake.
func New(opts Options) *Fake {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.BotUsername == "" {
		opts.BotUsername = "fake_max_bot"
	}
	if opts.BotFirstName == "" {
		opts.BotFirstName = "Fake MAX Bot"
	}
	if opts.BotUserID == 0 {
		opts.BotUserID = 900000001
	}
	if opts.Clock == nil {
		opts.Clock = fakekit.SystemClock{}
	}
	if opts.RequestLogSize == 0 {
		opts.RequestLogSize = 1000
	}
	if opts.WebhookRetryDelay <= 0 {
		opts.WebhookRetryDelay = 50 * time.Millisecond
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: 30 * time.Second}
	}
	username := opts.BotUsername
	return &Fake{
		opts:       opts,
		bot:        User{UserID: opts.BotUserID, FirstName: opts.BotFirstName, Username: &username, IsBot: true, Name: opts.BotFirstName},
		clock:      opts.Clock,
		users:      map[int64]*User{},
		chats:      map[int64]*chat{},
		nextUserID: 100000000,
		nextChatID: 500000000,
		nextSeq:    1,
		cbSeq:      opts.SeqBase,
		callbacks:  map[string]*callbackState{},
		calls:      map[string]int{},
		limiter:    limiter{limit: opts.Limit.withDefaults()},
	}
}

// Token is the accepted bot token.
func (f *Fake) Token() string { return f.opts.Token }

// Bot is the bot as GET /me describes it.
func (f *Fake) Bot() User { return f.bot }

// Handler serves the API and, under /_fake/, the controls.
func (f *Fake) Handler() http.Handler { return f }

// StartServer serves the fake on a loopback port and returns its base URL and a function that stops both.
func (f *Fake) StartServer() (url string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("maxfake: listen: " + err.Error())
	}
	f.SetURL("http://" + ln.Addr().String())
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		_ = srv.Close() // not Shutdown: long polls would hold it open
		f.Close()
	}
}

// Close stops webhook delivery and ends long polls; requests are still answered, long polls at once.
func (f *Fake) Close() {
	f.mu.Lock()
	f.closed = true
	if f.sub != nil {
		f.sub.stop()
	}
	f.updatesSig.Notify()
	f.stateSig.Notify()
	f.mu.Unlock()
	f.wg.Wait()
}

// apiError is an error answer: the status and MAX's body.
type apiError struct {
	Status     int
	Code       string
	Message    string
	RetryAfter int // seconds, sent as Retry-After when set (MAX itself sends none)
}

var (
	errUnauthorized = &apiError{http.StatusUnauthorized, "verify.token", "Invalid access_token", 0}
	errNotFound     = &apiError{http.StatusNotFound, "not.found", "Path not found", 0}
	errChatNotFound = &apiError{http.StatusNotFound, "chat.not.found", "Chat not found", 0}
	errDenied       = &apiError{http.StatusForbidden, "chat.denied", "error.dialog.suspended", 0}
	errTooMany      = &apiError{http.StatusTooManyRequests, "too.many.requests", "Too many requests", 0}
	errLongPolling  = &apiError{http.StatusMethodNotAllowed, "method.not.allowed",
		"Long polling is not available while a webhook subscription is active", 0}
)

func badRequest(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "proto.payload", Message: msg}
}

type route struct {
	name string // "POST /messages", as faults and counts name it
	fn   func(f *Fake, r *http.Request, body []byte) (any, *apiError)
}

var chatActionPath = regexp.MustCompile(`^/chats/(-?\d+)/actions$`)

func findRoute(method, path string) (route, string) {
	switch {
	case method == "GET" && path == "/me":
		return route{"GET /me", (*Fake).getMe}, ""
	case method == "POST" && path == "/messages":
		return route{"POST /messages", (*Fake).sendMessage}, ""
	case method == "POST" && path == "/answers":
		return route{"POST /answers", (*Fake).answer}, ""
	case method == "GET" && path == "/updates":
		return route{"GET /updates", (*Fake).getUpdates}, ""
	case method == "GET" && path == "/subscriptions":
		return route{"GET /subscriptions", (*Fake).getSubscriptions}, ""
	case method == "POST" && path == "/subscriptions":
		return route{"POST /subscriptions", (*Fake).subscribe}, ""
	case method == "DELETE" && path == "/subscriptions":
		return route{"DELETE /subscriptions", (*Fake).unsubscribe}, ""
	case method == "POST" && chatActionPath.MatchString(path):
		return route{"POST /chats/{chatId}/actions", (*Fake).chatAction}, chatActionPath.FindStringSubmatch(path)[1]
	}
	return route{}, ""
}

// ServeHTTP serves the API and the controls.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		f.controlMux().ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, FilePath) {
		f.serveFile(w, r) // MAX's file storage, which takes no token
		return
	}
	token := r.Header.Get("Authorization")
	if token == "" {
		token = r.URL.Query().Get("access_token")
	}
	if token != f.opts.Token {
		writeError(w, errUnauthorized)
		return
	}
	rt, chatID := findRoute(r.Method, r.URL.Path)
	if rt.fn == nil {
		f.logRequest(r.Method+" "+r.URL.Path, r, nil, http.StatusNotFound)
		writeError(w, errNotFound)
		return
	}
	if chatID != "" {
		r.SetPathValue("chatId", chatID)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		writeError(w, badRequest("cannot read the body"))
		return
	}
	if !f.latency.Wait(r.Context()) {
		return
	}
	f.mu.Lock()
	admitted := f.limiter.admit(f.clock.Now(), rt.name)
	f.mu.Unlock()
	if !admitted {
		f.logRequest(rt.name, r, body, http.StatusTooManyRequests)
		writeError(w, errTooMany)
		return
	}
	fault, faulted := f.faults.Take(rt.name)
	if faulted && !fault.AfterApply {
		f.writeFault(w, rt.name, r, body, fault)
		return
	}
	result, aerr := rt.fn(f, r, body)
	if faulted {
		// The call took effect, but the bot sees a failure: a response lost after MAX delivered the message.
		f.writeFault(w, rt.name, r, body, fault)
		return
	}
	if aerr != nil {
		f.logRequest(rt.name, r, body, aerr.Status)
		writeError(w, aerr)
		return
	}
	f.logRequest(rt.name, r, body, http.StatusOK)
	writeJSON(w, http.StatusOK, result)
}

func (f *Fake) writeFault(w http.ResponseWriter, name string, r *http.Request, body []byte, ft Fault) {
	if ft.Disconnect {
		f.logRequest(name, r, body, 0)
		panic(http.ErrAbortHandler) // net/http drops the connection without an answer
	}
	e := ft.apiError()
	f.logRequest(name, r, body, e.Status)
	writeError(w, e)
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeJSON(w, e.Status, map[string]string{"code": e.Code, "message": e.Message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"code":"internal.error","message":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// logRequest counts a request and keeps it in the request log.
func (f *Fake) logRequest(name string, r *http.Request, body []byte, status int) {
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[name]++
	if f.opts.RequestLogSize > 0 {
		if len(f.requests) >= f.opts.RequestLogSize {
			f.requests = slices.Delete(f.requests, 0, len(f.requests)-f.opts.RequestLogSize+1)
		}
		q := r.URL.Query()
		q.Del("access_token")
		f.requests = append(f.requests, Request{Time: now.UnixMilli(), Route: name, Query: q.Encode(),
			Body: string(body), Status: status})
	}
	f.stateSig.Notify()
}

var errClosed = errors.New("maxfake: closed")
