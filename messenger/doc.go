// Package messenger owns how Dozvon reaches a client in a messenger, independent of which one: the bots Dozvon
// runs on each channel (telegram | max), the contact registry (a chat of a bot ↔ phone and leads, linked how and
// when, active / blocked / opted out), personal invitations (deep-link tokens), the do-not-contact list (by chat,
// phone and client, on every channel), the outgoing-message queue (outbox) with its sender, the inbox of updates
// received and the processor that runs the client's flows on them (linking, opt-out, handing messages to the
// dialog), and the files clients send (Files). It decides how to send, never whom to write to: campaigns and
// dialog enqueue, the sender of the message's bot delivers.
//
// A chat is always named with its bot (Address): each bot has its own sender, pacing, processor and file fetcher,
// and claims only its own rows. An adapter per messenger owns its wire format and nothing else: it sends a
// Message (Channel), decodes its updates into Events, and stores them in the Inbox under its bot.
// messenger/telegram adapts it to the Telegram Bot API; messenger/telegram/tgfake stands in for Telegram in tests,
// benchmarks and the simulator.
package messenger
