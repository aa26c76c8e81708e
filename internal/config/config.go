// Package config owns Dozvon's settings: one typed table of options, each read from an environment variable with
// a command-line flag as an override, with a default, a validator and a line of help. Nothing else reads the
// environment.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is the validated settings of one process.
type Config struct {
	DatabaseURL     string
	HTTPAddr        string
	DataDir         string
	PublicURL       string
	BotToken        string
	TelegramAPIURL  string
	MaxBotToken     string
	MaxAPIURL       string
	LogLevel        string
	LogFormat       string
	SessionLifetime time.Duration
	SessionIdle     time.Duration
	CookieSecure    string // auto, true, false
	TrustedProxies  []netip.Prefix
	PGUser          string
	PGBinDir        string
	AdminLogin      string
	DefaultLocale   string
	TimeZone        *time.Location // the zone pages show times in for users who chose none
	SendRate        float64
	PaidBroadcast   bool
	Demo            bool
	MetricsToken    string
	SMSAllowPrivate bool
	// ForeignMessengers is the foreign-messenger policy the environment gives (allow | deny), until an
	// administrator sets one on the settings page.
	ForeignMessengers string
}

// Option is one row of the settings table.
type Option struct {
	Env     string
	Flag    string
	Default string
	Help    string
	// Secret options are never printed in clear.
	Secret bool
	set    func(c *Config, v string) error
}

var (
	botTokenRe = regexp.MustCompile(`^[0-9]{3,20}:[A-Za-z0-9_-]{30,64}$`)
	loginRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)
)

