// Package max adapts messenger to the MAX Bot API (VK's national messenger), written from its OpenAPI 3.0
// specification (shared/specs/max-bot-api-2026-07-01.json) with a small client of its own over net/http.
//
// What it owns: the wire format. Client calls the API (GET /me, POST /messages, POST /answers, GET /updates,
// POST/GET/DELETE /subscriptions, POST /chats/{chatId}/actions) and maps its errors onto messenger's; Channel is
// the messenger.Channel the sender sends through, converting a messenger.Message (Telegram-flavoured HTML and
// messenger.Markup) into MAX's body and refusing what MAX would refuse (Body); Decode reads a stored update
// leniently into an Event; Poller and WebhookHandler receive updates and hand them to a Store before
// acknowledging them. It owns no table: where updates are stored and what they do is the caller's.
//
// Authentication. The specification's security scheme names an access_token query parameter, while every example
// in it sends the token in an "Authorization: <token>" header, as the official clients do. MAX announced in 2025,
// with the move to platform-api.max.ru, that the query parameter is no longer accepted; a header also keeps the
// token out of URLs, which proxies and logs record. So the client sends the header, in one place:
// Client.authorize.
//
// Message ids. MAX names a message by a string ("mid.…"); Channel.Send returns it, and the outbox keeps it as the
// message's ref.
//
// Exactly once. MAX updates carry no update id. Key names each update by what MAX gives it that is unique: a new
// message by its mid, a button press by its callback_id, anything else by its type, chat, user and timestamp
// (milliseconds), and what has none of these by a hash of its bytes. A redelivered update has the same key, so a
// store that keeps one update per key processes each once.
package max
