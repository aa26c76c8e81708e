package operatorui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/rs/zerolog"

	"dozvon/campaigns"
	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/msg"
	"dozvon/messenger"
	"dozvon/messenger/max/maxfake"
	"dozvon/messenger/telegram/tgfake"
	"dozvon/reports"
)

// Deps is what the UI needs from the rest of the process.
type Deps struct {
	Log      zerolog.Logger
	Users    *auth.Store
	Sessions *scs.SessionManager
	Reports  *reports.Reports
	// Ready reports whether the database answers; /readyz uses it.
	Ready         func(context.Context) error
	DefaultLocale string
	// TimeZone is where pages show times for users who chose no zone of their own (DOZVON_TIMEZONE); nil: Moscow.
	TimeZone *time.Location
	Version  string
	// TrustedProxies are the bank's load balancers and proxies: a request from one of them has its client's address
	// taken from X-Forwarded-For (clientip.go). Empty: the peer's address is the client's.
	TrustedProxies []netip.Prefix

	// Campaigns is what campaign managers build and run.
	Campaigns *campaigns.Store
	// Policies is the installation's channel policy (the settings page, the campaign form's note); nil: the
	// campaigns store's.
	Policies *messenger.Policies
	// Contacts is the messenger's contact registry.
	Contacts *messenger.Contacts
	// Outbox queues single messages, such as a campaign's test message; the messenger's sender delivers them.
	Outbox *messenger.Outbox
	// Webhook receives Telegram updates when a public URL is configured; nil answers 404.
	Webhook http.HandlerFunc
	// MaxWebhook receives MAX updates at max.WebhookPath when a public URL is configured; nil answers 404.
	MaxWebhook http.Handler
	// MaxSim is the built-in MAX simulator beside Sim, nil unless the simulator stands in for the messengers.
	MaxSim *maxfake.Fake
	// MaxBot is the MAX simulator's bot in the registry (which the simulator's reach rules look dialogs up by).
	MaxBot messenger.Bot
	// Sim is the built-in Telegram simulator, nil when a real bot token is configured.
	Sim         *tgfake.Fake
	BotUsername string
	// Bot is the environment's Telegram bot (the simulator's without a token): a campaign's test message to a
	// chat id a manager types goes through it.
	Bot messenger.Bot
	// Bots is the registry of bots: the administrator's bots page, and the bots' names on the console when there
	// are several; nil: the page answers 503 and the console names no bot.
	Bots *messenger.Bots

	// Events feeds the websocket hub (/ws); nil answers 503 there. The hub runs in Run.
	Events *dialog.Events
	// Hub tunes the websocket hub; zero values are the production settings.
	Hub HubOptions
	// Dialog is the dialog core: conversations, queues, SLA, outcomes and scripts. nil answers 503 on the
	// supervisor's live view, dialog, script and callback pages.
	Dialog *dialog.Service
	// Typing shows "typing…" in a client's chat while an operator writes to them (the Telegram client, or the
	// simulator's); nil: the console does not show it.
	Typing ChatTyping
	// Files keeps the files clients send, which the console serves to those who may read the dialog; nil: the
	// console lists them but cannot open them.
	Files *messenger.Files

	// ImportsDB is the database campaigns/imports loads the bank's files and API records into (the import page
	// and /api/v1); operator-ui hands it to that package and runs no SQL of its own. nil answers 503 there.
	ImportsDB *pgxpool.Pool
	// MaxUpload caps one uploaded file, in bytes; 0 means imports.DefaultMaxUpload.
	MaxUpload int64

	// MetricsToken is the bearer token /metrics asks for; empty: /metrics answers 404.
	MetricsToken string
	// HSTS makes browsers use https only (Strict-Transport-Security), for a public URL that is https.
	HSTS bool
	// ReadTimeout and UploadReadTimeout bound how long a request's body may take to arrive (Server); zero values
	// are the production settings.
	ReadTimeout, UploadReadTimeout time.Duration
}

