// Package tgfake is an in-memory fake of the Telegram Bot API server.
//
// It speaks the real Bot API wire format — /bot<token>/<method> endpoints,
// multipart, JSON, urlencoded and query-string parameters, and
// {"ok":...,"result":...} / {"ok":false,"error_code":...} responses with the
// matching HTTP statuses — so that unmodified Bot API clients such as the
// go-telegram/bot library can be pointed at it with a different server URL.
//
// On top of the Bot API it offers test controls, both as a Go API and as JSON
// over HTTP under /_fake/: create users, act as them (send text, /start with
// a deep-link payload, press inline buttons, share contacts, block the bot;
// from Go also send photos and documents, served by getFile, or queue any
// raw update),
// inspect what the bot did (chat histories with edits applied, chat actions,
// callback answers, a request log), inject faults and latency, and emulate
// Telegram's flood control against an injectable clock (strict sliding
// one-second windows and flood waits of the whole bot, with FloodStats
// counting what they refused).
//
// Typical use in a test:
//
//	fake := tgfake.New(tgfake.Options{})
//	url, stop := fake.StartServer() // or httptest.NewServer(fake.Handler())
//	defer stop()
//	// point the bot under test at url with fake.Token(), start it, then:
//	anna := fake.AddUser(tgfake.User{FirstName: "Anna"})
//	fake.Start(anna.ID, "promo")
//	history, err := fake.WaitSent(ctx, anna.ID, 1)
//
// tgfake is meant for tests, benchmarks and the built-in client simulator.
// It is never used on production paths, except as that simulator when no
// real bot token is configured.
package tgfake
