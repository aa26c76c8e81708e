package operatorui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dozvon/internal/auth"
	"dozvon/messenger"
	"dozvon/reports"
)

// contactsPerPage is one screen of the registry; the search finds the rest.
const contactsPerPage = 50

type contactsPage struct {
	Status   string // the filter, "" for all
	Query    string // what was searched for
	Counts   messenger.StatusCounts
	Contacts []contactRow
	Total    int // contacts that match
	From, To int // the rows shown, counted from 1
	Prev     string
	Next     string // the links to the neighbouring pages, "" at an end
}

type contactRow struct {
	reports.ContactRow
	Leads []contactLead
}

// contactLead is a lead as the registry shows it: what it is and a link to what the viewer may open of it — its
// latest dialog for supervisors and administrators, the campaign that brought it for managers.
type contactLead struct {
	reports.ContactLead
	Link string
}

// showContacts is the contact registry: the chats the bot can (or may no longer) write to, newest first, searched
// by chat, phone, INN, company or name, a page at a time.
func (ui *UI) showContacts(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	status := v.Get("status")
	switch status {
	case messenger.StatusActive, messenger.StatusBlocked, messenger.StatusOptedOut:
	default:
		status = "" // an unknown filter shows everything rather than an empty table
	}
	page, _ := strconv.Atoi(v.Get("page"))
	page = max(page, 1)
	counts, err := ui.Contacts.Counts(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	q := strings.TrimSpace(v.Get("q"))
	list, total, err := ui.Reports.SearchContacts(r.Context(), reports.ContactSearch{Query: q, Status: status,
		Offset: (page - 1) * contactsPerPage, Limit: contactsPerPage})
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	p := contactsPage{Status: status, Query: q, Counts: counts, Total: total}
	role := currentUser(r).Role
	for _, c := range list {
		row := contactRow{ContactRow: c}
		for _, l := range c.Leads {
			row.Leads = append(row.Leads, contactLead{ContactLead: l, Link: leadLink(role, l)})
		}
		p.Contacts = append(p.Contacts, row)
	}
	if len(list) > 0 {
		p.From, p.To = (page-1)*contactsPerPage+1, (page-1)*contactsPerPage+len(list)
	}
	link := func(n int) string {
		q := url.Values{}
		for k, x := range map[string]string{"q": p.Query, "status": status} {
			if x != "" {
				q.Set(k, x)
			}
		}
		q.Set("page", strconv.Itoa(n))
		return "/contacts?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page*contactsPerPage < total {
		p.Next = link(page + 1)
	}
	ui.render(w, r, http.StatusOK, "contacts", view{Title: "contacts.title", Data: p})
}

func leadLink(role auth.Role, l reports.ContactLead) string {
	switch {
	case l.ConversationID != nil && (role == auth.Supervisor || role == auth.Admin):
		return "/live/dialogs/" + strconv.FormatInt(*l.ConversationID, 10)
	case l.CampaignID != nil && (role == auth.Manager || role == auth.Admin):
		return campaignPath(*l.CampaignID)
	}
	return ""
}
