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

	mu         sync.Mutex
	deliveries map[int64][]delivery // by chat: every sendMessage the fake answered 200, in order
	inFlight   map[int]int          // sendMessage requests begun and not yet answered, by instance
	polling    map[int]int          // getUpdates requests open, by instance
	overlaps   int                  // getUpdates begun while another instance's was open
	hang       int                  // the next sendMessage requests to hold and drop
}

// delivery is one message the fake accepted: for which chat, with what text, from which instance, when.
type delivery struct {
	text     string
	instance int
	at       time.Time
}

func newReferee(fake *tgfake.Fake) *referee {
	return &referee{fake: fake, deliveries: map[int64][]delivery{}, inFlight: map[int]int{}, polling: map[int]int{}}
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

func (rf *referee) pollOverlaps() int {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return rf.overlaps
}

type statusRecorder struct {
	http.ResponseWriter
	status int
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
