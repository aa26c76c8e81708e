package max

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/messenger"
)

// WebhookPath is where MAX delivers updates when DOZVON_PUBLIC_URL is set.
const WebhookPath = "/max/webhook"

// RequestsPerSecond is MAX's limit per bot (about 30 requests a second, of any method): the sender's pace.
const RequestsPerSecond = 30

// ServiceConfig is what one MAX bot needs to run.
type ServiceConfig struct {
	Token, APIURL string
	// PublicURL, when set, subscribes MAX's webhook at PublicURL+WebhookPath; otherwise long polling.
	PublicURL string
	// Sender tunes the sender; its Rate is ignored: a MAX bot sends at RequestsPerSecond.
	Sender messenger.SenderConfig
	Pool   *pgxpool.Pool
	Log    zerolog.Logger
	// Inbound receives client messages and button presses for the dialog; nil drops them.
	Inbound func(context.Context, messenger.Inbound) error
	// PollTimeout is how long MAX holds a poll open (default 30 s); Lease how long the polling lease lasts
	// unrenewed (default 10 s): after a crash, another instance polls this much later.
	PollTimeout, Lease time.Duration
}

// Service is one MAX bot of one process: sending, receiving (long polling under a lease, or a webhook),
// processing updates and fetching clients' files. It mirrors telegram.Service; the processor, the sender, the
// pacing and the fetcher are messenger's, the same for every channel.
type Service struct {
	cfg       ServiceConfig
	Client    *Client
	Channel   Channel
	Bot       messenger.Bot
	Outbox    *messenger.Outbox
	Contacts  *messenger.Contacts
	Inbox     *messenger.Inbox
	Files     *messenger.Files
	Sender    *messenger.Sender
	Processor *messenger.Processor
	Fetcher   *messenger.Fetcher
	secret    string // the webhook's secret; "" without a public URL
	owner     string // this instance, in max_receivers.poller
}

// NewService checks the token with GET /me, registers the bot and, with a public URL, subscribes the webhook.
func NewService(ctx context.Context, cfg ServiceConfig) (*Service, error) {
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.Lease == 0 {
		cfg.Lease = 10 * time.Second
	}
	client := NewClient(cfg.Token, cfg.APIURL, nil)
	meCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	me, err := client.Me(meCtx)
	if err != nil {
		return nil, fmt.Errorf("max: the bot token was not accepted (GET /me): %w", err)
	}
	bot, err := messenger.NewBots(cfg.Pool).Register(meCtx, messenger.MAX, strconv.FormatInt(me.UserID, 10), me.Username)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, Client: client, Channel: Channel{Client: client}, Bot: bot, owner: instanceName(),
		Outbox: messenger.NewOutbox(cfg.Pool), Contacts: messenger.NewContacts(cfg.Pool),
		Inbox: messenger.NewInbox(cfg.Pool), Files: messenger.NewFiles(cfg.Pool)}
	if cfg.PublicURL != "" {
		if s.secret, err = webhookSecret(meCtx, cfg.Pool, bot.ID); err != nil {
			return nil, err
		}
		if err := s.markWebhook(meCtx); err != nil {
			return nil, err
		}
		if err := client.Subscribe(meCtx, cfg.PublicURL+WebhookPath, s.secret); err != nil {
			return nil, fmt.Errorf("max: subscribe the webhook: %w", err)
		}
	}
	log := cfg.Log.With().Str("channel", messenger.MAX).Int64("bot_id", bot.ID).Logger()
	s.Fetcher = &messenger.Fetcher{Open: client.OpenFile, Bot: bot.ID, Files: s.Files, Log: log.With().Str("part", "files").Logger()}
	sc := cfg.Sender
	sc.Rate, sc.Unlimited, sc.PaidBroadcast = RequestsPerSecond, false, false
	s.Sender = messenger.NewSender(sc, bot.ID, s.Outbox, messenger.NewPacing(cfg.Pool, bot.ID, RequestsPerSecond),
		s.Contacts, s.Channel, log.With().Str("part", "sender").Logger())
	s.Processor = &messenger.Processor{Bot: bot, Decode: DecodeEvent, Inbox: s.Inbox, Contacts: s.Contacts,
		Outbox: s.Outbox, Answer: client.AnswerCallback, Inbound: cfg.Inbound, Files: s.Files,
		WakeFetch: s.Fetcher.Wake, WakeSend: s.Sender.Wake, Log: log.With().Str("part", "updates").Logger()}
	return s, nil
}

