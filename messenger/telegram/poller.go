package telegram

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/messenger"
)

// Poller long-polls getUpdates for a bot no instance receives by webhook. One instance per bot polls (Telegram
// answers two polls at once with 409 Conflict): the one holding the bot's lease in telegram_pollers.
//
// A lease row and not an advisory lock: an advisory lock vanishes with its connection (a PostgreSQL restart, a
// terminated backend) and another instance may take it that very moment, while the first still has a long poll
// in flight and has not noticed yet; "never two pollers" would rest on how fast the first notices. A lease ends at
// a moment both know: the holder cuts its own poll a margin before the lease it last renewed runs out, whether it
// can reach PostgreSQL or not, and nobody else may take the lease before it has run out. The lease is renewed on
// a connection of its own (the pool may be busy, and a lost connection is the first sign of trouble) by a watcher
// every Lease/10, and before every getUpdates; a failed renewal cancels the poll in flight at once.
//
// A bot an administrator switched off (messenger.Bots.SetEnabled) is not polled: the renewal refuses the lease, so
// every instance's poll stops within a renewal, and its updates wait at Telegram (which keeps them for 24 hours)
// until the bot is switched on; a poll cut before its batch was stored did not acknowledge it.
type Poller struct {
	Token, APIURL string
	HTTP          *http.Client
	// Bot is the bot's id in messenger.Bots, under which its updates are stored.
	Bot   int64
	Inbox *messenger.Inbox
	Pool  *pgxpool.Pool
	Wake  func()
	Log   zerolog.Logger
	// Timeout is the long-poll wait Telegram holds a request open for (default 25 s).
	Timeout time.Duration
	// Lease is how long the lease lasts unrenewed (default 10 s): after a crash, another instance polls this much
	// later. It is also the wait between tries of an instance whose lease connection died, so that a healthy one
	// takes over.
	Lease time.Duration
	// Owner names this poller in telegram_pollers and its connection's application_name ("dozvon poller OWNER");
	// default host/pid/random.
	Owner string
	// WebhookStale is how long no instance with a public URL must have been seen before this one switches the
	// bot from webhook mode back to polling (default 10 minutes).
	WebhookStale time.Duration
}

// errLeaseLost ends polling: another instance holds the lease, the bot is in webhook mode, or an administrator
// switched it off.
var errLeaseLost = errors.New("telegram: the poller's lease is lost")

// Run polls, while this instance holds the bot's lease, until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	p.setDefaults()
	botID, err := botID(p.Token)
	if err != nil {
		return err
	}
	var said string // what this instance last logged about who receives updates, said once per change
	say := func(what string, ev *zerolog.Event) {
		if what != said {
			said = what
			ev.Msg(what)
		}
	}
	for ctx.Err() == nil {
		sleep(ctx, p.lead(ctx, botID, say))
	}
	return nil
}

func (p *Poller) setDefaults() {
	if p.Timeout == 0 {
		p.Timeout = 25 * time.Second
	}
	if p.HTTP == nil {
		p.HTTP = &http.Client{Timeout: p.Timeout + 15*time.Second}
	}
	if p.Lease == 0 {
		p.Lease = 10 * time.Second
	}
	if p.WebhookStale == 0 {
		p.WebhookStale = 10 * time.Minute
	}
	if p.Owner == "" {
		p.Owner = instanceName()
	}
}

// instanceName names this process in telegram_pollers and telegram_webhooks: host, process id and a random
// suffix (a restarted process, or one of several in a test, is another).
func instanceName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// lead connects, waits for the lease and polls while it holds it; it returns how long to wait before the next try.
func (p *Poller) lead(ctx context.Context, botID int64, say func(string, *zerolog.Event)) time.Duration {
	retry := p.Lease / 5
	l, err := p.connect(ctx, botID)
	if err != nil {
		if ctx.Err() == nil {
			say("connect for the poller's lease; retrying", p.Log.Warn().Err(err))
		}
		return retry
	}
	defer l.close()
	for {
		webhook, held, off, err := l.claim(ctx)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				say("claim the poller's lease; retrying", p.Log.Warn().Err(err))
			}
			return retry
		case off:
			say("the bot is switched off (/admin/bots): no instance polls it", p.Log.Info())
		case webhook != "":
			say("the bot is in webhook mode, set by an instance with DOZVON_PUBLIC_URL: this instance does not poll",
				p.Log.Info().Str("webhook", webhook))
		case held:
			return p.hold(ctx, l, say)
		default:
			say("another instance polls Telegram for updates", p.Log.Info())
		}
		sleep(ctx, retry)
		if ctx.Err() != nil {
			return 0
		}
	}
}