// Options is every setting Dozvon has, in the order the README's table lists them.
var Options = []Option{
	{Env: "DATABASE_URL", Flag: "database-url", Secret: true,
		Help: "PostgreSQL connection string. Empty: start a private PostgreSQL from the installed server binaries, with its data under DOZVON_DATA_DIR.",
		set: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			if _, err := pgxpool.ParseConfig(v); err != nil {
				return errors.New("is not a PostgreSQL connection string (postgres://user:password@host:5432/dbname)")
			}
			c.DatabaseURL = v
			return nil
		}},
	{Env: "DOZVON_HTTP_ADDR", Flag: "http-addr", Default: ":8080",
		Help: "Address the web server listens on (host:port).",
		set: func(c *Config, v string) error {
			host, port, err := net.SplitHostPort(v)
			if err != nil {
				return errors.New("is not host:port (e.g. :8080 or 127.0.0.1:8080)")
			}
			if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
				return fmt.Errorf("has port %q, want a number 0-65535", port)
			}
			_ = host
			c.HTTPAddr = v
			return nil
		}},
	{Env: "DOZVON_DATA_DIR", Flag: "data-dir", Default: "./data",
		Help: "Folder for the embedded PostgreSQL cluster and local files.",
		set: func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("must not be empty")
			}
			abs, err := filepath.Abs(v)
			if err != nil {
				return err
			}
			if st, err := os.Stat(abs); err == nil && !st.IsDir() {
				return errors.New("exists and is not a folder")
			}
			c.DataDir = abs
			return nil
		}},
	{Env: "DOZVON_PUBLIC_URL", Flag: "public-url",
		Help: "The address clients' browsers and Telegram reach this server at (https://..., port 443, 80, 88 or 8443 for Telegram's webhook). Enables the Telegram webhook and secure cookies; empty: long polling.",
		set: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("is not an absolute http(s) URL (e.g. https://dozvon.bank.example)")
			}
			c.PublicURL = strings.TrimRight(v, "/")
			return nil
		}},
	{Env: "TELEGRAM_BOT_TOKEN", Flag: "telegram-bot-token", Secret: true,
		Help: "Bot token from @BotFather. Empty: run the built-in Telegram simulator (/sim) instead.",
		set: func(c *Config, v string) error {
			if v != "" && !botTokenRe.MatchString(v) {
				return errors.New("does not look like a bot token (digits:35 characters, from @BotFather)")
			}
			c.BotToken = v
			return nil
		}},
	{Env: "TELEGRAM_API_URL", Flag: "telegram-api-url", Default: "https://api.telegram.org",
		Help: "Bot API base URL; point it at a local Bot API server or any compatible one.",
		set: func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("is not an absolute http(s) URL")
			}
			c.TelegramAPIURL = strings.TrimRight(v, "/")
			return nil
		}},
	{Env: "MAX_BOT_TOKEN", Flag: "max-bot-token", Secret: true,
		Help: "MAX bot token from MAX's partner platform. Empty with no TELEGRAM_BOT_TOKEN either: the simulator plays both messengers.",
		set: func(c *Config, v string) error {
			if strings.ContainsAny(v, " \t\r\n") {
				return errors.New("does not look like a MAX bot token (no spaces)")
			}
			c.MaxBotToken = v
			return nil
		}},
	{Env: "MAX_API_URL", Flag: "max-api-url", Default: "https://platform-api.max.ru",
		Help: "MAX Bot API base URL.",
		set: func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("is not an absolute http(s) URL")
			}
			c.MaxAPIURL = strings.TrimRight(v, "/")
			return nil
		}},
	{Env: "DOZVON_PAID_BROADCAST", Flag: "paid-broadcast", Default: "false",
		Help: "Send broadcasts with Telegram's allow_paid_broadcast (paid per message; allows up to 1000 msg/s).",
		set:  boolean(func(c *Config, b bool) { c.PaidBroadcast = b })},
	{Env: "DOZVON_SEND_RATE", Flag: "send-rate", Default: "30",
		Help: "Messages per second the bot sends, across all instances (Telegram: 30 free, up to 1000 paid).",
		set: func(c *Config, v string) error {
			r, err := strconv.ParseFloat(v, 64)
			switch {
			case err != nil || r <= 0:
				return errors.New("must be a positive number of messages per second")
			case r > 1000:
				return errors.New("is above Telegram's limit of 1000 msg/s even with paid broadcasts")
			case r > 30 && !c.PaidBroadcast:
				return errors.New("is above Telegram's free limit of 30 msg/s: set DOZVON_PAID_BROADCAST=true or lower it")
			}
			c.SendRate = r
			return nil
		}},
	{Env: "DOZVON_DEMO", Flag: "demo", Default: "auto",
		Help: "Seed demo data on the first start: auto (with the embedded database and the simulator), true or false.",
		set: func(c *Config, v string) error {
			switch v {
			case "auto":
				c.Demo = c.DatabaseURL == "" && c.Simulated()
			case "true", "false":
				c.Demo = v == "true"
			default:
				return errors.New("must be auto, true or false")
			}
			return nil
		}},
	{Env: "DOZVON_LOG_LEVEL", Flag: "log-level", Default: "info",
		Help: "debug, info, warn or error.",
		set:  oneOf(func(c *Config, v string) { c.LogLevel = v }, "debug", "info", "warn", "error")},
	{Env: "DOZVON_LOG_FORMAT", Flag: "log-format", Default: "console",
		Help: "console (for people) or json (for log collectors).",
		set:  oneOf(func(c *Config, v string) { c.LogFormat = v }, "console", "json")},
	{Env: "DOZVON_SESSION_LIFETIME", Flag: "session-lifetime", Default: "12h",
		Help: "Longest a login lasts, however active (a shift).",
		set:  duration(func(c *Config, d time.Duration) { c.SessionLifetime = d }, time.Minute, 30*24*time.Hour)},
	{Env: "DOZVON_SESSION_IDLE", Flag: "session-idle", Default: "1h",
		Help: "A session with no request for this long ends.",
		set:  duration(func(c *Config, d time.Duration) { c.SessionIdle = d }, time.Minute, 30*24*time.Hour)},
	{Env: "DOZVON_COOKIE_SECURE", Flag: "cookie-secure", Default: "auto",
		Help: "Mark the session cookie Secure: auto (when DOZVON_PUBLIC_URL is https), true or false.",
		set:  oneOf(func(c *Config, v string) { c.CookieSecure = v }, "auto", "true", "false")},
	{Env: "DOZVON_TRUSTED_PROXIES", Flag: "trusted-proxies",
		Help: "The load balancers and proxies in front of Dozvon, as addresses or CIDRs separated by commas; only from them is X-Forwarded-For believed for the client's address. Empty: the connection's address is the client's.",
		set: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, f := range strings.Split(v, ",") {
				f = strings.TrimSpace(f)
				if f == "" {
					continue
				}
				p, err := netip.ParsePrefix(f)
				if err != nil {
					a, aerr := netip.ParseAddr(f)
					if aerr != nil {
						return fmt.Errorf("has %q, which is not an address or CIDR (e.g. 10.0.0.0/24,192.168.1.10)", f)
					}
					p = netip.PrefixFrom(a, a.BitLen())
				}
				c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			}
			return nil
		}},
	{Env: "DOZVON_PG_USER", Flag: "pg-user",
		Help: "OS user that runs the embedded PostgreSQL when Dozvon runs as root (default: postgres, then nobody).",
		set:  func(c *Config, v string) error { c.PGUser = v; return nil }},
	{Env: "DOZVON_PG_BINDIR", Flag: "pg-bindir",
		Help: "Folder with initdb and postgres for the embedded server (default: pg_config --bindir, /usr/lib/postgresql/*/bin, PATH).",
		set: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			if st, err := os.Stat(v); err != nil || !st.IsDir() {
				return errors.New("is not a folder")
			}
			c.PGBinDir = v
			return nil
		}},
	{Env: "DOZVON_ADMIN_LOGIN", Flag: "admin-login", Default: "admin",
		Help: "Login of the administrator created on first start with an empty database.",
		set: func(c *Config, v string) error {
			if !loginRe.MatchString(v) {
				return errors.New("must be 2-63 lower-case letters, digits, '.', '_' or '-'")
			}
			c.AdminLogin = v
			return nil
		}},
	{Env: "DOZVON_LOCALE", Flag: "locale", Default: "ru",
		Help: "UI language of new users: ru or en (each user can switch).",
		set:  oneOf(func(c *Config, v string) { c.DefaultLocale = v }, "ru", "en")},
	{Env: "DOZVON_TIMEZONE", Flag: "timezone", Default: "Europe/Moscow",
		Help: "Time zone pages show times in (IANA name), for users who chose none under My account.",
		set: func(c *Config, v string) error {
			loc, err := time.LoadLocation(v)
			if err != nil || v == "" || v == "Local" {
				return errors.New("is not a time zone (e.g. Europe/Moscow, Asia/Vladivostok, UTC)")
			}
			c.TimeZone = loc
			return nil
		}},
	{Env: "DOZVON_METRICS_TOKEN", Flag: "metrics-token", Secret: true,
		Help: "Bearer token Prometheus sends to read /metrics (Authorization: Bearer ...); empty: /metrics is off (404).",
		set: func(c *Config, v string) error {
			if v != "" && (len(v) < 16 || strings.ContainsAny(v, " \t")) {
				return errors.New("must be at least 16 characters without spaces (e.g. openssl rand -hex 24)")
			}
			c.MetricsToken = v
			return nil
		}},
	{Env: "DOZVON_SMS_ALLOW_PRIVATE", Flag: "sms-allow-private", Default: "false",
		Help: "Let campaigns' SMS-gateway webhooks reach private, loopback and link-local addresses (a gateway inside the bank's network).",
		set:  boolean(func(c *Config, b bool) { c.SMSAllowPrivate = b })},
	{Env: "DOZVON_FOREIGN_MESSENGERS", Flag: "foreign-messengers", Default: "allow",
		Help: "Write to clients on foreign messengers (Telegram): allow, or deny as Federal Law 41-FZ requires of banks in Russia; an administrator may change it under Settings.",
		set:  oneOf(func(c *Config, v string) { c.ForeignMessengers = v }, "allow", "deny")},
}

