package telegram

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/messenger"
)

// WebhookSecret is the X-Telegram-Bot-Api-Secret-Token of the bot whose token is botToken: random, made once
// and kept in PostgreSQL (telegram_webhook_secrets), so every instance registers and accepts the same one and a
// restart keeps it. Nothing public derives it: the secret of a bot token's hash would be known to anyone who
// knows the token, and the simulator's token is in the source.
func WebhookSecret(ctx context.Context, pool *pgxpool.Pool, botToken string) (string, error) {
	idText, _, _ := strings.Cut(botToken, ":")
	botID, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return "", fmt.Errorf("telegram: webhook secret: the bot token does not start with the bot's id")
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	// Two statements: the SELECT must see the row an instance starting at the same moment inserted first.
	if _, err := pool.Exec(ctx, `INSERT INTO telegram_webhook_secrets (bot_id, secret) VALUES ($1, $2)
		ON CONFLICT (bot_id) DO NOTHING`, botID, hex.EncodeToString(b)); err != nil {
		return "", fmt.Errorf("telegram: store the webhook secret of bot %d: %w", botID, err)
	}
	var secret string
	if err := pool.QueryRow(ctx, `SELECT secret FROM telegram_webhook_secrets WHERE bot_id = $1`, botID).
		Scan(&secret); err != nil {
		return "", fmt.Errorf("telegram: read the webhook secret of bot %d: %w", botID, err)
	}
	return secret, nil
}

// WebhookHandler stores each delivered update in the inbox and only then answers 200, so Telegram redelivers
// whatever was not stored. A wrong or missing secret gets 401 (the library only logs it).
func WebhookHandler(inbox *messenger.Inbox, secret string, wake func(), log zerolog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			log.Warn().Str("remote", r.RemoteAddr).Msg("webhook call with a wrong secret token")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		var head struct {
			UpdateID *int64 `json:"update_id"`
		}
		if err := json.Unmarshal(body, &head); err != nil || head.UpdateID == nil {
			http.Error(w, "not a Telegram update", http.StatusBadRequest)
			return
		}
		if _, err := inbox.Store(r.Context(), []int64{*head.UpdateID}, []json.RawMessage{body}); err != nil {
			log.Error().Err(err).Int64("update_id", *head.UpdateID).Msg("store webhook update")
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if wake != nil {
			wake()
		}
		w.WriteHeader(http.StatusOK)
	}
}

// Poller long-polls getUpdates for installations without a public URL. Only one instance polls at a time
// (Telegram answers 409 to concurrent polls): the one holding a PostgreSQL advisory lock.
type Poller struct {
	Token, APIURL string
	HTTP          *http.Client
	Inbox         *messenger.Inbox
	Pool          *pgxpool.Pool
	Wake          func()
	Log           zerolog.Logger
	// Timeout is the long-poll wait Telegram holds a request open for (default 25 s).
	Timeout time.Duration
}

const pollerLockKey = 0x646f7a766f6e01 // "dozvon" + 1: the poller's leadership lock

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	if p.Timeout == 0 {
		p.Timeout = 25 * time.Second
	}
	if p.HTTP == nil {
		p.HTTP = &http.Client{Timeout: p.Timeout + 15*time.Second}
	}
	for ctx.Err() == nil {
		conn, err := p.Pool.Acquire(ctx)
		if err != nil {
			sleep(ctx, 2*time.Second)
			continue
		}
		var leader bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, pollerLockKey).Scan(&leader); err != nil || !leader {
			conn.Release()
			sleep(ctx, 5*time.Second)
			continue
		}
		p.Log.Info().Msg("this instance polls Telegram for updates")
		p.poll(ctx)
		_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, pollerLockKey)
		conn.Release()
	}
	return nil
}

func (p *Poller) poll(ctx context.Context) {
	var offset int64
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		sleep(ctx, backoff)
		ids, payloads, err := p.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() == nil {
				p.Log.Warn().Err(err).Msg("getUpdates")
			}
			backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			continue
		}
		backoff = 0
		if len(ids) == 0 {
			continue
		}
		// Stored first, acknowledged after: the next getUpdates with a higher offset is the acknowledgement.
		if _, err := p.Inbox.Store(ctx, ids, payloads); err != nil {
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

func (p *Poller) getUpdates(ctx context.Context, offset int64) ([]int64, []json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": int(p.Timeout.Seconds()),
		"allowed_updates": allowedUpdates})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.APIURL+"/bot"+p.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := p.HTTP.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("telegram: getUpdates: %w", err)
	}
	defer res.Body.Close()
	var out struct {
		OK          bool              `json:"ok"`
		Description string            `json:"description"`
		Result      []json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, nil, fmt.Errorf("telegram: getUpdates: status %d: %w", res.StatusCode, err)
	}
	if !out.OK {
		return nil, nil, fmt.Errorf("telegram: getUpdates: %d %s", res.StatusCode, out.Description)
	}
	ids := make([]int64, 0, len(out.Result))
	for _, raw := range out.Result {
		var head struct {
			UpdateID int64 `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, nil, fmt.Errorf("telegram: getUpdates: %w", err)
		}
		ids = append(ids, head.UpdateID)
	}
	return ids, out.Result, nil
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