// hold polls while the lease lasts, then gives it up.
func (p *Poller) hold(ctx context.Context, l *lease, say func(string, *zerolog.Event)) time.Duration {
	say("this instance polls Telegram for updates", p.Log.Info())
	// No instance with a public URL has been seen for WebhookStale: whatever webhook is left is nobody's.
	if err := p.deleteWebhook(ctx); err != nil && ctx.Err() == nil {
		p.Log.Warn().Err(err).Msg("switch the bot to long polling (deleteWebhook)")
	}
	pollCtx, cut := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); l.watch(pollCtx, cut) }()
	err := p.poll(pollCtx, l)
	cut()
	wg.Wait()
	l.release()
	switch {
	case ctx.Err() != nil:
		return 0
	case errors.Is(err, errLeaseLost):
		return p.Lease / 5
	}
	// The lease connection failed: step back a whole lease, so that an instance that can reach PostgreSQL polls.
	say("lost the poller's lease connection; stopped polling", p.Log.Warn().AnErr("cause", err))
	return p.Lease
}

// poll calls getUpdates while the lease is held; it returns why it stopped.
func (p *Poller) poll(ctx context.Context, l *lease) error {
	var offset int64
	var backoff time.Duration
	var conflict string // the 409 last logged: said once, not at every try
	for {
		sleep(ctx, backoff)
		if ctx.Err() != nil { // cut while storing a batch: it was not acknowledged, and comes again
			return l.lostBecause()
		}
		if err := l.renew(ctx); err != nil {
			return err
		}
		ids, payloads, err := p.getUpdates(ctx, offset)
		var c *conflictError
		switch {
		case ctx.Err() != nil:
			return l.lostBecause()
		case errors.As(err, &c):
			// Another process polls the bot (Dozvon's lease cannot stop one outside it), or a webhook is set: an
			// instance with a public URL that just started (the renewal will see it), or someone else. Wait;
			// never delete the webhook here.
			if c.Description != conflict {
				conflict = c.Description
				p.Log.Warn().Str("telegram", c.Description).Msg("getUpdates refused with 409 Conflict; backing off")
			}
			backoff = min(max(2*backoff, time.Second), 30*time.Second)
			continue
		case err != nil:
			p.Log.Warn().Err(err).Msg("getUpdates")
			backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			continue
		}
		backoff, conflict = 0, ""
		if len(ids) == 0 {
			continue
		}
		// Stored first, acknowledged after: the next getUpdates with a higher offset is the acknowledgement.
		keys := make([]string, len(ids))
		for i, id := range ids {
			keys[i] = strconv.FormatInt(id, 10)
		}
		if _, err := p.Inbox.Store(ctx, p.Bot, keys, payloads); err != nil {
			p.Log.Error().Err(err).Msg("store polled updates")
			backoff = time.Second
			continue
		}
		offset = ids[len(ids)-1] + 1
		if p.Wake != nil {
			p.Wake()
		}
	}
}

// conflictError is getUpdates' 409: another getUpdates, or a webhook is set.
type conflictError struct{ Description string }

func (e *conflictError) Error() string { return "telegram: getUpdates: 409 " + e.Description }

