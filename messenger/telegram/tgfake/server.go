package tgfake

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"dozvon/messenger/fakekit"
)

// DefaultToken is the bot token used when Options.Token is empty.
const DefaultToken = "1000000001:AAFakeTokenForTests_0123456789abcdef"

// Options configure a Fake. The zero value is usable.
type Options struct {
	// Token is the only token accepted; any other gets 401 Unauthorized.
	// The bot's user ID is the numeric part before the colon.
	Token        string // default DefaultToken
	BotUsername  string // default "fake_bot"
	BotFirstName string // default "Fake Bot"

	// Clock drives message dates, request timestamps and flood control.
	// Default: the system clock. Tests move a clock of their own to test flood control.
	Clock Clock

	// Flood configures Telegram-like rate limits; on by default.
	Flood FloodLimits

	// RequestLogSize bounds the request log kept for Requests (default
	// 1000, negative disables it). Calls counts every request regardless.
	RequestLogSize int

	// HistoryLimit bounds the messages kept per chat (0 = unlimited), so
	// long benchmarks don't grow memory without bound.
	HistoryLimit int

	// FirstUpdateID is the update_id of the first update (default 1). A
	// fake that stands in for a bot whose earlier updates are stored
	// somewhere (a simulator restarted on the same database) starts after
	// them, as Telegram's numbering would go on.
	FirstUpdateID int64

	// WebhookRetryDelay is the first back-off after a failed webhook
	// delivery; it doubles per failure up to max(1s, WebhookRetryDelay).
	WebhookRetryDelay time.Duration // default 100ms
	// WebhookClient delivers webhook updates. Default: 10s timeout client.
	WebhookClient *http.Client
}

// Fake is an in-memory Telegram Bot API server. All methods are safe for
// concurrent use.
type Fake struct {
	token   string
	bot     User
	clock   Clock
	opts    Options
	latency fakekit.Latency // added before every API request

	// mu guards all state below. One lock keeps the model simple and
	// consistent; the expensive parts of a request (HTTP, parsing, JSON)
	// happen outside it, so it is not the bottleneck.
	mu           sync.Mutex
	users        map[int64]*User
	userOrder    []int64
	nextUserID   int64
	chats        map[int64]*chat
	msgSeq       int64
	pending      []Update // not yet confirmed, oldest first
	nextUpdateID int64
	allowed      map[string]bool // allowed_updates filter; nil = all
	updatesSig   fakekit.Signal  // new update, poller or webhook change
	stateSig     fakekit.Signal  // any change visible through controls
	pollGen      uint64
	polling      int // getUpdates requests in progress
	pollOverlaps int // getUpdates requests that arrived while another was in progress
	webhook      webhookState
	commands     map[string][]BotCommand
	callbacks    map[string]*callbackState
	callbackSeq  int64
	answers      []CallbackAnswer
	faults       fakekit.Faults[Fault] // by canonical method name
	calls        map[string]int
	requests     []Request // ring buffer of RequestLogSize
	requestsNext int
	flood        floodLimiter
	events       fakekit.Hub[Event]
	files        map[string]*storedFile // by file_id: what users sent
	pollSeq      int64
	closed       bool

	wg sync.WaitGroup // webhook delivery goroutines

	controlOnce sync.Once
	control     *http.ServeMux
}

// chat is the fake's state for one private chat.
type chat struct {
	userID     int64
	blocked    bool
	nextMsgID  int
	history    []*Message // in order; messages are immutable, edits replace them
	actions    []ChatAction
	keyboard   *ReplyKeyboardMarkup // reply keyboard currently shown to the user
	botSent    int                  // messages the bot ever sent here, for WaitSent
	flood      fakekit.Window
	floodUntil time.Time // the chat's flood wait
}

