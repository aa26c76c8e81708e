package telegram

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
	botID, err := botID(botToken)
	if err != nil {
		return "", fmt.Errorf("telegram: webhook secret: %w", err)
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
func WebhookHandler(inbox *messenger.Inbox, bot int64, secret string, wake func(), log zerolog.Logger) http.HandlerFunc {
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
		key := strconv.FormatInt(*head.UpdateID, 10)
		if _, err := inbox.Store(r.Context(), bot, []string{key}, []json.RawMessage{body}); err != nil {
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
