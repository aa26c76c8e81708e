package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"dozvon/campaigns"
	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/config"
	"dozvon/messenger"
	operatorui "dozvon/operator-ui"
	"dozvon/reports"
)

// serve runs until ctx ends (SIGINT/SIGTERM), then drains HTTP, closes the pool and stops the embedded server,
// in that order, so no request meets a database that is already gone.
func serve(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	db, err := openDatabase(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer db.Close()

	users := auth.NewStore(db.Pool)
	password, err := users.EnsureAdmin(ctx, cfg.AdminLogin, cfg.DefaultLocale)
	if err != nil {
		return err
	}
	if password != "" {
		printAdminPassword(stdout, cfg.AdminLogin, password)
	}

	if cfg.Demo {
		seeded, err := seedDemo(ctx, db.Pool)
		if err != nil {
			return err
		}
		if seeded.Clients > 0 {
			printDemo(stdout, seeded)
		}
	}

	// The environment's foreign-messenger policy, unless an administrator has set one in the UI.
	policy, err := messenger.NewPolicies(db.Pool).FromEnvironment(ctx, cfg.ForeignMessengers)
	if err != nil {
		return err
	}
	if policy.ForeignMessengers != cfg.ForeignMessengers {
		log.Warn().Str("in_force", policy.ForeignMessengers).Str("environment", cfg.ForeignMessengers).
			Msg("the foreign-messenger policy an administrator set under Settings holds, not DOZVON_FOREIGN_MESSENGERS")
	}
	conversations := dialog.New(db.Pool, log.With().Str("part", "dialog").Logger())
	tg, sim, err := startTelegram(ctx, cfg, db, log, conversations.HandleInbound)
	if err != nil {
		return err
	}
	mx, maxSim, err := startMax(ctx, cfg, db, log, conversations.HandleInbound)
	if err != nil {
		return err
	}
	var workers sync.WaitGroup
	workersCtx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	camps := campaigns.NewStore(db.Pool)
	camps.Gateway = campaigns.GatewayClient(cfg.SMSAllowPrivate)
	scheduler := &campaigns.Scheduler{Store: camps, Log: log.With().Str("part", "scheduler").Logger()}
	runs := []func(context.Context) error{scheduler.Run, conversations.Run}
	// The dashboards' rollups, refreshed from the raw tables each minute (each instance tries; one at a time runs).
	rollupLog := log.With().Str("part", "reports").Logger()
	runs = append(runs, func(ctx context.Context) error { return reports.New(db.Pool).RunRollup(ctx, rollupLog) })
	// The environment's bot is Telegram's when Telegram runs, else MAX's: campaigns' test messages go through it,
	// and the console's "typing…"; a campaign's invitations name the bot of the channel it prefers.
	deps := operatorui.Deps{Contacts: messenger.NewContacts(db.Pool), Outbox: messenger.NewOutbox(db.Pool),
		Files: messenger.NewFiles(db.Pool), Sim: sim, MaxSim: maxSim}
	if mx != nil {
		runs = append(runs, mx.Run)
		camps.BotUsername = mx.Bot.Username
		deps.MaxBot = mx.Bot
		deps.BotUsername, deps.Bot, deps.Typing = mx.Bot.Username, mx.Bot, mx.Channel
		if h := mx.WebhookHandler(); h != nil {
			deps.MaxWebhook = h
		}
	}
	if tg != nil {
		runs = append(runs, tg.Run)
		camps.BotUsername = tg.BotUsername
		deps.BotUsername, deps.Bot, deps.Typing = tg.BotUsername, tg.Bot, tg.Client
		deps.Webhook = tg.WebhookHandler() // nil without DOZVON_PUBLIC_URL (and in the simulator): no webhook route
	}
	for _, run := range runs {
		workers.Add(1)
		go func() { defer workers.Done(); _ = run(workersCtx) }()
	}

	ui, err := operatorui.New(operatorui.Deps{
		Log:           log,
		Users:         users,
		Sessions:      auth.NewSessions(db.Pool, cfg.SessionLifetime, cfg.SessionIdle, cfg.SecureCookies()),
		Reports:       reports.New(db.Pool),
		Ready:         db.Pool.Ping,
		DefaultLocale: cfg.DefaultLocale,
		TimeZone:      cfg.TimeZone,
		Version:       version,
		Campaigns:     camps,
		Contacts:      deps.Contacts,
		Outbox:        deps.Outbox,
		Webhook:       deps.Webhook,
		MaxWebhook:    deps.MaxWebhook,
		Sim:           deps.Sim,
		MaxSim:        deps.MaxSim,
		MaxBot:        deps.MaxBot,
		BotUsername:   deps.BotUsername,
		Bot:           deps.Bot,
		Bots:          messenger.NewBots(db.Pool),
		Events:        dialog.NewEvents(db.Pool),
		Dialog:        conversations,
		Typing:        deps.Typing,
		Files:         deps.Files,
		ImportsDB:     db.Pool,

		// The bank's load balancers, whose X-Forwarded-For names the client (login throttling, the audit log).
		TrustedProxies: cfg.TrustedProxies,
		MetricsToken:   cfg.MetricsToken,
		HSTS:           strings.HasPrefix(cfg.PublicURL, "https://"),
	})
	if err != nil {
		return err
	}
	workers.Add(1) // the websocket hub's event listener; stopping it closes the sockets
	go func() { defer workers.Done(); _ = ui.Run(workersCtx) }()
	workers.Add(1) // imports started on the page: stopping records them as stopped before the database goes
	go func() { defer workers.Done(); _ = ui.RunImports(workersCtx) }()
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	srv := ui.Server(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info().Str("addr", ln.Addr().String()).Str("version", version).Msg("Dozvon is serving")
	fmt.Fprintf(stdout, "Dozvon is ready: %s\n", browseURL(cfg, ln.Addr()))

	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info().Msg("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn().Err(err).Msg("http shutdown")
	}
	// Workers finish what is in flight (a send under way is recorded) before the database goes.
	stopWorkers()
	workers.Wait()
	db.Close()
	log.Info().Msg("stopped")
	return nil
}

func browseURL(cfg *config.Config, addr net.Addr) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	host, port, _ := net.SplitHostPort(addr.String())
	if host == "" || host == "::" || host == "0.0.0.0" || strings.HasPrefix(host, "[::") {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func printAdminPassword(w io.Writer, login, password string) {
	line := strings.Repeat("=", 64)
	fmt.Fprintf(w, "%s\n  First start: an administrator was created.\n  login:    %s\n  password: %s\n"+
		"  This password is shown once; you will choose your own at first login.\n%s\n", line, login, password, line)
}
