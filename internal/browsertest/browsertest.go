// Package browsertest lets a Go test drive a real headless Chromium through chromedp, the way an operator's
// browser uses Dozvon: pages are opened, forms typed into and buttons clicked, and what the person would see is
// read back by data-testid.
//
//	page := browsertest.New(t)
//	if status := page.Login(baseURL, "admin", password); status != http.StatusOK { ... }
//	if got := page.Text(`[data-testid=role]`); got != "Administrator" { ... }
//
// Each New starts one browser for one test, with a fresh profile, and stops it when the test ends. Page.Isolated
// opens another tab with cookies of its own, so one test can be two users at once.
//
// Browser tests never skip in CI: when Chromium is missing and CI=true the test fails, saying so. Elsewhere it
// skips. The binary is $CHROMIUM, or /usr/bin/chromium.
//
// When a test fails, every page it opened is captured to a PNG in $BROWSERTEST_SCREENSHOTS (or, when that is
// unset, a browsertest-screenshots folder in the system temporary folder, which outlives the test) and the path
// is logged, together with the last lines Chromium printed.
//
// The helpers call t.Fatal on error, so call them from the test's own goroutine.
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// StepTimeout bounds one helper call (a navigation, a click and the page it leads to, a wait for an element): a
// bound for giving up on a page that will not come, not a figure the page must meet. Generous: under -race a
// password change is two bcrypt rounds of about 0.7 s each on a quiet machine, several times that on a loaded one.
var StepTimeout = 45 * time.Second

// Page is one browser tab. Tabs made by Isolated have cookies and storage of their own.
type Page struct {
	// Ctx is the chromedp context of the tab, for actions the helpers do not cover:
	// chromedp.Run(page.Ctx, chromedp.Title()).
	Ctx  context.Context
	t    testing.TB
	name string
}

// New starts a headless Chromium for this test and returns its first tab. The browser is stopped, and its profile
// removed, when the test ends.
func New(t testing.TB) *Page {
	t.Helper()
	exe, err := chromiumPath()
	if err != nil {
		reason := fmt.Sprintf("browsertest: no Chromium (%v); install it, or set $CHROMIUM to its path", err)
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(reason + "; browser tests must run in CI, they are not skipped there")
		}
		t.Skip(reason)
	}
	profile := t.TempDir() // made first, so it is removed after the browser has stopped
	out := &tail{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox, // tests often run as root in a container, where the sandbox cannot start
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(out),
	)
	lifetime, stopLifetime := browserLifetime(t)
	allocCtx, stopAlloc := chromedp.NewExecAllocator(lifetime, opts...)
	ctx, stopCtx := chromedp.NewContext(allocCtx)
	p := &Page{Ctx: ctx, t: t, name: "page"}
	t.Cleanup(func() {
		if t.Failed() {
			p.captureOnFailure()
			if s := out.String(); s != "" {
				t.Logf("browsertest: Chromium's last output:\n%s", s)
			}
		}
		// A graceful close lets Chromium's helper processes exit before the profile folder is removed.
		closeCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = chromedp.Cancel(closeCtx)
		cancel()
		stopCtx()
		stopAlloc() // waits for the browser process to end
		stopLifetime()
	})
	// The first run starts the browser; it must not be under a shorter timeout, or that would end the browser.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start %s: %v\n%s", exe, err, out.String())
	}
	return p
}

// browserLifetime is the browser's context: it lives as long as the test, however slow the machine, and is
// stopped when the test ends. With a -timeout it ends a tenth of the remaining time before the test binary would,
// so that a test stuck on a page fails with its screenshots rather than being killed with a goroutine dump.
func browserLifetime(t testing.TB) (context.Context, context.CancelFunc) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := d.Deadline(); ok {
			return context.WithDeadline(context.Background(), deadline.Add(-time.Until(deadline)/10))
		}
	}
	return context.WithCancel(context.Background())
}

// chromiumPath finds the browser: $CHROMIUM, or /usr/bin/chromium.
func chromiumPath() (string, error) {
	exe := os.Getenv("CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	return exec.LookPath(exe)
}

// Isolated opens another tab in a browser context of its own: it shares no cookies, storage or cache with the
// other tabs, as if another person logged in on another computer. It is closed when the test ends.
func (p *Page) Isolated() *Page {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.Ctx, chromedp.WithNewBrowserContext())
	iso := &Page{Ctx: ctx, t: p.t, name: fmt.Sprintf("isolated-%d", isolated.Add(1))}
	p.t.Cleanup(func() {
		if p.t.Failed() {
			iso.captureOnFailure()
		}
		cancel()
	})
	// As for the first tab, the run that creates the tab is not under a step timeout.
	if err := chromedp.Do(ctx); err != nil {
		p.t.Fatalf("browsertest: open an isolated tab: %v", err)
	}
	return iso
}

