package main

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/rs/zerolog"

	"dozvon/internal/config"
	"dozvon/messenger"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
)

// startTelegram connects the Telegram channel: the real Bot API with TELEGRAM_BOT_TOKEN, otherwise the built-in
// simulator, served on a loopback port of its own and driven from the /sim page. What clients write that the
// messenger does not handle itself goes to inbound (the dialog). It returns nil, nil when Telegram is not used
// (only MAX has a token).
func startTelegram(ctx context.Context, cfg *config.Config, db *database, log zerolog.Logger,
	inbound func(context.Context, messenger.Inbound) error) (*telegram.Service, *tgfake.Fake, error) {
	if !cfg.TelegramOn() {
		return nil, nil, nil
	}
	tc := telegram.ServiceConfig{
		Token: cfg.BotToken, APIURL: cfg.TelegramAPIURL, PublicURL: cfg.PublicURL,
		Sender: messenger.SenderConfig{Rate: cfg.SendRate, PaidBroadcast: cfg.PaidBroadcast},
		Pool:   db.Pool, Log: log, Inbound: inbound,
	}
	var sim *tgfake.Fake
	if cfg.Simulated() {
		// The simulator forgets everything when the process stops; the database does not. Its update ids go on
		// after the stored ones (a reused id would be dropped as a redelivery), and its chats come back.
		bot, err := telegram.RegisterBot(ctx, db.Pool, tgfake.DefaultToken, "dozvon_sim_bot")
		if err != nil {
			return nil, nil, err
		}
		lastUpdate, err := messenger.NewInbox(db.Pool).LastNumericKey(ctx, bot.ID)
		if err != nil {
			return nil, nil, err
		}
		sim = tgfake.New(tgfake.Options{BotUsername: "dozvon_sim_bot", BotFirstName: "Дозвон", HistoryLimit: 500,
			FirstUpdateID: lastUpdate + 1})
		restored, err := restoreSimChats(ctx, sim, bot, messenger.NewContacts(db.Pool))
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		go func() { _ = http.Serve(ln, sim.Handler()) }()
		context.AfterFunc(ctx, func() { _ = ln.Close(); sim.Close() })
		tc.Token, tc.APIURL, tc.PublicURL = tgfake.DefaultToken, "http://"+ln.Addr().String(), ""
		log.Info().Int("restored_chats", restored).
			Msg("no TELEGRAM_BOT_TOKEN: the built-in Telegram simulator stands in; open /sim to play the clients")
	}
	svc, err := telegram.NewService(ctx, tc)
	if err != nil {
		return nil, nil, err
	}
	return svc, sim, nil
}

// restoreSimChats gives the simulator back the chats of the contact registry. The simulator forgets everything
// when the process stops, but the contacts and the leads linked to them are in PostgreSQL: without their chats
// the bot could not write to them (Telegram would say "chat not found") and /sim would not list them. The chats
// come back silently, with an empty history, as the people who play the clients left them (blocked or not).
func restoreSimChats(ctx context.Context, sim *tgfake.Fake, bot messenger.Bot, contacts *messenger.Contacts) (int, error) {
	n := 0
	err := contacts.Each(ctx, func(c messenger.Contact) error {
		if c.BotID != bot.ID || c.ChatID <= 0 { // the simulated bot's private chats only: their id is the user's; groups have negative ids
			return nil
		}
		u := tgfake.User{ID: c.ChatID, FirstName: c.FirstName, Username: c.Username}
		if c.Phone != nil {
			u.Phone = *c.Phone
		}
		if _, err := sim.RestoreChat(u, c.Status == messenger.StatusBlocked); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("restore the simulator's chats: %w", err)
	}
	return n, nil
}
