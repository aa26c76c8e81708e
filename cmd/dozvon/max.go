package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/rs/zerolog"

	"dozvon/internal/config"
	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

// simMaxBot is the simulated MAX bot's username: its invitation links are https://max.ru/dozvon_sim_max_bot?start=…
const simMaxBot = "dozvon_sim_max_bot"

// startMax connects the MAX channel: the real Bot API with MAX_BOT_TOKEN, otherwise (in the simulator, when no
// messenger has a token) the built-in MAX fake, served on a loopback port of its own beside Telegram's and driven
// from the /sim page. It returns nil, nil when MAX is not used (only Telegram has a token).
func startMax(ctx context.Context, cfg *config.Config, db *database, log zerolog.Logger,
	inbound func(context.Context, messenger.Inbound) error) (*max.Service, *maxfake.Fake, error) {
	if !cfg.MaxOn() {
		return nil, nil, nil
	}
	mc := max.ServiceConfig{Token: cfg.MaxBotToken, APIURL: cfg.MaxAPIURL, PublicURL: cfg.PublicURL,
		Sender: messenger.SenderConfig{}, Pool: db.Pool, Log: log, Inbound: inbound}
	var sim *maxfake.Fake
	if cfg.Simulated() {
		// As Telegram's simulator: it forgets everything when the process stops, the database does not. Its
		// message and button ids go on after the stored ones (the inbox keeps updates by mid and callback_id: a
		// reused one would be dropped as a redelivery), and its chats come back.
		sim = maxfake.New(maxfake.Options{BotUsername: simMaxBot, BotFirstName: "Дозвон",
			SeqBase: time.Now().UnixMilli()})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		go func() { _ = sim.Serve(ln) }() // it serves the files its users send too
		context.AfterFunc(ctx, func() { _ = ln.Close(); sim.Close() })
		mc.Token, mc.APIURL, mc.PublicURL = maxfake.DefaultToken, "http://"+ln.Addr().String(), ""
	}
	svc, err := max.NewService(ctx, mc)
	if err != nil {
		return nil, nil, err
	}
	if sim != nil {
		restored, err := restoreSimMaxChats(ctx, sim, svc.Bot, svc.Contacts)
		if err != nil {
			return nil, nil, err
		}
		log.Info().Int("restored_chats", restored).
			Msg("no MAX_BOT_TOKEN: the built-in MAX simulator stands in; open /sim to play the clients")
	}
	return svc, sim, nil
}

// restoreSimMaxChats gives the MAX simulator back the chats of its bot in the contact registry, as
// restoreSimChats does for Telegram's: a MAX dialog's chat id is not its user's id, and both were recorded.
func restoreSimMaxChats(ctx context.Context, sim *maxfake.Fake, bot messenger.Bot, contacts *messenger.Contacts) (int, error) {
	n := 0
	err := contacts.Each(ctx, func(c messenger.Contact) error {
		if c.BotID != bot.ID || c.UserID == nil || *c.UserID <= 0 || c.ChatID <= 0 {
			return nil
		}
		u := maxfake.User{UserID: *c.UserID, ChatID: c.ChatID, FirstName: c.FirstName}
		if c.Username != "" {
			name := c.Username
			u.Username = &name
		}
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
		return 0, fmt.Errorf("restore the MAX simulator's chats: %w", err)
	}
	return n, nil
}
