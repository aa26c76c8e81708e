package config

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func load(env map[string]string, args ...string) (*Config, []string, error) {
	return Load(func(k string) string { return env[k] }, flag.NewFlagSet("test", flag.ContinueOnError), args)
}

func TestDefaultsMakeAWorkingEmbeddedSetup(t *testing.T) {
	c, rest, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || !strings.HasSuffix(c.DataDir, "/data") || c.LogLevel != "info" ||
		c.SessionLifetime != 12*time.Hour || c.SessionIdle != time.Hour || c.AdminLogin != "admin" ||
		c.TelegramAPIURL != "https://api.telegram.org" || c.DefaultLocale != "ru" {
		t.Errorf("defaults: %+v", c)
	}
	if !c.Embedded() || !c.Simulated() || c.SecureCookies() {
		t.Errorf("defaults: embedded=%v simulated=%v secure=%v", c.Embedded(), c.Simulated(), c.SecureCookies())
	}
	if len(rest) != 0 {
		t.Errorf("rest = %v", rest)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, rest, err := load(map[string]string{"DOZVON_HTTP_ADDR": ":9000", "DOZVON_LOG_LEVEL": "debug"},
		"-http-addr", "127.0.0.1:7000", "extra")
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:7000" || c.LogLevel != "debug" {
		t.Errorf("HTTPAddr=%q LogLevel=%q", c.HTTPAddr, c.LogLevel)
	}
	if len(rest) != 1 || rest[0] != "extra" {
		t.Errorf("rest = %v", rest)
	}
}

func TestBadSettingsAreAllReportedClearly(t *testing.T) {
	_, _, err := load(map[string]string{
		"DOZVON_HTTP_ADDR":         "8080",
		"DOZVON_PUBLIC_URL":        "dozvon.bank",
		"TELEGRAM_BOT_TOKEN":       "not-a-token-secret",
		"DOZVON_SESSION_IDLE":      "forever",
		"DOZVON_LOG_LEVEL":         "loud",
		"DATABASE_URL":             "::not a url::",
		"DOZVON_ADMIN_LOGIN":       "Admin Root",
		"DOZVON_SESSION_LIFETIME":  "1s",
		"DOZVON_SEND_RATE":         "100",
		"DOZVON_METRICS_TOKEN":     "short secret",
		"DOZVON_SMS_ALLOW_PRIVATE": "sometimes",
	})
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		`DOZVON_HTTP_ADDR="8080" is not host:port (e.g. :8080 or 127.0.0.1:8080)`,
		`DOZVON_PUBLIC_URL="dozvon.bank" is not an absolute http(s) URL`,
		`TELEGRAM_BOT_TOKEN="(hidden)" does not look like a bot token`,
		`DOZVON_SESSION_IDLE="forever" is not a duration (e.g. 30m, 12h)`,
		`DOZVON_LOG_LEVEL="loud" must be one of debug, info, warn, error`,
		`DATABASE_URL="(hidden)" is not a PostgreSQL connection string`,
		`DOZVON_ADMIN_LOGIN="Admin Root" must be 2-63 lower-case letters`,
		`DOZVON_SESSION_LIFETIME="1s" must be between 1m0s and 720h0m0s`,
		`DOZVON_SEND_RATE="100" is above Telegram's free limit of 30 msg/s: set DOZVON_PAID_BROADCAST=true`,
		`DOZVON_METRICS_TOKEN="(hidden)" must be at least 16 characters without spaces`,
		`DOZVON_SMS_ALLOW_PRIVATE="sometimes" must be true or false`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "not-a-token-secret") || strings.Contains(msg, "short secret") {
		t.Error("a secret appeared in the error message")
	}
}

func TestExternalDatabaseBotTokenAndHTTPSCookies(t *testing.T) {
	c, _, err := load(map[string]string{
		"DATABASE_URL":       "postgres://dozvon@db.bank.local:5432/dozvon",
		"DOZVON_PUBLIC_URL":  "https://dozvon.bank.local/",
		"TELEGRAM_BOT_TOKEN": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Embedded() || c.Simulated() || !c.SecureCookies() || c.PublicURL != "https://dozvon.bank.local" {
		t.Errorf("%+v", c)
	}
}

func TestTrustedProxiesAreAddressesAndNetworks(t *testing.T) {
	c, _, err := load(map[string]string{"DOZVON_TRUSTED_PROXIES": " 10.0.0.0/24, 192.168.1.10 ,fd00::/64,10.1.2.3/16"})
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("192.168.1.10/32"),
		netip.MustParsePrefix("fd00::/64"), netip.MustParsePrefix("10.1.0.0/16")}
	if !slices.Equal(c.TrustedProxies, want) {
		t.Errorf("TrustedProxies = %v, want %v", c.TrustedProxies, want)
	}
	if c, _, _ := load(nil); c.TrustedProxies != nil {
		t.Errorf("default TrustedProxies = %v, want none", c.TrustedProxies)
	}
	_, _, err = load(map[string]string{"DOZVON_TRUSTED_PROXIES": "10.0.0.0/24,balancer.bank"})
	if err == nil || !strings.Contains(err.Error(), `DOZVON_TRUSTED_PROXIES="10.0.0.0/24,balancer.bank" has "balancer.bank", which is not an address or CIDR`) {
		t.Errorf("a host name: %v", err)
	}
}

// Telegram's own Bot API delivers webhooks only to https on four ports: a public URL it would refuse in
// setWebhook is refused at start, unless the Bot API is another server (a local one may take plain http) or the
// simulator runs (no webhook at all).
func TestPublicURLTelegramCannotDeliverToIsRefusedAtStart(t *testing.T) {
	const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
	const why = ` cannot receive Telegram's webhook: Telegram delivers only to https:// on port 443, 80, 88 or 8443 ` +
		`(a local Bot API server, set with TELEGRAM_API_URL, may deliver elsewhere)`
	for _, tc := range []struct{ public, api, token, want string }{
		{"http://dozvon.bank.example", "", token, `config: DOZVON_PUBLIC_URL="http://dozvon.bank.example"` + why},
		{"https://dozvon.bank.example:8080/", "", token, `config: DOZVON_PUBLIC_URL="https://dozvon.bank.example:8080"` + why},
		{"https://dozvon.bank.example:9443", "https://API.telegram.org/", token, `config: DOZVON_PUBLIC_URL="https://dozvon.bank.example:9443"` + why},
		{"https://dozvon.bank.example", "", token, ""},
		{"https://dozvon.bank.example:8443/crm", "", token, ""},
		{"https://dozvon.bank.example:88", "", token, ""},
		{"http://dozvon.internal:8080", "http://127.0.0.1:8081", token, ""}, // a local Bot API server
		{"http://localhost:8080", "", "", ""},                               // the simulator
	} {
		env := map[string]string{"DOZVON_PUBLIC_URL": tc.public, "TELEGRAM_BOT_TOKEN": tc.token, "TELEGRAM_API_URL": tc.api}
		_, _, err := load(env)
		if got := fmt.Sprint(err); tc.want == "" && err != nil || tc.want != "" && got != tc.want {
			t.Errorf("%s via %q: got %v\nwant %s", tc.public, tc.api, err, tc.want)
		}
	}
}

// The README's configuration table must list every setting.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range Options {
		if !strings.Contains(string(readme), "`"+o.Env+"`") {
			t.Errorf("README.md does not document %s", o.Env)
		}
	}
}
