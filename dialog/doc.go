// Package dialog owns the conversations with clients: their messages, who works them (queues, operators'
// presence and capacity, assignments), the SLA clock on every client message, the outcomes operators record,
// scripts and product offers, and the events every operator screen follows. It consumes what the messenger
// received and answers through the messenger's outbox; it never calls a messenger itself.
//
// A conversation opens when a client writes or presses a button, tied to the campaign message they answer (copied
// in as its first message) and its lead. It stays with the bot while the bot can answer (a campaign button with
// an auto-reply), waits in its lead kind's queue once a person is needed, is assigned to an operator, and is
// closed by them with a rating question; the client's next message opens a new one.
//
// Every change publishes its events in its own transaction. An event for one operator's screen has OperatorID set;
// a queue-wide one has only QueueID, and operators' screens get it without what anyone wrote (operator-ui's hub
// keeps that for supervisors until the conversation is an operator's). An operator who loses a conversation
// (transfer, requeue) gets an "assigned" event naming who has it now (operator_id null: back in a queue).
//
// Any number of instances may run a Service on one database: conversations are claimed with FOR UPDATE SKIP
// LOCKED, an operator's row is locked while their load is counted and added to, and every "once" (an update, an
// SLA warning, a delivery event) is a unique key or a marker updated under a row lock.
//
// A meeting booked in the chat is a hand-off to a field manager with a deadline. It is kept as the client's
// follow-up lead, eligible at the deadline: follow-up campaigns only take leads whose time has come and that are
// still open, and the bank's data converts them when the account is opened, so nothing else has to watch the
// deadline.
package dialog
