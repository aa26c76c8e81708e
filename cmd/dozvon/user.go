package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"dozvon/internal/auth"
	"dozvon/internal/config"
)

const userUsage = "usage: dozvon user add LOGIN ROLE [NAME...] | user passwd LOGIN | user list"

// userCommand manages users from the shell: the way in when nobody can log in, and for scripted set-ups.
func userCommand(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}
	log := newLogger(cfg, stderr)
	db, err := openDatabase(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer db.Close()
	users := auth.NewStore(db.Pool)

	switch {
	case args[0] == "add" && len(args) >= 3:
		password := auth.RandomPassword()
		u, err := users.Create(ctx, auth.NewUser{Login: args[1], Role: auth.Role(args[2]),
			DisplayName: strings.Join(args[3:], " "), Password: password, MustChangePassword: true,
			Locale: cfg.DefaultLocale})
		if err != nil {
			return err
		}
		_ = users.Audit(ctx, auth.Entry{Actor: "cli", Action: "user.create", Object: u.Login,
			Detail: map[string]any{"role": u.Role}})
		fmt.Fprintf(stdout, "user %s (%s) created; temporary password: %s\n", u.Login, u.Role, password)
		return nil
	case args[0] == "passwd" && len(args) == 2:
		u, err := users.ByLogin(ctx, args[1])
		if err != nil {
			return err
		}
		password := auth.RandomPassword()
		if err := users.SetPassword(ctx, u.ID, password, true); err != nil {
			return err
		}
		_ = users.Audit(ctx, auth.Entry{Actor: "cli", Action: "password.reset", Object: u.Login})
		fmt.Fprintf(stdout, "new temporary password for %s: %s\n", u.Login, password)
		return nil
	case args[0] == "list" && len(args) == 1:
		list, err := users.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOGIN\tROLE\tNAME\tACTIVE\tLAST LOGIN")
		for _, u := range list {
			last := "never"
			if u.LastLoginAt != nil {
				last = u.LastLoginAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", u.Login, u.Role, u.DisplayName, u.Active, last)
		}
		return tw.Flush()
	}
	return errors.New(userUsage)
}
