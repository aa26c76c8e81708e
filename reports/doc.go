// Package reports owns the read side: figures for landing pages (overview.go) and the conversion report over a
// period (funnel.go, service.go) with the bank's reference figures beside them (reference.go), computed from the
// tables the other packages write (never writing to them). Queries here are set-based and read-only.
package reports
