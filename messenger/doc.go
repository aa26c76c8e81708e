// Package messenger owns how Dozvon reaches a client in a messenger, independent of which one: the contact
// registry (phone ↔ chat, linked how and when, active / blocked / opted out), personal invitations (deep-link
// tokens), the do-not-contact list, the outgoing-message queue (outbox) with its sender, the inbox of updates
// received, and the files clients send (Files). It decides how to send, never whom to write to: campaigns and
// dialog enqueue, the sender delivers.
//
// messenger/telegram adapts it to the Telegram Bot API; messenger/telegram/tgfake stands in for Telegram in tests,
// benchmarks and the simulator.
package messenger
