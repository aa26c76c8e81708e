package pg

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PasswordFile, in the data folder, holds the password of the embedded server's superuser: 0600, readable by
// Dozvon (and the server's user) only. Commands that attach to a running server read it too.
const PasswordFile = "pg_password"

// hbaConf is the embedded server's whole pg_hba.conf: unix socket connections with the superuser's password, and
// nothing else (the server listens on no TCP port either).
const hbaConf = `# Written by Dozvon (internal/pg) at every start; changes here are overwritten.
# Only unix socket connections, with the password in the data folder's pg_password.
local all all scram-sha-256
`

// passwordMark, in the cluster's folder, is the SHA-256 of the password last set, so that a start knows whether
// the password file and the server agree without trying.
const passwordMark = "dozvon_password.sha256"

// loadPassword reads the password file, creating it with a new random password when there is none.
func loadPassword(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(bytes.TrimSpace(b)) >= 32 {
		if err := os.Chmod(path, 0o600); err != nil {
			return "", fmt.Errorf("pg: make %s private: %w", path, err)
		}
		return string(bytes.TrimSpace(b)), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("pg: read %s: %w", path, err)
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("pg: make a password: %w", err)
	}
	password := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("pg: write %s: %w", path, err)
	}
	return password, nil
}

// secure brings the stopped cluster to Dozvon's access rules before it starts: the superuser's password is the
// one in the password file, and pg_hba.conf allows nothing else. A cluster that an older Dozvon created with
// "trust" for every local user is upgraded in place, its data untouched.
func (e *Embedded) secure(ctx context.Context) error {
	sum := sha256.Sum256([]byte(e.password))
	mark := filepath.Join(e.pgdata, passwordMark)
	if got, err := os.ReadFile(mark); err != nil || strings.TrimSpace(string(got)) != hex.EncodeToString(sum[:]) {
		if err := e.setPassword(ctx); err != nil {
			return err
		}
		if err := e.writeClusterFile(mark, hex.EncodeToString(sum[:])+"\n"); err != nil {
			return err
		}
	}
	hba := filepath.Join(e.pgdata, "pg_hba.conf")
	if got, err := os.ReadFile(hba); err != nil || string(got) != hbaConf {
		if err := e.writeClusterFile(hba, hbaConf); err != nil {
			return err
		}
		e.opts.Logger.Info().Str("cluster", e.pgdata).Msg("embedded PostgreSQL: password authentication on the socket only")
	}
	return nil
}

// setPassword sets the superuser's password in single-user mode: the server is not running, and no connection
// is possible while it is set.
func (e *Embedded) setPassword(ctx context.Context) error {
	cmd := e.command(ctx, "postgres", "--single", "-D", e.pgdata, "-c", "password_encryption=scram-sha-256", "postgres")
	cmd.Stdin = strings.NewReader("ALTER ROLE postgres PASSWORD '" + e.password + "'\n")
	out, err := cmd.CombinedOutput()
	if err == nil && bytes.Contains(out, []byte("ERROR:")) {
		err = errors.New("the statement failed")
	}
	if err != nil {
		// The failing statement is logged with it; the password stays out of the message.
		shown := strings.ReplaceAll(string(out), e.password, "***")
		return fmt.Errorf("pg: set the superuser's password of %s: %w\n%s", e.pgdata, err, lastLines([]byte(shown), 15))
	}
	return nil
}

// writeClusterFile writes a file of the cluster as the user PostgreSQL runs as would: 0600, owned by it.
func (e *Embedded) writeClusterFile(path, content string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return fmt.Errorf("pg: write %s: %w", path, err)
	}
	if e.cred != nil {
		if err := os.Lchown(path, int(e.cred.Uid), int(e.cred.Gid)); err != nil {
			return fmt.Errorf("pg: hand %s to the PostgreSQL user: %w", path, err)
		}
	}
	return nil
}