// store keeps received updates in the inbox, under the bot and Key, and wakes the processor.
func (s *Service) store(ctx context.Context, keys []string, payloads [][]byte) error {
	raw := make([]json.RawMessage, len(payloads))
	for i, p := range payloads {
		raw[i] = p
	}
	if _, err := s.Inbox.Store(ctx, s.Bot.ID, keys, raw); err != nil {
		return err
	}
	s.Processor.Wake()
	return nil
}

// WebhookHandler is the route MAX posts updates to, or nil without a public URL.
func (s *Service) WebhookHandler() http.Handler {
	if s.secret == "" {
		return nil
	}
	return WebhookHandler(s.secret, s.store, s.cfg.Log.With().Str("channel", messenger.MAX).Logger())
}

// Run sends, receives, processes and fetches files until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	receive := s.poll
	if s.cfg.PublicURL != "" {
		receive = s.keepWebhook
	}
	messenger.RunAll(ctx, s.Sender.Run, s.Processor.Run, s.Fetcher.Run, s.listen, receive)
	return nil
}

// listen wakes the sender and the processor on the notifications any instance sends.
func (s *Service) listen(ctx context.Context) error {
	messenger.WakeOnNotify(ctx, s.cfg.Pool, s.cfg.Log.With().Str("channel", messenger.MAX).Logger(), s.Sender, s.Processor)
	return nil
}

// webhookStale is how long no instance with a public URL must have been seen before one without polls again.
const webhookStale = 10 * time.Minute

// webhookHeartbeat is how often an instance with a public URL says the bot is in webhook mode and checks that
// MAX still has its subscription (MAX drops one that failed for 8 hours).
var webhookHeartbeat = 30 * time.Second

func (s *Service) markWebhook(ctx context.Context) error {
	if _, err := s.cfg.Pool.Exec(ctx, `
		INSERT INTO max_receivers (bot_id, webhook_seen_at) VALUES ($1, now())
		ON CONFLICT (bot_id) DO UPDATE SET webhook_seen_at = now()`, s.Bot.ID); err != nil {
		return fmt.Errorf("max: record webhook mode of bot %d: %w", s.Bot.ID, err)
	}
	return nil
}

// keepWebhook keeps the bot in webhook mode while this instance runs, and subscribes again when MAX lost the
// subscription (a poller that took over after instances with a public URL were gone for webhookStale, or MAX
// dropping it after 8 hours of failed deliveries).
func (s *Service) keepWebhook(ctx context.Context) error {
	url := s.cfg.PublicURL + WebhookPath
	for {
		sleep(ctx, webhookHeartbeat)
		if ctx.Err() != nil {
			return nil
		}
		if err := s.markWebhook(ctx); err != nil {
			s.cfg.Log.Warn().Err(err).Msg("max: renew webhook mode")
		}
		subs, err := s.Client.Subscriptions(ctx)
		if err != nil || hasSubscription(subs, url) {
			continue
		}
		s.cfg.Log.Warn().Msg("max: the webhook subscription is gone; subscribing again")
		if err := s.Client.Subscribe(ctx, url, s.secret); err != nil {
			s.cfg.Log.Warn().Err(err).Msg("max: subscribe the webhook")
		}
	}
}

func hasSubscription(subs []Subscription, url string) bool {
	for _, sub := range subs {
		if sub.URL == url {
			return true
		}
	}
	return false
}

// webhookSecret returns the bot's webhook secret, made once and kept, so that every instance checks the same one.
func webhookSecret(ctx context.Context, pool *pgxpool.Pool, bot int64) (string, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	var secret string
	err := pool.QueryRow(ctx, `
		INSERT INTO max_receivers AS r (bot_id, webhook_secret) VALUES ($1, $2)
		ON CONFLICT (bot_id) DO UPDATE SET webhook_secret = coalesce(r.webhook_secret, excluded.webhook_secret)
		RETURNING webhook_secret`, bot, hex.EncodeToString(b)).Scan(&secret)
	if err != nil {
		return "", fmt.Errorf("max: the webhook secret of bot %d: %w", bot, err)
	}
	return secret, nil
}