// The web server's read limits. Headers must arrive within ReadHeaderTimeout and a whole request within
// ReadTimeout, so a client sending a byte every few seconds cannot hold a connection; the routes that take big
// bodies from someone already let in (a manager's file upload, a bank system's push) give themselves longer
// (allowSlowBody). A websocket is hijacked, which clears the deadlines; the hub keeps its own (pings). There is no
// write timeout: a big export to a slow browser is not an attack on the server.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = time.Minute
	// UploadReadTimeout is long enough for the largest file at about 0.3 MB/s.
	UploadReadTimeout = 30 * time.Minute
)

// Server is the HTTP server of Handler, with its timeouts; base is the context of every request.
func (ui *UI) Server(base context.Context) *http.Server {
	return &http.Server{
		Handler:           ui.Handler(),
		ReadHeaderTimeout: min(ReadHeaderTimeout, ui.readTimeout()),
		ReadTimeout:       ui.readTimeout(),
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
}

func (ui *UI) readTimeout() time.Duration {
	if ui.ReadTimeout > 0 {
		return ui.ReadTimeout
	}
	return ReadTimeout
}

// allowSlowBody lets an authenticated route read its body for UploadReadTimeout instead of ReadTimeout.
func (ui *UI) allowSlowBody(w http.ResponseWriter, r *http.Request) {
	d := ui.UploadReadTimeout
	if d <= 0 {
		d = UploadReadTimeout
	}
	if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(d)); err != nil &&
		!errors.Is(err, http.ErrNotSupported) { // httptest's recorder: no connection to give a deadline
		zerolog.Ctx(r.Context()).Warn().Err(err).Msg("extend the body's read deadline")
	}
}

// UI serves every page and API route.
type UI struct {
	Deps
	pages    *pages
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	hub      *hub
	importer *importRunner
	typing   *typingGate // the console's typing indicator, at most once per dialog per few seconds
}

// New parses the templates (a broken template fails here, at start, not on a user's screen) and sets up metrics.
func New(d Deps) (*UI, error) {
	if d.DefaultLocale == "" {
		d.DefaultLocale = "ru"
	}
	if d.TimeZone == nil {
		d.TimeZone = moscow()
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	if d.Policies == nil && d.Campaigns != nil {
		d.Policies = d.Campaigns.Policies
	}
	ui := &UI{Deps: d, pages: p, registry: prometheus.NewRegistry()}
	ui.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dozvon_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"route", "code"})
	ui.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "dozvon_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route"})
	ui.registry.MustRegister(ui.requests, ui.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if d.Events != nil {
		ui.hub = newHub(d.Events, d.Hub, d.Log, ui.registry)
	}
	ui.importer = newImportRunner()
	ui.typing = newTypingGate()
	return ui, nil
}

// Handler is the whole HTTP surface: the routes of the role table behind request ids, access logging, metrics,
// panic recovery, security headers, cross-origin (CSRF) protection, sessions and the check that what is
// submitted can be stored (input.go).
func (ui *UI) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range ui.Routes() {
		mux.Handle(rt.Pattern, ui.guard(rt.Access, ui.checkInput(rt.Access, rt.Handler)))
	}
	mux.HandleFunc("/", ui.notFound)
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(ui.crossOriginDenied))
	var h http.Handler = mux
	h = auth.LoadAndSave(ui.Sessions, h)
	h = csrf.Handler(h)
	h = securityHeaders(h, ui.HSTS)
	h = ui.recoverer(h)
	h = ui.observe(h)
	return h
}

type ctxKey int

const (
	infoKey ctxKey = iota
	userKey
)

// requestInfo is filled in as the request goes down the chain and read by observe on the way back: the mux sets
// the matched pattern only on the request it hands to the route, not on the one observe holds.
type requestInfo struct {
	route  string
	userID int64
}

