// Package reports owns the read side: figures for dashboards and landing pages, computed from the tables the
// other packages write (never writing to them). Queries here are set-based and read-only.
package reports
