package fakekit

import "sync"

// SubscriberBuffer is how many events a subscriber may lag behind before events are dropped for it.
const SubscriberBuffer = 1024

// Hub hands a fake's live events (a message sent, a chat action) to its subscribers, such as the simulator's
// page. Publishing never blocks the fake: a subscriber more than SubscriberBuffer events behind misses events.
// The zero value has no subscribers; it is safe for concurrent use, and may be published to under the fake's
// lock, which keeps the events in the fake's order.
type Hub[E any] struct {
	mu   sync.Mutex
	subs map[int]chan E
	seq  int
}

// Subscribe delivers every event from now on; cancel unsubscribes and closes the channel.
func (h *Hub[E]) Subscribe() (events <-chan E, cancel func()) {
	ch := make(chan E, SubscriberBuffer)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[int]chan E{}
	}
	h.seq++
	id := h.seq
	h.subs[id] = ch
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[id]; ok {
			delete(h.subs, id)
			close(ch)
		}
	}
}

// Publish hands e to every subscriber with room for it.
func (h *Hub[E]) Publish(e E) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ch := range h.subs {
		select {
		case ch <- e:
		default:
		}
	}
}
