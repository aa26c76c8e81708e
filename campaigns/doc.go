// Package campaigns owns who Dozvon writes to and why: the bank's clients, applications and their events (loaded
// by campaigns/imports), the leads derived from them (missed calls, follow-ups, acquiring cross-sell), campaigns
// with their audience rules, message templates and cron schedules, and the runs that turn an audience into
// outbox rows, in chunks of leads the sender starts on while the rest is written. It never talks to a messenger: it
// enqueues, messenger sends.
package campaigns
