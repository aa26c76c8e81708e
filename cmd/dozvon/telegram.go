package main

import (
	"context"
	"net"
	"net/http"

	"github.com/rs/zerolog"

	"dozvon/internal/config"
	"dozvon/messenger"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
)

// startTelegram connects the Telegram channel: the real Bot API with TELEGRAM_BOT_TOKEN, otherwise the built-in
// simulator, served on a loopback port of its own and driven from the /sim page.
func startTelegram(ctx context.Context, cfg *config.Config, db *database, log zerolog.Logger) (*telegram.Service, *tgfake.Fake, error) {
	tc := telegram.ServiceConfig{
		Token: cfg.BotToken, APIURL: cfg.TelegramAPIURL, PublicURL: cfg.PublicURL,
		Sender: messenger.SenderConfig{Rate: cfg.SendRate, PaidBroadcast: cfg.PaidBroadcast},
		Pool:   db.Pool, Log: log,
	}
	var sim *tgfake.Fake
	if cfg.Simulated() {
		sim = tgfake.New(tgfake.Options{BotUsername: "dozvon_sim_bot", BotFirstName: "Дозвон", HistoryLimit: 500})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		go func() { _ = http.Serve(ln, sim.Handler()) }()
		context.AfterFunc(ctx, func() { _ = ln.Close(); sim.Close() })
		tc.Token, tc.APIURL, tc.PublicURL = tgfake.DefaultToken, "http://"+ln.Addr().String(), ""
		log.Info().Msg("no TELEGRAM_BOT_TOKEN: the built-in Telegram simulator stands in; open /sim to play the clients")
	}
	svc, err := telegram.NewService(ctx, tc)
	if err != nil {
		return nil, nil, err
	}
	return svc, sim, nil
}
