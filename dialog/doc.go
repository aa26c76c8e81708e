// Package dialog owns the conversations with clients: their messages, who works them (queues, operators'
// presence and capacity, assignments), the SLA clock on every client message, the outcomes operators record,
// scripts, and the events every operator screen follows. It consumes what the messenger received and answers
// through the messenger's outbox; it never calls Telegram itself.
package dialog
