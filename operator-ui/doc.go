// Package operatorui owns everything a person sees: the HTTP routes and their role table, page handlers,
// html/template pages, CSS and JS (embedded), the message catalog in two languages, and the websocket hub
// (hub.go) that streams dialog events to operators' and supervisors' pages.
// Handlers parse and validate input, call the domain packages (auth, campaigns, dialog, reports) and render; they
// hold no SQL and no business rules.
package operatorui