func (p *Poller) getUpdates(ctx context.Context, offset int64) ([]int64, []json.RawMessage, error) {
	var out []json.RawMessage
	if err := p.call(ctx, "getUpdates", map[string]any{"offset": offset, "timeout": int(p.Timeout.Seconds()),
		"allowed_updates": allowedUpdates}, &out); err != nil {
		return nil, nil, err
	}
	ids := make([]int64, 0, len(out))
	for _, raw := range out {
		var head struct {
			UpdateID int64 `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, nil, fmt.Errorf("telegram: getUpdates: %w", err)
		}
		ids = append(ids, head.UpdateID)
	}
	return ids, out, nil
}

func (p *Poller) deleteWebhook(ctx context.Context) error {
	return p.call(ctx, "deleteWebhook", map[string]any{}, nil)
}

// call posts params to a Bot API method with the poller's HTTP client (its timeout outlasts a long poll).
func (p *Poller) call(ctx context.Context, method string, params, dest any) error {
	body, _ := json.Marshal(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.APIURL+"/bot"+p.Token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, scrubToken(err, p.Token))
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := p.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, scrubToken(err, p.Token))
	}
	defer res.Body.Close()
	var out struct {
		OK          bool            `json:"ok"`
		Description string          `json:"description"`
		Result      json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return fmt.Errorf("telegram: %s: status %d: %w", method, res.StatusCode, err)
	}
	switch {
	case res.StatusCode == http.StatusConflict:
		return &conflictError{Description: out.Description}
	case !out.OK:
		return fmt.Errorf("telegram: %s: %d %s", method, res.StatusCode, out.Description)
	case dest != nil:
		if err := json.Unmarshal(out.Result, dest); err != nil {
			return fmt.Errorf("telegram: %s: %w", method, err)
		}
	}
	return nil
}

// lease is the poller's claim on its bot, on a PostgreSQL connection of its own.
type lease struct {
	p     *Poller
	botID int64
	mu    sync.Mutex // one statement at a time on conn: the watcher's and the poll loop's renewals
	conn  *pgx.Conn
	until time.Time // by this process's clock, no later than the expires_at PostgreSQL stored; guarded by mu
	lost  error     // why the watcher cut the poll; guarded by mu
}

func (p *Poller) connect(ctx context.Context, botID int64) (*lease, error) {
	cfg := p.Pool.Config().ConnConfig.Copy()
	name := "dozvon poller " + p.Owner
	cfg.RuntimeParams["application_name"] = name[:min(len(name), 63)] // PostgreSQL keeps 63 bytes
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("telegram: poller of bot %d: connect: %w", botID, err)
	}
	return &lease{p: p, botID: botID, conn: conn}, nil
}

func (l *lease) close() { _ = l.conn.Close(context.Background()) }

// claim takes or renews the lease unless the bot is in webhook mode (then it returns the webhook's URL) or an
// administrator switched it off (off). The lease is free when nobody holds it or when its holder's ran out.
func (l *lease) claim(ctx context.Context) (webhook string, held, off bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := time.Now() // before PostgreSQL's now(): l.until is never later than expires_at
	err = l.conn.QueryRow(ctx, `
		WITH off AS (
			SELECT FROM bots WHERE id = $5 AND NOT enabled
		), webhook AS (
			SELECT url FROM telegram_webhooks WHERE bot_id = $1 AND seen_at > now() - $4 * interval '1 millisecond'
			ORDER BY seen_at DESC LIMIT 1
		), lease AS (
			INSERT INTO telegram_pollers AS l (bot_id, owner, expires_at)
			SELECT $1, $2, now() + $3 * interval '1 millisecond'
			WHERE NOT EXISTS (SELECT FROM webhook) AND NOT EXISTS (SELECT FROM off)
			ON CONFLICT (bot_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
				WHERE l.owner = excluded.owner OR l.expires_at < now()
			RETURNING 1
		)
		SELECT coalesce((SELECT url FROM webhook), ''), EXISTS (SELECT FROM lease), EXISTS (SELECT FROM off)`,
		l.botID, l.p.Owner, l.p.Lease.Milliseconds(), l.p.WebhookStale.Milliseconds(), l.p.Bot).Scan(&webhook, &held, &off)
	if err != nil {
		return "", false, false, fmt.Errorf("telegram: poller of bot %d: claim the lease: %w", l.botID, err)
	}
	if held {
		l.until = start.Add(l.p.Lease)
	}
	return webhook, held, off, nil
}

// renew keeps the lease, or says why it cannot. It gives up a margin before the lease runs out, so that a poll
// cut then has ended before anyone else may claim it.
func (l *lease) renew(ctx context.Context) error {
	l.mu.Lock()
	deadline := l.until.Add(-l.p.Lease / 4)
	l.mu.Unlock()
	rctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	webhook, held, _, err := l.claim(rctx)
	switch {
	case err != nil:
		return err
	case webhook != "" || !held: // switched off, too
		return errLeaseLost
	}
	return nil
}

// watch renews the lease every Lease/10 while the poll runs and cuts the poll (cut) the moment a renewal fails.
func (l *lease) watch(ctx context.Context, cut context.CancelFunc) {
	for {
		sleep(ctx, l.p.Lease/10)
		if ctx.Err() != nil {
			return
		}
		if err := l.renew(ctx); err != nil {
			if ctx.Err() != nil {
				return // the poll ended on its own; nothing was lost
			}
			l.mu.Lock()
			l.lost = err
			l.mu.Unlock()
			cut()
			return
		}
	}
}

// lostBecause is why the watcher cut the poll, or nil when the poll's parent context ended.
func (l *lease) lostBecause() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// release gives the lease up, so another instance polls at once instead of after it runs out. It runs only
// after the poll has ended. When the lease connection is gone it tries the pool; when PostgreSQL is gone too,
// the lease runs out by itself.
func (l *lease) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	const q = `DELETE FROM telegram_pollers WHERE bot_id = $1 AND owner = $2`
	l.mu.Lock()
	_, err := l.conn.Exec(ctx, q, l.botID, l.p.Owner)
	l.mu.Unlock()
	if err != nil {
		_, _ = l.p.Pool.Exec(ctx, q, l.botID, l.p.Owner)
	}
}

// botID is the bot's id: the number before the colon of its token.
func botID(token string) (int64, error) {
	idText, _, _ := strings.Cut(token, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("telegram: the bot token does not start with the bot's id")
	}
	return id, nil
}
