package fakekit

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// Deliver posts a fake's pending updates to the bot's webhook one at a time, in order, retrying the first until
// the webhook takes it, so a failing endpoint delays the later ones instead of reordering them; it runs until
// ctx ends (the webhook changed or the fake closed: an update being posted then stays pending). next takes the
// first pending update or, when there is none, the channel a new one closes; post delivers one; done records how
// it went (taken: no longer pending). After a failure Deliver waits retryDelay, doubling per failure up to
// max(1s, retryDelay), in real time.
func Deliver[U any](ctx context.Context, retryDelay time.Duration, next func() (u U, ok bool, wake <-chan struct{}),
	post func(context.Context, U) error, done func(U, error)) {
	backoff := retryDelay
	for {
		u, ok, wake := next()
		if !ok {
			select {
			case <-wake:
				continue
			case <-ctx.Done():
				return
			}
		}
		err := post(ctx, u)
		if ctx.Err() != nil {
			return
		}
		done(u, err)
		if err == nil {
			backoff = retryDelay
			continue
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(2*backoff, max(time.Second, retryDelay))
	}
}

// PostUpdate posts an update as JSON to the webhook at target, with the header named secretHeader set to secret
// when there is one, and drains a little of the answer so the connection serves the next update. The answer's
// body is closed; its status is the webhook's verdict.
func PostUpdate(ctx context.Context, client *http.Client, target, secretHeader, secret string, update any) (*http.Response, error) {
	body, err := json.Marshal(update)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	return res, nil
}