var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// statusWriter remembers the status and size of a response for the access log and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (websocket upgrades, flushing).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id (kept from X-Request-Id when the balancer set one), logs it when done and
// counts it by route pattern, so metrics do not explode with ids in paths.
func (ui *UI) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !requestIDRe.MatchString(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		log := ui.Log.With().Str("request_id", id).Logger()
		info := &requestInfo{}
		r = r.WithContext(log.WithContext(context.WithValue(r.Context(), infoKey, info)))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := info.route
		if route == "" {
			route = "unmatched"
		}
		took := time.Since(start)
		ui.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		ui.latency.WithLabelValues(route).Observe(took.Seconds())
		if route == "GET /healthz" || route == "GET /readyz" || route == "GET /metrics" || route == "GET /static/" ||
			// The simulator page polls these every 700 ms, the campaign pages every 2 s; actions (POSTs) are
			// still logged.
			route == "GET /sim/api/chats/{id}" || route == "GET /sim/api/clients" || route == "GET /campaigns/api/progress" ||
			// The console refetches its list on every event and beats its heart every 20 s.
			route == "GET /console/api/state" || route == "POST /console/api/heartbeat" ||
			// The live board refetches on every burst of events, up to twice a second.
			route == "GET /live/api/snapshot" {
			return
		}
		log.Info().Str("method", r.Method).Str("path", r.URL.Path).Str("route", route).
			Int("status", sw.status).Int("bytes", sw.bytes).Dur("took", took).Int64("user_id", info.userID).
			Str("ip", ui.clientIP(r).String()).Msg("http")
	})
}

func (ui *UI) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				zerolog.Ctx(r.Context()).Error().Str("panic", fmt.Sprint(v)).Msg("handler panicked")
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders forbids inline scripts and framing: client text is untrusted everywhere on these pages. With
// hsts, browsers that once reached the server over https never try plain http to it again (a year).
func securityHeaders(next http.Handler, hsts bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// guard enforces a route's row of the role table. The user is read from the database on every request, so a
// deactivation or a role change takes effect at once, on every instance.
func (ui *UI) guard(a Access, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := r.Context().Value(infoKey).(*requestInfo)
		if info != nil {
			info.route = r.Pattern
		}
		if a.Public {
			next(w, r)
			return
		}
		if a.Token {
			ui.tokenGuard(w, r, a.Scope, next)
			return
		}
		u, ok := ui.sessionUser(r)
		if !ok {
			if a.API {
				ui.refuseAPI(w, r, http.StatusUnauthorized, msg.New("api.login_required"))
				return
			}
			target := "/login"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + urlQueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if info != nil {
			info.userID = u.ID
		}
		if !a.allows(u.Role) {
			zerolog.Ctx(r.Context()).Warn().Int64("user_id", u.ID).Str("role", string(u.Role)).
				Str("route", r.Pattern).Msg("role denied")
			if a.API {
				ui.refuseAPI(w, r.WithContext(context.WithValue(r.Context(), userKey, u)), http.StatusForbidden,
					msg.New("api.role_denied"))
				return
			}
			ui.forbidden(w, r.WithContext(context.WithValue(r.Context(), userKey, u)))
			return
		}
		// A user with a temporary password sets their own before anything else: pages send them to it, APIs and the
		// websocket refuse.
		if u.MustChangePassword && !temporaryPasswordRoutes[r.Pattern] {
			if a.API {
				ui.refuseAPI(w, r.WithContext(context.WithValue(r.Context(), userKey, u)), http.StatusForbidden,
					msg.New("api.temporary_password"))
				return
			}
			http.Redirect(w, r, "/account", http.StatusSeeOther)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), userKey, u)))
	})
}

// temporaryPasswordRoutes are all a user may use before replacing a temporary password.
var temporaryPasswordRoutes = map[string]bool{
	"GET /account": true, "POST /account/password": true, "POST /account/locale": true, "POST /logout": true,
}

func (ui *UI) sessionUser(r *http.Request) (auth.User, bool) {
	id := ui.Sessions.GetInt64(r.Context(), auth.SessionUserID)
	if id == 0 {
		return auth.User{}, false
	}
	u, err := ui.Users.ByID(r.Context(), id)
	if err != nil {
		if !errors.Is(err, auth.ErrNotFound) {
			zerolog.Ctx(r.Context()).Error().Err(err).Msg("load session user")
		}
		return auth.User{}, false
	}
	if !u.Active {
		_ = ui.Sessions.Destroy(r.Context())
		return auth.User{}, false
	}
	return u, true
}

// currentUser is the logged-in user of a guarded route.
func currentUser(r *http.Request) auth.User {
	u, _ := r.Context().Value(userKey).(auth.User)
	return u
}
