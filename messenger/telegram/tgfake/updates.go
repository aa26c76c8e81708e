package tgfake

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"

	"dozvon/messenger/fakekit"
)

// Updates wait in f.pending until confirmed: by a getUpdates call with a
// higher offset, or by a 2xx answer from the webhook. This is Telegram's
// at-least-once model, and what makes offset handling testable.

const maxUpdatesLimit = 100

// enqueueLocked assigns the next update_id and queues u for the bot.
func (f *Fake) enqueueLocked(u Update) Update {
	f.nextUpdateID++
	u.UpdateID = f.nextUpdateID
	f.pending = append(f.pending, u)
	f.updatesSig.Notify()
	f.stateSig.Notify()
	return u
}

// confirmLocked forgets updates before offset. A negative offset keeps
// only the last -offset updates, as documented for getUpdates.
func (f *Fake) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(f.pending) && f.pending[i].UpdateID < offset {
			i++
		}
		f.pending = slices.Delete(f.pending, 0, i)
	case offset < 0:
		if keep := int(-offset); keep < len(f.pending) {
			f.pending = slices.Delete(f.pending, 0, len(f.pending)-keep)
		}
	}
}

// deliverableLocked returns up to limit pending updates the bot asked for,
// dropping those excluded by allowed_updates (Telegram never queues them).
func (f *Fake) deliverableLocked(limit int) []Update {
	if f.allowed != nil {
		f.pending = slices.DeleteFunc(f.pending, func(u Update) bool { return !f.allowed[u.kind()] })
	}
	return slices.Clone(f.pending[:min(limit, len(f.pending))])
}

// setAllowedLocked applies an allowed_updates parameter; an empty list
// means "all the default kinds", which here is everything.
func (f *Fake) setAllowedLocked(p params) *apiError {
	var kinds []string
	ok, err := p.json("allowed_updates", &kinds)
	if err != nil {
		return badRequest("can't parse allowed updates JSON object")
	}
	if !ok {
		return nil // absent: keep the previous setting, as Telegram does
	}
	if len(kinds) == 0 {
		f.allowed = nil
		return nil
	}
	f.allowed = map[string]bool{}
	for _, k := range kinds {
		f.allowed[k] = true
	}
	return nil
}

