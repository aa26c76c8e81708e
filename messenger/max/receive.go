package max

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"dozvon/messenger"
)

// Store keeps received updates, one per key, durably: the poller and the webhook acknowledge updates to MAX only
// after it returned nil, and hand it again what it failed on.
type Store func(ctx context.Context, keys []string, payloads [][]byte) error

// SecretHeader is the header MAX sends a subscription's secret in (POST /subscriptions, "secret").
const SecretHeader = "X-Max-Bot-Api-Secret"

// WebhookHandler receives MAX's webhook deliveries: a delivery without the subscription's secret gets 401, any
// other is stored under its Key and only then answered 200. A failed store answers 503, and MAX delivers again
// (it retries anything but 200 for up to 8 hours, then drops the subscription). A payload Decode cannot read is
// stored too, so nothing MAX sends is lost to a change in its format. An empty secret accepts nothing.
func WebhookHandler(secret string, store Store, log zerolog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "MAX delivers by POST", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get(SecretHeader)
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			log.Warn().Str("remote", r.RemoteAddr).Msg("max: webhook call with a wrong secret")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		key := Key(body)
		if err := store(r.Context(), []string{key}, [][]byte{body}); err != nil {
			log.Error().Err(err).Str("key", key).Msg("max: store a webhook update")
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// Poller long-polls GET /updates for a bot without a webhook. Each batch goes to Store before the marker moves
// past it: MAX counts everything before the marker a request passes as read, so a batch that was not stored is
// asked for again with the same marker. One poller per bot.
type Poller struct {
	Client *Client
	Store  Store
	// Marker is where to start: the marker SaveMarker last saved. nil: MAX gives only the latest update (GET
	// /updates without a marker), and whatever came before it is lost; a first start has nothing before.
	Marker *int64
	// SaveMarker, when set, keeps the marker after each stored batch, for the next start.
	SaveMarker func(ctx context.Context, marker int64) error
	// Timeout is how long MAX holds a poll open (default 30 s, at most 90).
	Timeout time.Duration
	// Limit is the most updates a batch holds (default 100, at most 1000).
	Limit int
	// Types are the update types asked for (default UpdateTypes).
	Types []string
	Log   zerolog.Logger
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	timeout, limit, types := p.Timeout, p.Limit, p.Types
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if limit <= 0 {
		limit = 100
	}
	if types == nil {
		types = UpdateTypes
	}
	var backoff time.Duration
	for {
		sleep(ctx, backoff)
		if ctx.Err() != nil {
			return nil
		}
		batch, err := p.Client.Updates(ctx, p.Marker, limit, timeout, types)
		var flood *messenger.RetryAfterError
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &flood):
			backoff = flood.After
			continue
		case err != nil:
			p.Log.Warn().Err(err).Msg("max: GET /updates")
			backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			continue
		}
		backoff = 0
		if len(batch.Updates) > 0 {
			keys := make([]string, len(batch.Updates))
			payloads := make([][]byte, len(batch.Updates))
			for i, raw := range batch.Updates {
				keys[i], payloads[i] = Key(raw), raw
			}
			if err := p.Store(ctx, keys, payloads); err != nil {
				p.Log.Error().Err(err).Msg("max: store polled updates")
				backoff = time.Second
				continue // the same marker: MAX hands the same updates again
			}
		}
		if batch.Marker == nil || p.Marker != nil && *batch.Marker == *p.Marker {
			continue
		}
		m := *batch.Marker
		p.Marker = &m
		if p.SaveMarker != nil {
			if err := p.SaveMarker(ctx, m); err != nil {
				// Not fatal: a start from an older marker gets stored updates again, which their keys catch.
				p.Log.Warn().Err(err).Msg("max: save the polling marker")
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
