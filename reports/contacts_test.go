package reports_test

import (
	"fmt"
	"testing"
	"time"

	"dozvon/reports"
)

// The registry finds a chat the way people ask for it: a phone as dialled, the start of an INN, part of a
// company's name, the chat's number — a page at a time, with the count of all that match.
func TestContactsAreFoundByPhoneINNCompanyAndChatAPageAtATime(t *testing.T) {
	tm := newTeam(t)
	for i := range 7 {
		client := tm.id(`INSERT INTO clients (external_id, inn, company_name, phone) VALUES ($1, $2, $3, $4) RETURNING id`,
			fmt.Sprint("C-", i), fmt.Sprintf("77070838%02d", i), fmt.Sprintf("ООО «Ромашка-%d»", i), fmt.Sprintf("+7918123450%d", i))
		lead := tm.id(`INSERT INTO leads (client_id, kind) VALUES ($1, 'missed_call') RETURNING id`, client)
		contact := tm.id(`INSERT INTO contacts (channel, bot_id, chat_id, first_name, phone, status, linked_at) VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), $1, $2, $3, $4, $5) RETURNING id`,
			7000+i, fmt.Sprint("Клиент ", i), fmt.Sprintf("+7918123450%d", i), map[bool]string{true: "blocked", false: "active"}[i == 3],
			tm.day.Add(time.Duration(i)*time.Hour))
		tm.id(`INSERT INTO contact_leads (contact_id, lead_id, via) VALUES ($1, $2, 'deep_link') RETURNING contact_id`, contact, lead)
	}
	rp := reports.New(tm.pool)
	for name, c := range map[string]struct {
		search reports.ContactSearch
		total  int
		chats  string
	}{
		"everyone, newest first, second page": {reports.ContactSearch{Offset: 3, Limit: 3}, 7, "[7003 7002 7001]"},
		"a phone as dialled":                  {reports.ContactSearch{Query: "8 (918) 123-45-05", Limit: 10}, 1, "[7005]"},
		"the start of an INN":                 {reports.ContactSearch{Query: "7707083802", Limit: 10}, 1, "[7002]"},
		"part of a company's name":            {reports.ContactSearch{Query: "ромашка-4", Limit: 10}, 1, "[7004]"},
		"a chat's number":                     {reports.ContactSearch{Query: "7006", Limit: 10}, 1, "[7006]"},
		"a status":                            {reports.ContactSearch{Status: "blocked", Limit: 10}, 1, "[7003]"},
		"a wildcard is text":                  {reports.ContactSearch{Query: "%", Limit: 10}, 0, "[]"},
		"a page past the end":                 {reports.ContactSearch{Query: "Ромашка", Offset: 10, Limit: 5}, 7, "[]"},
	} {
		list, total, err := rp.SearchContacts(tm.ctx, c.search)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		chats := []int64{}
		for _, ct := range list {
			chats = append(chats, ct.ChatID)
		}
		if total != c.total || fmt.Sprint(chats) != c.chats {
			t.Errorf("%s: %d in all, %v; want %d, %s", name, total, chats, c.total, c.chats)
		}
	}
	list, _, err := rp.SearchContacts(tm.ctx, reports.ContactSearch{Query: "7000", Limit: 1})
	if err != nil || len(list) != 1 || len(list[0].Leads) != 1 || list[0].Leads[0].Company != "ООО «Ромашка-0»" ||
		list[0].Leads[0].Kind != "missed_call" || list[0].Leads[0].INN != "7707083800" {
		t.Errorf("the chat's lead: %+v (%v)", list, err)
	}
}
