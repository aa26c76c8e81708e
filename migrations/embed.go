// Package migrations holds Dozvon's schema as plain SQL files, applied in order by goose (internal/pg.Migrate),
// each in its own transaction. Files are grouped by the package that owns the tables; a change to a table is a new
// file, never an edit of an applied one.
package migrations

import "embed"

// FS is every migration, embedded in the binary.
//
//go:embed *.sql
var FS embed.FS