// New creates a Fake.
func New(opts Options) *Fake {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.BotUsername == "" {
		opts.BotUsername = "fake_bot"
	}
	if opts.BotFirstName == "" {
		opts.BotFirstName = "Fake Bot"
	}
	if opts.Clock == nil {
		opts.Clock = fakekit.SystemClock{}
	}
	if opts.RequestLogSize == 0 {
		opts.RequestLogSize = 1000
	}
	if opts.WebhookRetryDelay <= 0 {
		opts.WebhookRetryDelay = 100 * time.Millisecond
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	botID, err := strconv.ParseInt(strings.SplitN(opts.Token, ":", 2)[0], 10, 64)
	if err != nil || botID <= 0 {
		botID = 1000000001
	}
	f := &Fake{
		token: opts.Token,
		bot: User{
			ID:        botID,
			IsBot:     true,
			FirstName: opts.BotFirstName,
			Username:  opts.BotUsername,
		},
		clock:      opts.Clock,
		opts:       opts,
		users:      make(map[int64]*User),
		nextUserID: 100000000,
		chats:      make(map[int64]*chat),
		commands:   make(map[string][]BotCommand),
		callbacks:  make(map[string]*callbackState),
		calls:      make(map[string]int),
		flood:      newFloodLimiter(opts.Flood),
	}
	f.nextUpdateID = max(opts.FirstUpdateID-1, 0) // enqueueLocked increments before use
	return f
}

// Token returns the accepted bot token.
func (f *Fake) Token() string { return f.token }

// Bot returns the bot's own user, as getMe reports it.
func (f *Fake) Bot() User { return f.bot }

// Handler serves the Bot API under /bot<token>/<method>, files users sent
// under /file/bot<token>/<file_path>, and the test controls under /_fake/.
func (f *Fake) Handler() http.Handler { return f }

// ServeHTTP implements http.Handler; see Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		f.controlMux().ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, filePrefix) {
		f.serveFile(w, r)
		return
	}
	f.serveAPI(w, r)
}

// StartServer serves Handler on a random loopback port and returns its base
// URL (pass it to bot.WithServerURL) and a function that stops the server
// and the Fake. It panics if it cannot listen, like httptest.NewServer.
func (f *Fake) StartServer() (url string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("tgfake: listen: " + err.Error())
	}
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		// Close, not Shutdown: long polls would otherwise hold it open.
		_ = srv.Close()
		f.Close()
	}
}

// Close stops webhook delivery and ends pending long polls. The Fake keeps
// answering requests afterwards, but long polls return immediately.
func (f *Fake) Close() {
	f.mu.Lock()
	f.closed = true
	f.stopWebhookLocked()
	f.updatesSig.Notify()
	f.stateSig.Notify()
	f.mu.Unlock()
	f.wg.Wait()
}

// apiError is a Bot API error response; Fault is the public face of it.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func badRequest(desc string) *apiError {
	return &apiError{Code: http.StatusBadRequest, Description: "Bad Request: " + desc}
}

var (
	errUnauthorized = &apiError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
	errNotFound     = &apiError{Code: http.StatusNotFound, Description: "Not Found"}
	errBlocked      = &apiError{Code: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"}
	errChatNotFound = badRequest("chat not found")
)

// described lets a method add the top-level "description" that Telegram
// includes in some successful responses (e.g. "Webhook was set").
type described struct {
	result      any
	description string
}

type apiMethod struct {
	name string // canonical spelling, used in the request log
	fn   func(f *Fake, ctx context.Context, p params) (any, *apiError)
}

// apiMethods is keyed by lower-cased name: Telegram treats method names
// case-insensitively.
var apiMethods = func() map[string]apiMethod {
	list := []apiMethod{
		{"getMe", (*Fake).getMe},
		{"sendMessage", (*Fake).sendMessage},
		{"editMessageText", (*Fake).editMessageText},
		{"editMessageReplyMarkup", (*Fake).editMessageReplyMarkup},
		{"deleteMessage", (*Fake).deleteMessage},
		{"answerCallbackQuery", (*Fake).answerCallbackQuery},
		{"sendChatAction", (*Fake).sendChatAction},
		{"getUpdates", (*Fake).getUpdates},
		{"getFile", (*Fake).getFile},
		{"setWebhook", (*Fake).setWebhook},
		{"deleteWebhook", (*Fake).deleteWebhook},
		{"getWebhookInfo", (*Fake).getWebhookInfo},
		{"setMyCommands", (*Fake).setMyCommands},
		{"getMyCommands", (*Fake).getMyCommands},
		{"deleteMyCommands", (*Fake).deleteMyCommands},
		{"close", (*Fake).closeMethod},
		{"logOut", (*Fake).logOut},
	}
	m := make(map[string]apiMethod, len(list))
	for _, am := range list {
		m[strings.ToLower(am.name)] = am
	}
	return m
}()

// lowerNames maps the methods' canonical spellings to their keys in apiMethods and calls, sparing a
// strings.ToLower per request.
var lowerNames = func() map[string]string {
	m := make(map[string]string, len(apiMethods))
	for key, am := range apiMethods {
		m[am.name] = key
	}
	return m
}()

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	// Path: /bot<token>/<method>. The token itself contains no slash.
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, errNotFound)
		return
	}
	token, methodName, ok := strings.Cut(rest, "/")
	if !ok || methodName == "" || strings.Contains(methodName, "/") {
		writeError(w, errNotFound)
		return
	}
	if token != f.token {
		writeError(w, errUnauthorized)
		return
	}
	key, ok := lowerNames[methodName]
	if !ok {
		key = strings.ToLower(methodName)
	}
	am, ok := apiMethods[key]
	if !ok {
		f.logRequest(methodName, nil, errNotFound.Code)
		writeError(w, errNotFound)
		return
	}
	if !f.latency.Wait(r.Context()) {
		return
	}
	p, err := parseParams(r)
	if err != nil {
		f.logRequest(am.name, nil, http.StatusBadRequest)
		writeError(w, badRequest(err.Error()))
		return
	}

	fault, faulted := f.faults.Take(am.name)
	if faulted && !fault.AfterApply {
		f.writeFault(w, r, am.name, p, fault)
		return
	}
	result, aerr := am.fn(f, r.Context(), p)
	if faulted {
		// The call took effect, but the client sees a failure: the case
		// of a response lost after Telegram already delivered a message.
		f.writeFault(w, r, am.name, p, fault)
		return
	}
	if aerr != nil {
		f.logRequest(am.name, p, aerr.Code)
		writeError(w, aerr)
		return
	}
	f.logRequest(am.name, p, http.StatusOK)
	writeOK(w, result)
}

