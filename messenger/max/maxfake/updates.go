package maxfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"dozvon/messenger/fakekit"
)

// Updates wait in f.pending, numbered by position (seq), until acknowledged: by a GET /updates with a marker past
// them, or by a 200 from the webhook. The marker an answer carries is the position of the next update to ask for.

// enqueueLocked queues u for the bot.
func (f *Fake) enqueueLocked(u Update) Update {
	u.seq = f.nextSeq
	f.nextSeq++
	f.pending = append(f.pending, u)
	f.updatesSig.Notify()
	f.stateSig.Notify()
	return u
}

// ackLocked forgets the updates before marker.
func (f *Fake) ackLocked(marker int64) {
	i := 0
	for i < len(f.pending) && f.pending[i].seq < marker {
		i++
	}
	f.pending = slices.Delete(f.pending, 0, i)
}

func (f *Fake) getUpdates(r *http.Request, _ []byte) (any, *apiError) {
	q := r.URL.Query()
	limit, timeout := 100, 30
	var marker *int64
	for name, dst := range map[string]*int{"limit": &limit, "timeout": &timeout} {
		if s := q.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, badRequest(name + ": not a number")
			}
			*dst = n
		}
	}
	if limit < 1 || limit > 1000 || timeout < 0 || timeout > 90 {
		return nil, badRequest("limit must be 1-1000 and timeout 0-90")
	}
	if s := q.Get("marker"); s != "" {
		m, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, badRequest("marker: not a number")
		}
		marker = &m
	}
	var types map[string]bool
	if s := q.Get("types"); s != "" {
		types = map[string]bool{}
		for _, t := range strings.Split(s, ",") {
			types[strings.TrimSpace(t)] = true
		}
	}
	timer := time.NewTimer(time.Duration(timeout) * time.Second)
	defer timer.Stop()
	f.mu.Lock()
	if f.sub != nil {
		f.mu.Unlock()
		return nil, errLongPolling
	}
	if marker != nil {
		f.ackLocked(*marker)
	} else if len(f.pending) > 1 {
		// Without a marker MAX gives only the latest update: everything before it counts as read.
		f.pending = f.pending[len(f.pending)-1:]
	}
	for {
		batch, next := f.batchLocked(marker, limit, types)
		if len(batch) > 0 || timeout == 0 || f.closed || f.sub != nil {
			f.mu.Unlock()
			return map[string]any{"updates": batch, "marker": next}, nil
		}
		wake := f.updatesSig.Wait()
		f.mu.Unlock()
		select {
		case <-wake:
		case <-timer.C:
			timeout = 0
		case <-r.Context().Done():
			timeout = 0
		}
		f.mu.Lock()
	}
}

// batchLocked picks up to limit pending updates of the given types from marker on (nil: all pending), and the
// marker that follows them: updates of other types it passes are read too.
func (f *Fake) batchLocked(marker *int64, limit int, types map[string]bool) ([]Update, int64) {
	next := f.nextSeq
	if marker != nil {
		next = *marker
	}
	if len(f.pending) > 0 && (marker == nil || f.pending[0].seq > next) {
		next = f.pending[0].seq
	}
	batch := []Update{}
	for _, u := range f.pending {
		if u.seq < next {
			continue
		}
		if len(batch) == limit {
			break
		}
		next = u.seq + 1
		if types == nil || types[u.UpdateType] {
			batch = append(batch, u)
		}
	}
	if len(batch) == 0 && len(f.pending) == 0 {
		next = max(next, f.nextSeq)
	}
	return batch, next
}

var secretRe = regexp.MustCompile(`^[a-zA-Z0-9_-]{5,256}$`)

func (f *Fake) subscribe(_ *http.Request, body []byte) (any, *apiError) {
	var in struct {
		URL         string   `json:"url"`
		UpdateTypes []string `json:"update_types"`
		Secret      *string  `json:"secret"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("cannot parse the body: " + err.Error())
	}
	u, err := url.Parse(in.URL)
	if err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
		// MAX takes only https on port 443; the fake takes http too, for test servers.
		return nil, badRequest("url: must be an https:// address")
	}
	secret := ""
	if in.Secret != nil {
		if !secretRe.MatchString(*in.Secret) {
			return nil, badRequest("secret: 5-256 characters of A-Z, a-z, 0-9, _ and -")
		}
		secret = *in.Secret
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sub != nil {
		f.sub.stop()
	}
	types := slices.Clone(in.UpdateTypes)
	ctx, cancel := context.WithCancel(context.Background())
	f.sub = &subscription{Subscription: Subscription{URL: in.URL, Time: f.clock.Now().UnixMilli(), UpdateTypes: types},
		secret: secret, stop: cancel}
	if !f.closed {
		f.wg.Add(1)
		go f.deliver(ctx, in.URL, secret, types)
	}
	f.updatesSig.Notify() // long polls in flight end
	f.stateSig.Notify()
	return map[string]bool{"success": true}, nil
}

func (f *Fake) getSubscriptions(*http.Request, []byte) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	subs := []Subscription{}
	if f.sub != nil {
		subs = append(subs, f.sub.Subscription)
	}
	return map[string]any{"subscriptions": subs}, nil
}

func (f *Fake) unsubscribe(r *http.Request, _ []byte) (any, *apiError) {
	target := r.URL.Query().Get("url")
	if target == "" {
		return nil, badRequest("url is required")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sub == nil || f.sub.URL != target {
		return map[string]any{"success": false, "message": "no subscription for " + target}, nil
	}
	f.sub.stop()
	f.sub = nil
	f.stateSig.Notify()
	return map[string]bool{"success": true}, nil
}

// deliver posts pending updates to the webhook one at a time, in order, retrying the first until it gets 200, so
// a failing endpoint delays the later ones instead of reordering them. It runs until the subscription changes.
func (f *Fake) deliver(ctx context.Context, target, secret string, types []string) {
	defer f.wg.Done()
	fakekit.Deliver(ctx, f.opts.WebhookRetryDelay, func() (Update, bool, <-chan struct{}) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(types) > 0 {
			f.pending = slices.DeleteFunc(f.pending, func(u Update) bool { return !slices.Contains(types, u.UpdateType) })
		}
		if len(f.pending) == 0 {
			return Update{}, false, f.updatesSig.Wait()
		}
		return f.pending[0], true, nil
	}, func(ctx context.Context, u Update) error {
		return f.post(ctx, target, secret, u)
	}, func(u Update, err error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if err == nil {
			f.pending = slices.DeleteFunc(f.pending, func(p Update) bool { return p.seq == u.seq })
		}
		f.stateSig.Notify()
	})
}

func (f *Fake) post(ctx context.Context, target, secret string, u Update) error {
	res, err := fakekit.PostUpdate(ctx, f.opts.WebhookClient, target, "X-Max-Bot-Api-Secret", secret, u)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK { // MAX counts anything but 200 as a failed delivery
		return fmt.Errorf("webhook answered %s", res.Status)
	}
	return nil
}

// PendingUpdates returns the updates the bot has not acknowledged yet.
func (f *Fake) PendingUpdates() []Update {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.pending)
}

// Subscription returns the webhook subscription, nil in long-polling mode.
func (f *Fake) Subscription() *Subscription {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sub == nil {
		return nil
	}
	s := f.sub.Subscription
	return &s
}
