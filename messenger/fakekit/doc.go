// Package fakekit holds what the Bot API fakes (tgfake for Telegram, maxfake for MAX) do alike: the clock they
// read and the one tests move by hand, the broadcast of state changes and the wait on it, the hub of live events,
// the strict sliding window their rate limits count with, the queue of injected faults and the added latency,
// the JSON control API's plumbing under /_fake/ and the webhook's POST.
//
// It owns no wire format: each fake keeps its own API, error bodies and control shapes. Like the fakes, it is
// for tests, benchmarks and the client simulator; never for production paths.
package fakekit