func (f *Fake) writeFault(w http.ResponseWriter, r *http.Request, method string, p params, fault Fault) {
	if fault.Disconnect {
		f.logRequest(method, p, 0)
		// Makes net/http drop the connection without a response.
		panic(http.ErrAbortHandler)
	}
	aerr := fault.apiError()
	if method == "sendMessage" && aerr.Code == http.StatusTooManyRequests {
		f.mu.Lock()
		f.flood.floodWait(f.clock.Now(), aerr.RetryAfter)
		f.mu.Unlock()
	}
	f.logRequest(method, p, aerr.Code)
	writeError(w, aerr)
}

func writeOK(w http.ResponseWriter, result any) {
	var desc string
	if d, ok := result.(described); ok {
		result, desc = d.result, d.description
	}
	bp := responseBuffers.Get().(*[]byte)
	defer responseBuffers.Put(bp)
	buf := append((*bp)[:0], `{"ok":true,"result":`...)
	var err error
	if m, ok := result.(*Message); ok {
		buf, err = appendMessage(buf, m) // sendMessage, the hot path: see appendMessage
	} else {
		var body []byte
		body, err = json.Marshal(result)
		buf = append(buf, body...)
	}
	if err != nil {
		writeError(w, &apiError{Code: http.StatusInternalServerError, Description: "Internal Server Error: " + err.Error()})
		return
	}
	if desc != "" {
		buf = append(buf, `,"description":`...)
		buf = strconv.AppendQuote(buf, desc)
	}
	buf = append(buf, '}')
	*bp = buf
	w.Header()["Content-Type"] = jsonContentType
	_, _ = w.Write(buf) // copied into the connection's buffer, so buf may be reused
}

// jsonContentType is shared by all responses, read-only: it spares canonicalising the header key and a slice
// per response.
var jsonContentType = []string{"application/json"}

// responseBuffers hold success responses while they are encoded.
var responseBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

type errorBody struct {
	OK          bool            `json:"ok"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := errorBody{ErrorCode: e.Code, Description: e.Description}
	if e.RetryAfter > 0 {
		body.Parameters = &responseParams{RetryAfter: e.RetryAfter}
	}
	buf, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Code)
	_, _ = w.Write(buf)
}

// logRequest counts the call and appends it to the request log.
func (f *Fake) logRequest(method string, p params, status int) {
	var now time.Time
	if f.opts.RequestLogSize >= 0 {
		now = f.clock.Now()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key, ok := lowerNames[method]
	if !ok {
		key = strings.ToLower(method)
	}
	f.calls[key]++
	if f.opts.RequestLogSize < 0 {
		return
	}
	entry := Request{Time: now, Method: method, Params: p, Status: status}
	if len(f.requests) < f.opts.RequestLogSize {
		f.requests = append(f.requests, entry)
	} else {
		f.requests[f.requestsNext] = entry
	}
	f.requestsNext = (f.requestsNext + 1) % f.opts.RequestLogSize
	f.stateSig.Notify()
}

// errClosed is returned by waits when the Fake is closed.
var errClosed = errors.New("tgfake: closed")
