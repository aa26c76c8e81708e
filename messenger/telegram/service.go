package telegram

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/messenger"
)

// WebhookPath is where Telegram delivers updates when DOZVON_PUBLIC_URL is set.
const WebhookPath = "/telegram/webhook"

// ServiceConfig is what the Telegram channel needs to run.
type ServiceConfig struct {
	Token, APIURL string
	// PublicURL, when set, switches to webhook delivery at PublicURL+WebhookPath; otherwise long polling.
	PublicURL string
	Sender    messenger.SenderConfig
	Pool      *pgxpool.Pool
	Log       zerolog.Logger
	// Inbound receives client messages and button presses for the dialog; nil drops them.
	Inbound func(context.Context, messenger.Inbound) error
}

// Service is the Telegram channel of one process: sending, receiving and processing updates.
type Service struct {
	cfg       ServiceConfig
	Client    *Client
	Outbox    *messenger.Outbox
	Contacts  *messenger.Contacts
	Inbox     *messenger.Inbox
	Sender    *messenger.Sender
	Processor *messenger.Processor
	// Bot is this bot in messenger.Bots: its chats, messages and updates are its own.
	Bot         messenger.Bot
	Files       *messenger.Files
	Fetcher     *messenger.Fetcher
	BotUsername string
	secret      string // the webhook's secret token; "" without a public URL (no webhook)
	instance    string // this instance in telegram_webhooks; "" without a public URL
}

// NewService checks the token with getMe and sets the delivery mode (webhook or polling) at Telegram.
func NewService(ctx context.Context, cfg ServiceConfig) (*Service, error) {
	client, err := NewClient(cfg.Token, cfg.APIURL, nil)
	if err != nil {
		return nil, err
	}
	meCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	username, err := client.Me(meCtx)
	if err != nil {
		return nil, fmt.Errorf("telegram: the bot token was not accepted (getMe): %w", err)
	}
	// Without a public URL nothing is set here: the poller switches the bot to polling when it takes the lease,
	// and not at all while an instance with a public URL keeps the bot in webhook mode.
	var secret, instance string
	if cfg.PublicURL != "" {
		if secret, err = WebhookSecret(meCtx, cfg.Pool, cfg.Token); err != nil {
			return nil, err
		}
		instance = instanceName()
		if err := markWebhookMode(meCtx, cfg.Pool, cfg.Token, instance, cfg.PublicURL+WebhookPath); err != nil {
			return nil, err
		}
		if err := client.SetWebhook(meCtx, cfg.PublicURL+WebhookPath, secret); err != nil {
			return nil, fmt.Errorf("telegram: set the webhook: %w", err)
		}
	}
	bot, err := RegisterBot(meCtx, cfg.Pool, cfg.Token, username)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, Client: client, BotUsername: username, Bot: bot, secret: secret, instance: instance,
		Outbox: messenger.NewOutbox(cfg.Pool), Contacts: messenger.NewContacts(cfg.Pool), Inbox: messenger.NewInbox(cfg.Pool),
		Files: messenger.NewFiles(cfg.Pool)}
	s.Fetcher = &messenger.Fetcher{Open: client.OpenFile, Bot: bot.ID, Files: s.Files, Log: cfg.Log.With().Str("part", "files").Logger()}
	pacing := messenger.NewPacing(cfg.Pool, bot.ID, cfg.Sender.Rate)
	s.Sender = messenger.NewSender(cfg.Sender, bot.ID, s.Outbox, pacing, s.Contacts, client, cfg.Log.With().Str("part", "sender").Logger())
	s.Processor = &messenger.Processor{Bot: bot, Decode: Decode, Inbox: s.Inbox, Contacts: s.Contacts, Outbox: s.Outbox,
		Answer: client.AnswerCallback, Inbound: cfg.Inbound, Files: s.Files, WakeFetch: s.Fetcher.Wake,
		WakeSend: s.Sender.Wake, Log: cfg.Log.With().Str("part", "updates").Logger()}
	return s, nil
}