func oneOf(assign func(*Config, string), allowed ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		for _, a := range allowed {
			if v == a {
				assign(c, v)
				return nil
			}
		}
		return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
	}
}

func duration(assign func(*Config, time.Duration), min, max time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return errors.New("is not a duration (e.g. 30m, 12h)")
		}
		if d < min || d > max {
			return fmt.Errorf("must be between %s and %s", min, max)
		}
		assign(c, d)
		return nil
	}
}

// Load reads every option from the environment (getenv), lets flags in args override it, and validates all of
// them, reporting every bad setting at once. Args that are not settings are returned for the subcommand.
func Load(getenv func(string) string, fs *flag.FlagSet, args []string) (*Config, []string, error) {
	values := make(map[string]*string, len(Options))
	for _, o := range Options {
		v := o.Default
		if env, ok := lookup(getenv, o.Env); ok {
			v = env
		}
		values[o.Env] = fs.String(o.Flag, v, o.Help+" (env "+o.Env+")")
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	c := &Config{}
	var problems []string
	for _, o := range Options {
		v := strings.TrimSpace(*values[o.Env])
		if err := o.set(c, v); err != nil {
			shown := v
			if o.Secret {
				shown = "(hidden)"
			}
			problems = append(problems, fmt.Sprintf("%s=%q %v", o.Env, shown, err))
		}
	}
	if len(problems) == 0 {
		if err := c.checkWebhookURL(); err != nil {
			problems = append(problems, fmt.Sprintf("DOZVON_PUBLIC_URL=%q %v", c.PublicURL, err))
		}
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("config: %s", strings.Join(problems, "; "))
	}
	return c, fs.Args(), nil
}

// webhookPorts are the ports Telegram delivers webhooks to (Bot API, setWebhook).
var webhookPorts = []string{"443", "80", "88", "8443"}

// checkWebhookURL refuses a public URL that Telegram's own Bot API would refuse in setWebhook, at start rather
// than as a failed setWebhook. A local Bot API server or a fake (TELEGRAM_API_URL elsewhere) may deliver to any
// http(s) address, and the simulator sets no webhook at all.
func (c *Config) checkWebhookURL() error {
	if c.PublicURL == "" || c.BotToken == "" {
		return nil
	}
	if api, err := url.Parse(c.TelegramAPIURL); err != nil || !strings.EqualFold(api.Hostname(), "api.telegram.org") {
		return nil
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil {
		return errors.New("is not an absolute http(s) URL")
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	if u.Scheme != "https" || !slices.Contains(webhookPorts, port) {
		return errors.New("cannot receive Telegram's webhook: Telegram delivers only to https:// on port 443, 80, 88 or 8443 " +
			"(a local Bot API server, set with TELEGRAM_API_URL, may deliver elsewhere)")
	}
	return nil
}

func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

// SecureCookies tells whether the session cookie must be Secure.
func (c *Config) SecureCookies() bool {
	switch c.CookieSecure {
	case "true":
		return true
	case "false":
		return false
	}
	return strings.HasPrefix(c.PublicURL, "https://")
}

// Embedded tells whether Dozvon starts its own PostgreSQL.
func (c *Config) Embedded() bool { return c.DatabaseURL == "" }

// Simulated tells whether the built-in simulator stands in for the messengers: no bot token for either. With a
// token for one only, the other is not used at all.
func (c *Config) Simulated() bool { return c.BotToken == "" && c.MaxBotToken == "" }

// TelegramOn and MaxOn tell whether a channel runs: with its token, or simulated.
func (c *Config) TelegramOn() bool { return c.BotToken != "" || c.Simulated() }

// MaxOn: see TelegramOn.
func (c *Config) MaxOn() bool { return c.MaxBotToken != "" || c.Simulated() }

// boolean is the setter of a true/false option.
func boolean(set func(c *Config, b bool)) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		set(c, b)
		return nil
	}
}
