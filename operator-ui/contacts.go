package operatorui

import (
	"net/http"

	"dozvon/messenger"
)

// contactsLimit bounds the registry page; it is a look at who came in lately, not an export.
const contactsLimit = 500

type contactsPage struct {
	Status   string // the filter, "" for all
	Counts   messenger.StatusCounts
	Contacts []messenger.Contact
	Limited  bool // the list was cut at contactsLimit
	Limit    int
}

// showContacts is the contact registry: the chats the bot can (or may no longer) write to, newest first.
func (ui *UI) showContacts(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	switch status {
	case messenger.StatusActive, messenger.StatusBlocked, messenger.StatusOptedOut:
	default:
		status = "" // an unknown filter shows everything rather than an empty table
	}
	counts, err := ui.Contacts.Counts(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	list, err := ui.Contacts.List(r.Context(), status, contactsLimit)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.render(w, r, http.StatusOK, "contacts", view{Title: "contacts.title", Data: contactsPage{
		Status: status, Counts: counts, Contacts: list, Limited: len(list) == contactsLimit, Limit: contactsLimit}})
}