var (
	errWebhookActive = &apiError{Code: http.StatusConflict, Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	errPollConflict  = &apiError{Code: http.StatusConflict, Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
)

func (f *Fake) getUpdates(ctx context.Context, p params) (any, *apiError) {
	offset := int64(p.int("offset", 0))
	limit := p.int("limit", maxUpdatesLimit)
	if limit < 1 || limit > maxUpdatesLimit {
		limit = maxUpdatesLimit
	}
	timeout := time.Duration(max(p.int("timeout", 0), 0)) * time.Second

	f.mu.Lock()
	if f.webhook.url != "" {
		f.mu.Unlock()
		return nil, errWebhookActive
	}
	if aerr := f.setAllowedLocked(p); aerr != nil {
		f.mu.Unlock()
		return nil, aerr
	}
	// A new poll ends the previous one with 409, like Telegram: two bot
	// instances polling at once is a bug worth surfacing in tests.
	if f.polling > 0 {
		f.pollOverlaps++
	}
	f.polling++
	defer func() { f.mu.Lock(); f.polling--; f.mu.Unlock() }()
	f.pollGen++
	gen := f.pollGen
	f.updatesSig.Notify()
	f.stateSig.Notify() // lets tests wait until the bot is polling
	f.confirmLocked(offset)

	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	for {
		switch {
		case f.pollGen != gen:
			f.mu.Unlock()
			return nil, errPollConflict
		case f.webhook.url != "":
			f.mu.Unlock()
			return nil, errWebhookActive
		}
		batch := f.deliverableLocked(limit)
		if len(batch) > 0 || timer == nil || f.closed {
			f.mu.Unlock()
			return batch, nil
		}
		wake := f.updatesSig.Wait()
		f.mu.Unlock()
		select {
		case <-wake:
		case <-timer:
			return []Update{}, nil
		case <-ctx.Done():
			return []Update{}, nil
		}
		f.mu.Lock()
	}
}

// webhookState is the current webhook; url == "" means polling mode.
type webhookState struct {
	url              string
	secret           string
	maxConnections   int
	ipAddress        string
	lastErrorDate    int64
	lastErrorMessage string
	stop             context.CancelFunc
}

var secretTokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (f *Fake) setWebhook(_ context.Context, p params) (any, *apiError) {
	rawURL := p["url"]
	if rawURL == "" {
		// An empty URL removes the webhook, per the Bot API docs.
		return f.deleteWebhook(context.Background(), p)
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		// Telegram insists on HTTPS; the fake also takes plain HTTP so
		// tests can use httptest servers.
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := p["secret_token"]
	if secret != "" && !secretTokenRe.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConns := p.int("max_connections", 40)

	f.mu.Lock()
	defer f.mu.Unlock()
	if aerr := f.setAllowedLocked(p); aerr != nil {
		return nil, aerr
	}
	if p.bool("drop_pending_updates") {
		f.pending = nil
	}
	f.stopWebhookLocked()
	f.webhook = webhookState{url: rawURL, secret: secret, maxConnections: maxConns, ipAddress: "127.0.0.1"}
	if !f.closed {
		ctx, cancel := context.WithCancel(context.Background())
		f.webhook.stop = cancel
		f.wg.Add(1)
		go f.deliverWebhook(ctx, rawURL, secret)
	}
	f.updatesSig.Notify() // pending long polls now fail with 409
	f.stateSig.Notify()
	return described{true, "Webhook was set"}, nil
}

func (f *Fake) deleteWebhook(_ context.Context, p params) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.bool("drop_pending_updates") {
		f.pending = nil
	}
	if f.webhook.url == "" {
		return described{true, "Webhook is already deleted"}, nil
	}
	f.stopWebhookLocked()
	f.webhook = webhookState{}
	f.stateSig.Notify()
	return described{true, "Webhook was deleted"}, nil
}

func (f *Fake) stopWebhookLocked() {
	if f.webhook.stop != nil {
		f.webhook.stop()
		f.webhook.stop = nil
	}
}

type webhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	IPAddress            string   `json:"ip_address,omitempty"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}

func (f *Fake) getWebhookInfo(context.Context, params) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info := webhookInfo{URL: f.webhook.url, PendingUpdateCount: len(f.pending)}
	if f.webhook.url != "" {
		info.IPAddress = f.webhook.ipAddress
		info.LastErrorDate = f.webhook.lastErrorDate
		info.LastErrorMessage = f.webhook.lastErrorMessage
		info.MaxConnections = f.webhook.maxConnections
		for k := range f.allowed {
			info.AllowedUpdates = append(info.AllowedUpdates, k)
		}
		slices.Sort(info.AllowedUpdates)
	}
	return info, nil
}

// deliverWebhook posts pending updates to the webhook one at a time, in
// order, retrying the head update with back-off until the endpoint answers
// 2xx — so a failing endpoint delays later updates instead of reordering
// them. It runs until the webhook is changed or deleted.
func (f *Fake) deliverWebhook(ctx context.Context, target, secret string) {
	defer f.wg.Done()
	fakekit.Deliver(ctx, f.opts.WebhookRetryDelay, func() (Update, bool, <-chan struct{}) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if batch := f.deliverableLocked(1); len(batch) > 0 {
			return batch[0], true, nil
		}
		return Update{}, false, f.updatesSig.Wait()
	}, func(ctx context.Context, u Update) error {
		return f.postUpdate(ctx, target, secret, u)
	}, func(u Update, err error) {
		now := f.clock.Now()
		f.mu.Lock()
		defer f.mu.Unlock()
		if err != nil {
			f.webhook.lastErrorDate = now.Unix()
			f.webhook.lastErrorMessage = err.Error()
		} else {
			f.pending = slices.DeleteFunc(f.pending, func(p Update) bool { return p.UpdateID == u.UpdateID })
		}
		f.stateSig.Notify()
	})
}

func (f *Fake) postUpdate(ctx context.Context, target, secret string, u Update) error {
	resp, err := fakekit.PostUpdate(ctx, f.opts.WebhookClient, target, "X-Telegram-Bot-Api-Secret-Token", secret, u)
	if err != nil {
		return fmt.Errorf("Connection failed: %v", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Telegram reports non-2xx answers in exactly this shape.
		return fmt.Errorf("Wrong response from the webhook: %s", resp.Status)
	}
	return nil
}

// PendingUpdates returns the updates not yet confirmed by the bot.
func (f *Fake) PendingUpdates() []Update {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.pending)
}
