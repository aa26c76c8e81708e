package tgfake

import (
	"errors"
	"net/http"
	"testing"
)

// After a restart the simulator brings back the chats its database knows: the bot can write to them at once,
// people can go on playing those users, and neither the bot nor a live view hears about it.
func TestRestoreChatIsSilentAndWritable(t *testing.T) {
	f, base := newServed(t, Options{Flood: FloodLimits{Disabled: true}})
	events, cancel := f.Subscribe()
	defer cancel()

	anna, err := f.RestoreChat(User{ID: 5001, FirstName: "Anna", Username: "anna", Phone: "+79161234567"}, false)
	if err != nil || anna.ID != 5001 || anna.IsBot {
		t.Fatalf("RestoreChat(Anna) = %+v, %v", anna, err)
	}
	boris, err := f.RestoreChat(User{ID: 5002, FirstName: "Boris"}, true)
	if err != nil {
		t.Fatal(err)
	}

	if pending := f.PendingUpdates(); len(pending) != 0 {
		t.Errorf("restoring queued updates for the bot: %+v", pending)
	}
	select {
	case e := <-events:
		t.Errorf("restoring published an event: %+v", e)
	default:
	}
	if users := f.Users(); len(users) != 2 || users[0].ID != anna.ID || users[1].ID != boris.ID {
		t.Errorf("Users = %+v, want Anna and Boris", users)
	}
	if len(f.Sent(anna.ID)) != 0 {
		t.Errorf("a restored chat starts with history %+v", f.Sent(anna.ID))
	}

	// The bot writes to Anna as before the restart; Boris had blocked it and still has.
	status, r, _ := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": anna.ID, "text": "Still here"})
	if status != http.StatusOK || !r.OK {
		t.Fatalf("sendMessage to a restored chat: %d %+v", status, r)
	}
	status, r, _ = callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": boris.ID, "text": "Hello?"})
	if status != http.StatusForbidden || r.Description != "Forbidden: bot was blocked by the user" {
		t.Errorf("sendMessage to a restored blocked chat: %d %+v", status, r)
	}
	if !f.Blocked(boris.ID) || f.Blocked(anna.ID) {
		t.Errorf("Blocked: Anna %v, Boris %v", f.Blocked(anna.ID), f.Blocked(boris.ID))
	}

	// Anna's phone came back too, so she can share it again.
	upd, err := f.ShareContact(anna.ID, "")
	if err != nil || upd.Message.Contact.PhoneNumber != "+79161234567" {
		t.Errorf("ShareContact after restore = %+v, %v", upd.Message, err)
	}

	// Restoring a chat the fake already has keeps what happened in it.
	if _, err := f.RestoreChat(User{ID: anna.ID, FirstName: "Anna"}, true); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Sent(anna.ID)); n != 2 || f.Blocked(anna.ID) {
		t.Errorf("restoring again: %d messages, blocked %v; want the 2 messages kept, not blocked", n, f.Blocked(anna.ID))
	}

	if _, err := f.RestoreChat(User{FirstName: "Nobody"}, false); !errors.Is(err, ErrNoUserID) {
		t.Errorf("RestoreChat without an ID: %v, want ErrNoUserID", err)
	}
	if u := f.AddUser(User{FirstName: "New"}); u.ID == anna.ID || u.ID == boris.ID {
		t.Errorf("a new user got a restored user's ID %d", u.ID)
	}
}

// A fake standing in for a bot whose earlier updates are stored goes on numbering after them.
func TestFirstUpdateID(t *testing.T) {
	f := New(Options{FirstUpdateID: 1001})
	u := f.AddUser(User{FirstName: "Anna"})
	first, _ := f.Start(u.ID, "")
	second, _ := f.SendText(u.ID, "hi")
	if first.UpdateID != 1001 || second.UpdateID != 1002 {
		t.Errorf("update ids %d, %d; want 1001, 1002", first.UpdateID, second.UpdateID)
	}
	g := New(Options{})
	v := g.AddUser(User{FirstName: "Boris"})
	if upd, _ := g.Start(v.ID, ""); upd.UpdateID != 1 {
		t.Errorf("default first update id %d, want 1", upd.UpdateID)
	}
}
