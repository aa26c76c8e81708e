package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dozvon/messenger/telegram/tgfake"
)

// referee stands between the dozvon processes and the Bot API fake and keeps the score: who sent what to whom,
// what was in flight when, and whether two processes ever long-polled at once. Each process is given its own
// address, <fake>/i<n>, so every request is known by the instance that made it. It can also hold requests
// past the sender's timeout (the "timeouts" fault).
type referee struct {
	fake *tgfake.Fake
	// paused tells whether PostgreSQL holds a pause of the bot now: what every instance reads before a request.
	paused func() bool

	mu         sync.Mutex
	deliveries map[int64][]delivery // by chat: every sendMessage the fake answered 200, in order
	inFlight   map[int]int          // sendMessage requests begun and not yet answered, by instance
	polling    map[int]int          // getUpdates requests open, by instance
	overlaps   int                  // getUpdates begun while another instance's was open
	hang       int                  // the next sendMessage requests to hold and drop
	// A flood wait as the instances can know it. From the moment a 429 was answered to the end of its
	// retry_after the bot waits; once the pause is in PostgreSQL (and a read begun before that has had
	// pauseReadGrace to answer) a sendMessage that leaves an instance breaks it (sentInWait). One that left
	// before is on its way: the instance that met the 429 had not yet recorded it, or had not yet answered the
	// others' reads (leftBeforeKnown); with the requests in flight whenever a 429 was answered (inFlightAt429)
	// they bound the sends the fake sees in its wait without anyone breaking it.
	waitUntil, knownAt                         time.Time
	sentInWait, inFlightAt429, leftBeforeKnown int
}

// pauseReadGrace: a read of the pause that began before the pause was committed sees none, however late it
// answers; on a loaded machine such a read takes tens of milliseconds.
const pauseReadGrace = 100 * time.Millisecond

// delivery is one message the fake accepted: for which chat, with what text, from which instance, when.
type delivery struct {
	text     string
	instance int
	at       time.Time
}

func newReferee(fake *tgfake.Fake, paused func() bool) *referee {
	return &referee{fake: fake, paused: paused, deliveries: map[int64][]delivery{}, inFlight: map[int]int{}, polling: map[int]int{}}
}

func (rf *referee) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	instance, rest := 0, r.URL.Path
	if p, ok := strings.CutPrefix(r.URL.Path, "/i"); ok {
		n, after, _ := strings.Cut(p, "/")
		instance, _ = strconv.Atoi(n)
		rest = "/" + after
	}
	r.URL.Path = rest
	switch {
	case strings.HasSuffix(rest, "/sendMessage"):
		rf.sendMessage(w, r, instance)
	case strings.HasSuffix(rest, "/getUpdates"):
		rf.mu.Lock()
		for other, open := range rf.polling {
			if other != instance && open > 0 {
				rf.overlaps++
				break
			}
		}
		rf.polling[instance]++
		rf.mu.Unlock()
		defer func() { rf.mu.Lock(); rf.polling[instance]--; rf.mu.Unlock() }()
		rf.fake.ServeHTTP(w, r)
	default:
		rf.fake.ServeHTTP(w, r)
	}
}

