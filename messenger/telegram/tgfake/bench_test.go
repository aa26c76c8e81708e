package tgfake

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

const benchChats = 1000

// benchFake is a fake tuned for throughput: no flood limits, bounded
// history, and benchChats started users.
func benchFake(b *testing.B) (*Fake, string, []int64) {
	f := New(Options{Flood: FloodLimits{Disabled: true}, HistoryLimit: 50})
	base := serve(b, f)
	ids := make([]int64, benchChats)
	for i := range ids {
		ids[i] = startedUser(b, f, User{FirstName: "U" + strconv.Itoa(i)}).ID
	}
	return f, base, ids
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
}

// BenchmarkSendMessage measures sendMessage round trips over real HTTP on
// loopback, client included. Run with e.g.
//
//	go test -run '^$' -bench SendMessage -cpu 2 ./messenger/telegram/tgfake/
func BenchmarkSendMessage(b *testing.B) {
	b.Run("json", func(b *testing.B) {
		f, base, ids := benchFake(b)
		client := benchClient()
		u := base + "/bot" + f.Token() + "/sendMessage"
		var n atomic.Int64
		b.SetParallelism(16)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				id := ids[n.Add(1)%benchChats]
				body := `{"chat_id":` + strconv.FormatInt(id, 10) +
					`,"text":"Your call is scheduled for 10:00","reply_markup":{"inline_keyboard":[[{"text":"OK","callback_data":"ok"}]]}}`
				resp, err := client.Post(u, "application/json", bytes.NewReader([]byte(body)))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	// keepalive-conn uses one hand-written HTTP/1.1 keep-alive connection
	// per worker, so the (shared) CPU goes to the server rather than to
	// net/http's client machinery: closest to the server's own capacity.
	b.Run("keepalive-conn", func(b *testing.B) {
		f, base, ids := benchFake(b)
		addr := strings.TrimPrefix(base, "http://")
		var n atomic.Int64
		b.SetParallelism(16)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			br := bufio.NewReader(conn)
			var req []byte
			for pb.Next() {
				id := ids[n.Add(1)%benchChats]
				body := `{"chat_id":` + strconv.FormatInt(id, 10) +
					`,"text":"Your call is scheduled for 10:00","reply_markup":{"inline_keyboard":[[{"text":"OK","callback_data":"ok"}]]}}`
				req = append(req[:0], "POST /bot"+f.Token()+"/sendMessage HTTP/1.1\r\nHost: fake\r\nContent-Type: application/json\r\nContent-Length: "...)
				req = strconv.AppendInt(req, int64(len(body)), 10)
				req = append(req, "\r\n\r\n"...)
				req = append(req, body...)
				if _, err := conn.Write(req); err != nil {
					b.Fatal(err)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	b.Run("go-telegram", func(b *testing.B) {
		f, base, ids := benchFake(b)
		tg, err := bot.New(f.Token(), bot.WithServerURL(base), bot.WithSkipGetMe(),
			bot.WithHTTPClient(0, benchClient()))
		if err != nil {
			b.Fatal(err)
		}
		markup := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "OK", CallbackData: "ok"}}}}
		var n atomic.Int64
		b.SetParallelism(16)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				_, err := tg.SendMessage(ctx, &bot.SendMessageParams{
					ChatID: ids[n.Add(1)%benchChats], Text: "Your call is scheduled for 10:00", ReplyMarkup: markup})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}
