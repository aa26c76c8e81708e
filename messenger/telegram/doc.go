// Package telegram adapts messenger to the Telegram Bot API (github.com/go-telegram/bot for calls): Client is the
// messenger.Channel that sends; the webhook handler and the long poller store every update in the inbox before
// acknowledging it; Processor turns stored updates into registry changes (deep-link /start, shared phone, /stop,
// blocked bot) and hands everything else to the dialog through an Inbound hook.
package telegram
