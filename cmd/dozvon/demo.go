package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/campaigns"
	"dozvon/internal/auth"
	"dozvon/internal/config"
	"dozvon/internal/demo"
)

func demoCommand(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	db, err := openDatabase(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := seedDemo(ctx, db.Pool)
	if err != nil {
		return err
	}
	if s.Clients == 0 {
		if s.Scripts > 0 {
			fmt.Fprintf(stdout, "the demo data is already there; added %d operator scripts\n", s.Scripts)
			return nil
		}
		fmt.Fprintln(stdout, "the demo data is already there")
		return nil
	}
	printDemo(stdout, s)
	return nil
}

func seedDemo(ctx context.Context, pool *pgxpool.Pool) (demo.Seeded, error) {
	return demo.Seed(ctx, pool, auth.NewStore(pool), campaigns.NewStore(pool), time.Now())
}

func printDemo(w io.Writer, s demo.Seeded) {
	fmt.Fprintf(w, "Demo data: %d companies, %d leads, %d simulated chats, %d campaigns, %d operator scripts.\n"+
		"The two weeks before: %d leads written to, %d closed dialogs, %d messages, %d outcomes.\n",
		s.Clients, s.Leads, s.Chats, s.Campaigns, s.Scripts, s.Past.Leads, s.Past.Dialogs, s.Past.Messages, s.Past.Outcomes)
	if s.Password == "" {
		return
	}
	var logins []string
	for _, m := range demo.Team {
		logins = append(logins, fmt.Sprintf("%s (%s)", m.Login, m.Role))
	}
	fmt.Fprintf(w, "Demo team (sign in with password %s; it is shown only this once): %s\n", s.Password, strings.Join(logins, ", "))
}