// step runs actions under StepTimeout and fails the test, with a screenshot, when they fail.
func (p *Page) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail(what, err)
	}
}

func (p *Page) fail(what string, err error) {
	p.t.Helper()
	if path, serr := p.Screenshot("failed"); serr == nil {
		p.t.Logf("browsertest: screenshot %s", path)
	}
	p.t.Fatalf("browsertest: %s: %v", what, err)
}

// Open navigates to url, waits for the page to load and returns its HTTP status.
func (p *Page) Open(url string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		p.fail("open "+url, err)
	}
	return int(resp.Status)
}

// Fill replaces the value of the input that selector (CSS) finds by typing value into it, as a person would.
func (p *Page) Fill(selector, value string) {
	p.t.Helper()
	// chromedp.SetValue(sel, "") cannot clear a field (it sets "undefined"), so the field is emptied in the page.
	p.step("fill "+selector,
		chromedp.WaitVisible(chromedp.CSS(selector)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.querySelector(%s).value = ''", jsString(selector))),
		chromedp.SendKeys(chromedp.CSS(selector), value))
}

// Submit clicks the element that selector (CSS) finds, usually a form's button, waits for the page the
// browser lands on after any redirects, and returns that page's HTTP status.
func (p *Page) Submit(selector string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector)))
	if err != nil && staleNode(err) {
		// A page that redraws itself (a live board, a page still loading) replaced the element between finding it
		// and clicking it: find it again, once.
		resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector)))
	}
	if err != nil {
		p.fail("click "+selector, err)
	}
	return int(resp.Status)
}

// staleNode tells whether err is Chromium's answer about an element the page replaced after it was found.
func staleNode(err error) bool {
	return strings.Contains(err.Error(), "Could not find node with given id") ||
		strings.Contains(err.Error(), "No node with given id found")
}

// Login opens baseURL's login page, types login and password into the form and submits it. It returns the
// HTTP status of the page the browser lands on: 200 after a redirect to the user's page, 401 for a refused
// password (the login page again, with its error).
func (p *Page) Login(baseURL, login, password string) int {
	p.t.Helper()
	p.Open(strings.TrimRight(baseURL, "/") + "/login")
	p.Fill(`input[name=login]`, login)
	p.Fill(`input[name=password]`, password)
	return p.Submit(`button[data-testid=login-submit]`)
}

// Text waits for the element that selector (CSS) finds and returns its visible text, trimmed.
func (p *Page) Text(selector string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	for try := 1; err != nil && staleNode(err) && try < 4; try++ {
		// A page that redraws itself (the live board's alerts, every second) replaced the element between finding
		// it and reading it: reading has no effect, so find it again.
		s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	}
	if err != nil {
		p.fail("read the text of "+selector, err)
	}
	return strings.TrimSpace(s)
}

// Has tells, without waiting, whether the current page has an element that selector (CSS) finds.
func (p *Page) Has(selector string) bool {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%s) !== null", jsString(selector))))
	if err != nil {
		p.fail("look for "+selector, err)
	}
	return ok
}

// URL is the address of the current page.
func (p *Page) URL() *url.URL {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		p.fail("read the location", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		p.fail("parse the location", err)
	}
	return u
}

// Path is the path of the current page, such as "/login".
func (p *Page) Path() string {
	p.t.Helper()
	return p.URL().Path
}

// Screenshot saves the visible part of the page as a PNG named after the test and name, in
// $BROWSERTEST_SCREENSHOTS or else the system temporary folder's browsertest-screenshots, and returns its path.
func (p *Page) Screenshot(name string) (string, error) {
	dir := os.Getenv("BROWSERTEST_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "browsertest-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(p.Ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fileName(p.t.Name()+"-"+p.name+"-"+name)+".png")
	return path, os.WriteFile(path, png, 0o644)
}

func (p *Page) captureOnFailure() {
	if p.Ctx.Err() != nil {
		return
	}
	if path, err := p.Screenshot("at-failure"); err == nil {
		p.t.Logf("browsertest: screenshot %s", path)
	} else if !errors.Is(err, context.Canceled) {
		p.t.Logf("browsertest: no screenshot: %v", err)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var isolated atomic.Int64

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// tail keeps the last few kilobytes Chromium printed, to show when a test fails.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 4 << 10

func (w *tail) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	if len(w.buf) > tailSize {
		w.buf = w.buf[len(w.buf)-tailSize:]
		if i := bytes.IndexByte(w.buf, '\n'); i >= 0 {
			w.buf = w.buf[i+1:] // whole lines only
		}
	}
	return len(b), nil
}

// String is the kept output without the D-Bus complaints a container always causes.
func (w *tail) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, line := range strings.Split(string(bytes.TrimSpace(w.buf)), "\n") {
		if !strings.Contains(line, "dbus") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