// RegisterBot records the bot of token, whose username getMe gave, in messenger.Bots, keyed by its id (the number
// before the token's colon), and returns it.
func RegisterBot(ctx context.Context, pool *pgxpool.Pool, token, username string) (messenger.Bot, error) {
	id, err := botID(token)
	if err != nil {
		return messenger.Bot{}, err
	}
	return messenger.NewBots(pool).Register(ctx, messenger.Telegram, strconv.FormatInt(id, 10), username)
}

// WebhookHandler is the route Telegram posts updates to, or nil without a public URL (the simulator, long
// polling): then nobody may post updates at all.
func (s *Service) WebhookHandler() http.HandlerFunc {
	if s.secret == "" {
		return nil
	}
	return WebhookHandler(s.Inbox, s.Bot.ID, s.secret, s.Processor.Wake, s.cfg.Log)
}

// Run sends, receives (polling, unless a webhook is set), processes and fetches clients' files until ctx ends,
// and listens for other instances' NOTIFY so queued messages and stored updates are picked up at once.
func (s *Service) Run(ctx context.Context) error {
	receive := s.keepWebhookMode
	if s.cfg.PublicURL == "" {
		poller := &Poller{Token: s.cfg.Token, APIURL: s.cfg.APIURL, Bot: s.Bot.ID, Inbox: s.Inbox, Pool: s.cfg.Pool,
			Wake: s.Processor.Wake, Log: s.cfg.Log.With().Str("part", "poller").Logger()}
		receive = poller.Run
	}
	messenger.RunAll(ctx, s.Sender.Run, s.Processor.Run, s.Fetcher.Run, s.listen, receive)
	return nil
}

// webhookHeartbeat is how often an instance with a public URL says the bot is in webhook mode and checks that
// Telegram still has its webhook; far below the poller's WebhookStale.
var webhookHeartbeat = 30 * time.Second

// keepWebhookMode keeps the bot in webhook mode while this instance runs: it renews its row of telegram_webhooks,
// so no instance without a public URL polls, and sets the webhook again if Telegram lost it (a poller that
// switched the bot to polling after PostgreSQL had been down longer than WebhookStale, someone's deleteWebhook).
// When it stops it removes its row: after the last such instance stops, an instance without a public URL polls
// at once; after a crash, only once the row is stale.
func (s *Service) keepWebhookMode(ctx context.Context) error {
	id, err := botID(s.cfg.Token)
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, _ = s.cfg.Pool.Exec(ctx, `DELETE FROM telegram_webhooks WHERE bot_id = $1 AND instance = $2`, id, s.instance)
	}()
	url := s.cfg.PublicURL + WebhookPath
	for {
		sleep(ctx, webhookHeartbeat)
		if ctx.Err() != nil {
			return nil
		}
		if err := markWebhookMode(ctx, s.cfg.Pool, s.cfg.Token, s.instance, url); err != nil {
			s.cfg.Log.Warn().Err(err).Msg("renew webhook mode")
		}
		got, err := s.Client.WebhookURL(ctx)
		if err != nil || got == url {
			continue
		}
		s.cfg.Log.Warn().Str("telegram_has", got).Msg("the webhook was changed at Telegram; setting it again")
		if err := s.Client.SetWebhook(ctx, url, s.secret); err != nil {
			s.cfg.Log.Warn().Err(err).Msg("set the webhook")
		}
	}
}

// markWebhookMode records that instance, delivering the bot's updates at url, runs now, and forgets the rows of
// instances that crashed a day ago or more.
func markWebhookMode(ctx context.Context, pool *pgxpool.Pool, token, instance, url string) error {
	id, err := botID(token)
	if err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `
		WITH gone AS (DELETE FROM telegram_webhooks
			WHERE bot_id = $1 AND instance <> $2 AND seen_at < now() - interval '1 day')
		INSERT INTO telegram_webhooks (bot_id, instance, url) VALUES ($1, $2, $3)
		ON CONFLICT (bot_id, instance) DO UPDATE SET url = excluded.url, seen_at = now()`, id, instance, url); err != nil {
		return fmt.Errorf("telegram: record webhook mode of bot %d: %w", id, err)
	}
	return nil
}

// listen wakes the sender and the processor on the notifications any instance sends.
func (s *Service) listen(ctx context.Context) error {
	messenger.WakeOnNotify(ctx, s.cfg.Pool, s.cfg.Log, s.Sender, s.Processor)
	return nil
}
