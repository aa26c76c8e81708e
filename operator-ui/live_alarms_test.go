package operatorui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"dozvon/internal/auth"
)

type alarmsSnapshot struct {
	Alarms []struct {
		ID           int64  `json:"id"`
		Kind         string `json:"kind"`
		Text         string `json:"text"`
		Acknowledged bool   `json:"acknowledged"`
		AckText      string `json:"ack_text"`
	} `json:"alarms"`
	Queues []struct {
		ID      int64 `json:"id"`
		AlarmAt int   `json:"alarm_at"`
	} `json:"queues"`
}

func (s *supervised) alarmsSnapshot(c *http.Client) alarmsSnapshot {
	s.t.Helper()
	_, body := s.get(c, "/live/api/snapshot")
	var v alarmsSnapshot
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		s.t.Fatal(err)
	}
	return v
}

// A client waits and nobody is online: the board says so in the supervisor's language, a supervisor acknowledges
// it (an operator may not), and the board then says who did; a
// supervisor sets a queue's threshold, which the board shows.
func TestTheLiveBoardShowsAnAlarmASupervisorAcknowledges(t *testing.T) {
	s := newSupervisedSite(t)
	s.write(s.chat("ООО Ромашка", "", ""), "Здравствуйте")
	if _, _, err := s.svc.AlarmTick(context.Background()); err != nil {
		t.Fatal(err)
	}
	sup := s.loggedIn(auth.Supervisor)
	_, page := s.get(sup, "/live")
	if !strings.Contains(page, "A client is waiting and no operator is online (waiting: 1)") ||
		!strings.Contains(page, `data-testid="live-alarm-ack"`) {
		t.Fatal("the board shows no alarm for a client waiting with nobody online")
	}
	v := s.alarmsSnapshot(sup)
	if len(v.Alarms) != 1 || v.Alarms[0].Kind != "no_operator" || v.Alarms[0].Acknowledged {
		t.Fatalf("alarms %+v", v.Alarms)
	}
	ack := "/live/api/alarms/" + strconv.FormatInt(v.Alarms[0].ID, 10) + "/ack"
	if res := s.post(s.loggedIn(auth.Operator), ack, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("an operator acknowledges: %d, want 403", res.StatusCode)
	}
	if res := s.post(sup, ack, nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("acknowledge: %d", res.StatusCode)
	}
	if res := s.post(sup, ack, nil); res.StatusCode != http.StatusConflict {
		t.Errorf("acknowledged twice: %d, want 409", res.StatusCode)
	}
	after := s.alarmsSnapshot(sup)
	if len(after.Alarms) != 1 || !after.Alarms[0].Acknowledged || !strings.HasPrefix(after.Alarms[0].AckText, "Acknowledged by supervisor1 at ") {
		t.Errorf("after the acknowledgement %+v", after.Alarms)
	}

	var missed int64
	if err := s.Pool.QueryRow(context.Background(), `SELECT id FROM queues WHERE name = 'missed_call'`).Scan(&missed); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"queue": {strconv.FormatInt(missed, 10)}, "threshold": {"3"}}
	if res := s.post(s.loggedIn(auth.Operator), "/live/thresholds", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("an operator sets a threshold: %d", res.StatusCode)
	}
	if res := s.post(sup, "/live/thresholds", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set the threshold: %d", res.StatusCode)
	}
	for _, q := range s.alarmsSnapshot(sup).Queues {
		if want := map[bool]int{true: 3, false: 10}[q.ID == missed]; q.AlarmAt != want {
			t.Errorf("queue %d alarms at %d, want %d", q.ID, q.AlarmAt, want)
		}
	}
}