func (rf *referee) sendMessage(w http.ResponseWriter, r *http.Request, instance int) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var msg struct {
		ChatID int64  `json:"chat_id"`
		Text   string `json:"text"`
	}
	_ = json.Unmarshal(body, &msg) // Dozvon posts sendMessage as JSON
	rf.mu.Lock()
	if now := time.Now(); now.Before(rf.waitUntil) {
		if !rf.knownAt.IsZero() && now.After(rf.knownAt.Add(pauseReadGrace)) {
			rf.sentInWait++
		} else {
			rf.leftBeforeKnown++
		}
	}
	hang := rf.hang > 0
	if hang {
		rf.hang--
	}
	rf.inFlight[instance]++
	rf.mu.Unlock()
	defer func() { rf.mu.Lock(); rf.inFlight[instance]--; rf.mu.Unlock() }()
	if hang {
		// A Bot API that does not answer: held past the sender's 30 s timeout, then dropped, never applied.
		select {
		case <-r.Context().Done():
		case <-time.After(35 * time.Second):
		}
		panic(http.ErrAbortHandler)
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	rf.fake.ServeHTTP(rec, r)
	if rec.status == http.StatusTooManyRequests {
		var answer struct {
			Parameters struct {
				RetryAfter int `json:"retry_after"`
			} `json:"parameters"`
		}
		_ = json.Unmarshal(rec.body.Bytes(), &answer)
		rf.mu.Lock()
		if until := time.Now().Add(time.Duration(answer.Parameters.RetryAfter) * time.Second); until.After(rf.waitUntil) {
			if !time.Now().Before(rf.waitUntil) { // a new wait, not one already known
				rf.knownAt = time.Time{}
				go rf.watchPause()
			}
			rf.waitUntil = until
		}
		for _, n := range rf.inFlight {
			rf.inFlightAt429 += n
		}
		rf.inFlightAt429-- // this one
		rf.mu.Unlock()
	}
	if rec.status == http.StatusOK {
		rf.mu.Lock()
		rf.deliveries[msg.ChatID] = append(rf.deliveries[msg.ChatID], delivery{text: msg.Text, instance: instance, at: time.Now()})
		rf.mu.Unlock()
	}
}

// hangNext holds the next n sendMessage requests past the sender's timeout and drops them.
func (rf *referee) hangNext(n int) {
	rf.mu.Lock()
	rf.hang += n
	rf.mu.Unlock()
}

// busiestSender is the instance with the most sendMessage requests in flight, and how many.
func (rf *referee) busiestSender() (instance, n int) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for i, k := range rf.inFlight {
		if k > n || (k == n && instance == 0) {
			instance, n = i, k
		}
	}
	return instance, n
}

// unrecorded is how many sends of an instance its record may not hold at this moment: those in flight and
// those answered within the last window (see unrecordedWindow). A kill -9 now can make each of them go out again
// when its lease ends.
func (rf *referee) unrecorded(instance int, window time.Duration) int {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	n := rf.inFlight[instance]
	since := time.Now().Add(-window)
	for _, ds := range rf.deliveries {
		for _, d := range ds {
			if d.instance == instance && d.at.After(since) {
				n++
			}
		}
	}
	return n
}

// delivered returns the deliveries to chat whose text starts with prefix.
func (rf *referee) delivered(chat int64, prefix string) []delivery {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	var out []delivery
	for _, d := range rf.deliveries[chat] {
		if strings.HasPrefix(d.text, prefix) {
			out = append(out, d)
		}
	}
	return out
}

func (rf *referee) count(prefix string) int {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	n := 0
	for _, ds := range rf.deliveries {
		for _, d := range ds {
			if strings.HasPrefix(d.text, prefix) {
				n++
			}
		}
	}
	return n
}

// watchPause notes when the pause a 429 started is in PostgreSQL, where the instances read it.
func (rf *referee) watchPause() {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if rf.paused() {
			rf.mu.Lock()
			rf.knownAt = time.Now()
			rf.mu.Unlock()
			return
		}
	}
}

// floodWait is how many sendMessage requests left an instance during a flood wait it could know of, and the
// bound of those that reached the fake in a wait without breaking it: in flight at a 429, or left before the
// pause could be read.
func (rf *referee) floodWait() (sentInWait, onTheirWay int) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.sentInWait, rf.inFlightAt429 + rf.leftBeforeKnown
}

func (rf *referee) pollOverlaps() int {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.overlaps
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer // of an answer other than 200
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status != http.StatusOK {
		s.body.Write(b)
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func newLocalListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func serveOn(ln net.Listener, h http.Handler) error {
	return (&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
}
