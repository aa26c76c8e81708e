// Package maxfake is an in-memory fake of the MAX Bot API server, beside tgfake for Telegram.
//
// It speaks the real wire format of the MAX Bot API (shared/specs/max-bot-api-2026-07-01.json): the paths
// GET /me, POST /messages?chat_id=|user_id=, POST /answers?callback_id=, POST /chats/{chatId}/actions,
// GET /updates with marker, limit, timeout and types, and POST/GET/DELETE /subscriptions; the token in the
// Authorization header (or the access_token parameter the security scheme names); JSON bodies, and errors as
// {"code": "...", "message": "..."} with MAX's statuses: 401 for a wrong token, 400 for a message MAX would
// refuse, 403 chat.denied for a user who stopped the bot, 404 chat.not.found, 429 too.many.requests.
//
// On top of the API it offers test controls, as a Go API and as JSON over HTTP under /_fake/ (for the simulator):
// add users and act as them (write, press a callback button, start the bot through a deep link with a payload,
// share their contact or someone else's, send a place or a file (a picture, a video, a sound or any file, served
// at a URL of its own as MAX's storage does), stop the bot or delete the dialog, or queue any raw
// update), read what the bot did (each chat's history, typing actions, callback answers, a request log), inject
// faults (429, 503, a dropped connection, a response lost after the message went) and latency, and MAX's limit of
// about 30 requests a second per bot as a strict sliding one-second window against an injectable clock, every
// request beyond it refused with 429 and counted in RateStats.
//
// Updates wait until acknowledged: by a GET /updates whose marker passes them, or by a 200 from the webhook the
// bot subscribed (delivered one at a time, in order, with the secret in X-Max-Bot-Api-Secret, retried until 200).
// A dialog's chat_id differs from its user's user_id, as in MAX, so code that mixes them up fails here.
//
//	fake := maxfake.New(maxfake.Options{})
//	url, stop := fake.StartServer()
//	defer stop()
//	anna := fake.AddUser(maxfake.User{FirstName: "Anna", Phone: "+79001234567"})
//	fake.Start(anna.UserID, "inv_42")
//	history, err := fake.WaitSent(ctx, anna.ChatID, 1)
//
// maxfake is for tests, benchmarks and the client simulator; never for production paths.
package maxfake
