package operatorui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"dozvon/internal/auth"
	"dozvon/messenger"
)

// An administrator turns the foreign-messenger policy to deny on the settings page: it is stored for every
// instance, says who set it, and is in the audit log; a mistake comes back with its reason. Managers and operators
// cannot open the page. The campaign form then says why Telegram is off.
func TestAnAdministratorDeniesForeignMessengersOnTheSettingsPage(t *testing.T) {
	s := newSite(t)
	admin := s.loggedIn(auth.Admin)
	for _, role := range []auth.Role{auth.Manager, auth.Operator, auth.Supervisor} {
		if res, _ := s.get(s.loggedIn(role), "/admin/settings"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s opens the settings: %d", role, res.StatusCode)
		}
	}
	_, body := s.get(admin, "/admin/settings")
	if got := testid(t, body, "policy-source"); got != "Now: as the environment sets it (DOZVON_FOREIGN_MESSENGERS), until an administrator saves this form." {
		t.Errorf("before any change: %q", got)
	}
	if !strings.Contains(body, `value="allow" checked`) || !strings.Contains(body, `value="telegram" checked`) || !strings.Contains(body, `value="max" checked`) {
		t.Error("the default policy (every channel, foreign messengers allowed) is not what the form shows")
	}

	res := s.post(admin, "/admin/settings", url.Values{"enabled": {"max", "telegram"}, "foreign_messengers": {"deny"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	policy, err := messenger.NewPolicies(s.Pool).Get(context.Background())
	if err != nil || policy.ForeignMessengers != messenger.ForeignDeny || !slices.Equal(policy.Enabled, []string{"telegram", "max"}) ||
		policy.UpdatedBy == nil || *policy.UpdatedBy != s.ids[auth.Admin] {
		t.Fatalf("stored %+v, %v", policy, err)
	}
	_, body = s.get(admin, "/admin/settings")
	if testid(t, body, "flash") != "Settings saved." || !strings.HasPrefix(testid(t, body, "policy-source"), "Set by admin1, ") ||
		!strings.Contains(body, `value="deny" checked`) {
		t.Errorf("after saving: flash %q, source %q", testid(t, body, "flash"), testid(t, body, "policy-source"))
	}
	entries, err := s.Users.AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "settings.channels" && e.Actor == "admin1" && fmt.Sprint(e.Detail["foreign_messengers"]) == "deny" &&
			fmt.Sprint(e.Detail["was_foreign_messengers"]) == "allow" {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry of the change among %+v", entries)
	}

	res = s.post(admin, "/admin/settings", url.Values{"foreign_messengers": {"deny"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no channel on: %d, want 422", res.StatusCode)
	}

	_, body = s.get(s.loggedIn(auth.Manager), "/campaigns/new")
	if got := testid(t, body, "channel-closed"); got != "Dozvon does not write to clients on Telegram: it is a foreign messenger, and the installation&#39;s policy forbids them (Federal Law 41-FZ)" {
		t.Errorf("the campaign form's note: %q", got)
	}
}

// Under deny, an operator's answer in a client's Telegram chat is refused in the console, saying why.
func TestTheConsoleRefusesAReplyToATelegramChatUnderDeny(t *testing.T) {
	d := newConsoleDesk(t)
	op := d.loggedIn(auth.Operator)
	c := d.chatWith("ООО Лютик")
	d.write(c, "Интересно")
	d.online(d.ids[auth.Operator])
	res := d.post(d.loggedIn(auth.Admin), "/admin/settings", url.Values{"enabled": {"max", "telegram"}, "foreign_messengers": {"deny"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	convID, _ := d.convOf(c)
	code, raw := d.call(op, "POST", fmt.Sprintf("/console/api/dialogs/%d/reply", convID), map[string]string{"text": "Добрый день"})
	got := decode[consoleErr](t, raw)
	if code != 422 || got.Field != "text" || got.Error != "Message: Dozvon does not write to clients on Telegram: it is a foreign messenger, and the installation's policy forbids them (Federal Law 41-FZ)" {
		t.Fatalf("reply under deny: %d %s", code, raw)
	}
}