// poll long-polls GET /updates while this instance holds the bot's lease in max_receivers, from the marker kept
// there, and keeps the marker there after every stored batch: a restart, or another instance taking over, neither
// loses updates nor needs more than the keys' deduplication for the batch in flight. A bot an administrator
// switched off is polled by no instance: the lease's renewal refuses it and cuts the poll in flight, and its
// updates wait at MAX, after the stored marker, until the bot is switched on.
func (s *Service) poll(ctx context.Context) error {
	said := ""
	say := func(what string) {
		if what != said {
			said = what
			s.cfg.Log.Info().Str("channel", messenger.MAX).Int64("bot_id", s.Bot.ID).Msg(what)
		}
	}
	for ctx.Err() == nil {
		marker, held, off, err := s.claim(ctx)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				s.cfg.Log.Warn().Err(err).Msg("max: claim the poller's lease; retrying")
			}
		case off:
			s.release() // the poll this instance held has ended: hold returned
			say("max: the bot is switched off (/admin/bots): no instance polls it")
		case !held:
			say("max: another instance polls, or the bot is in webhook mode: this instance does not poll")
		default:
			say("max: this instance polls for updates")
			s.hold(ctx, marker)
			continue
		}
		sleep(ctx, s.cfg.Lease/5)
	}
	s.release()
	return nil
}

// claim takes or renews the polling lease unless an instance with a public URL was seen lately or an
// administrator switched the bot off (off); it returns the stored marker.
func (s *Service) claim(ctx context.Context) (marker *int64, held, off bool, err error) {
	err = s.cfg.Pool.QueryRow(ctx, `
		WITH off AS (
			SELECT FROM bots WHERE id = $1 AND NOT enabled
		), lease AS (
			INSERT INTO max_receivers AS r (bot_id, poller, lease_until)
			SELECT $1, $2, now() + $3 * interval '1 millisecond' WHERE NOT EXISTS (SELECT FROM off)
			ON CONFLICT (bot_id) DO UPDATE SET poller = excluded.poller, lease_until = excluded.lease_until
			WHERE (r.poller = excluded.poller OR r.lease_until IS NULL OR r.lease_until < now())
			  AND (r.webhook_seen_at IS NULL OR r.webhook_seen_at < now() - $4 * interval '1 millisecond')
			RETURNING marker
		)
		SELECT (SELECT marker FROM lease), EXISTS (SELECT FROM lease), EXISTS (SELECT FROM off)`,
		s.Bot.ID, s.owner, s.cfg.Lease.Milliseconds(), webhookStale.Milliseconds()).Scan(&marker, &held, &off)
	if err != nil {
		return nil, false, false, fmt.Errorf("max: poller of bot %d: claim the lease: %w", s.Bot.ID, err)
	}
	return marker, held, off, nil
}

// hold polls while the lease is renewed every Lease/4; a renewal that fails, or does not answer within a
// quarter of the lease, cuts the poll at once, so that it has ended before anyone else may take the lease.
func (s *Service) hold(ctx context.Context, marker *int64) {
	pollCtx, cut := context.WithCancel(ctx)
	defer cut()
	// What MAX may still hold for a subscription left by instances gone for webhookStale is nobody's: without
	// removing it MAX answers no polls.
	if subs, err := s.Client.Subscriptions(pollCtx); err == nil {
		for _, sub := range subs {
			if err := s.Client.Unsubscribe(pollCtx, sub.URL); err != nil {
				s.cfg.Log.Warn().Err(err).Msg("max: remove a stale webhook subscription")
			}
		}
	}
	poller := &Poller{Client: s.Client, Store: s.store, Marker: marker, Timeout: s.cfg.PollTimeout,
		Log: s.cfg.Log.With().Str("channel", messenger.MAX).Str("part", "poller").Logger(),
		SaveMarker: func(ctx context.Context, m int64) error {
			_, err := s.cfg.Pool.Exec(ctx, `UPDATE max_receivers SET marker = $2 WHERE bot_id = $1 AND poller = $3`,
				s.Bot.ID, m, s.owner)
			return err
		}}
	done := make(chan struct{})
	go func() { defer close(done); _ = poller.Run(pollCtx) }()
	for {
		select {
		case <-done:
			return
		case <-time.After(s.cfg.Lease / 4):
		}
		rctx, cancel := context.WithTimeout(pollCtx, s.cfg.Lease/4)
		_, held, _, err := s.claim(rctx)
		cancel()
		if err != nil || !held { // switched off, too
			cut()
			<-done
			return
		}
	}
}

// release gives the lease up when this instance stops, so that another polls at once.
func (s *Service) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = s.cfg.Pool.Exec(ctx, `UPDATE max_receivers SET poller = NULL, lease_until = NULL WHERE bot_id = $1 AND poller = $2`,
		s.Bot.ID, s.owner)
}

// instanceName names this process in max_receivers: host, process id and a random suffix.
func instanceName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}
