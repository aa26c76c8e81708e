// Command dozvon is the whole of Dozvon in one binary: the web server and its workers (serve), and the
// administrative commands (migrate, user). It only wires packages together; the logic lives in them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// Clients' local time (quiet hours, the client card) needs Russia's eleven time zones whether or not the
	// host has tzdata installed (slim containers often do not).
	_ "time/tzdata"

	"dozvon/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Dozvon — messenger telemarketing workbench

Usage:
  dozvon [settings] [command]

Commands:
  serve                    run the web server and workers (default)
  migrate                  apply database migrations and exit
  user add LOGIN ROLE [NAME...]
                           add a user (roles: operator, manager, supervisor, admin); prints a temporary password
  user passwd LOGIN        set a new temporary password for a user and print it
  user list                list users
  import DATASET FILE [-encoding cp1251|utf8|auto] [-delimiter ';'|','|auto] [-map "Колонка=field,..."] [-dry-run]
                           load clients, applications or events from CSV or XLSX; prints the rejected rows
  demo                     add the demo data (companies, leads, campaigns, a team) to the database
  version                  print the version

Settings come from the environment; each has a flag that overrides it:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "dozvon:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dozvon", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	cfg, rest, err := config.Load(getenv, fs, args)
	if err != nil {
		return err
	}
	cmd := "serve"
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, stdout, stderr)
	case "migrate":
		return migrate(ctx, cfg, stdout, stderr)
	case "user":
		return userCommand(ctx, cfg, rest, stdout, stderr)
	case "import":
		return importCommand(ctx, cfg, rest, stdout, stderr)
	case "demo":
		return demoCommand(ctx, cfg, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version)
		return nil
	default:
		fs.Usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
}
