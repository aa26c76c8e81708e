// Package telegram adapts messenger to the Telegram Bot API (github.com/go-telegram/bot for calls): Client is the
// messenger.Channel that sends; the webhook handler and the long poller store every update in the inbox before
// acknowledging it; Processor decodes stored updates leniently (update.go), turns them into registry changes
// (deep-link /start, shared phone, /stop, blocked bot) and hands everything else to the dialog as a
// messenger.Inbound; Fetcher downloads the files clients send into messenger.Files.
package telegram
