package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"dozvon/internal/jsonx"
	"dozvon/messenger"
)

// sendMessage is the broadcast hot path: one call per message, thousands a second. It writes the request body by
// hand and reads the response in one pass, because go-telegram/bot's reflection-driven encoding and a two-step
// decode were a fifth of the client's CPU per message (docs/BENCHMARKS.md). The JSON is the Bot API's: the same
// fields go-telegram/bot sends, without its always-present empty "copy_text".
func (c *Client) sendMessage(ctx context.Context, m messenger.Message) (int64, error) {
	body := appendSendMessage(make([]byte, 0, 256+len(m.Text)), m)
	var res *http.Response
	var err error
	if c.sendRequest != nil && ctx != nil {
		// The template's URL and header are shared, read-only: the transport adds to the wire, not to the
		// request. This spares parsing the URL and a header map per message. The body stays a NopCloser over a
		// bytes.Reader, which net/http knows to be in memory and writes in one go with the headers.
		req := c.sendRequest.WithContext(ctx)
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		res, err = c.roundTrip.RoundTrip(req)
	} else {
		req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, c.sendURL, bytes.NewReader(body))
		if rerr != nil {
			return 0, &messenger.PermanentError{Reason: rerr.Error()}
		}
		req.Header["Content-Type"] = sendHeader["Content-Type"]
		res, err = c.http.Do(req)
	}
	if err != nil {
		return 0, fmt.Errorf("telegram: sendMessage: %w", scrubToken(err, c.token))
	}
	rb := responseBuffers.Get().(*responseBuffer)
	defer responseBuffers.Put(rb)
	buf := &rb.buf
	buf.Reset()
	rb.limit = io.LimitedReader{R: res.Body, N: 1 << 20}
	_, err = buf.ReadFrom(&rb.limit)
	rb.limit.R = nil
	res.Body.Close()
	if err != nil {
		return 0, fmt.Errorf("telegram: sendMessage: HTTP %d, reading the body: %w", res.StatusCode, err)
	}
	if id, ok := sentMessageID(buf.Bytes()); ok {
		return id, nil
	}
	var out struct {
		OK     bool `json:"ok"`
		Result struct {
			MessageID int64 `json:"message_id"`
		} `json:"result"`
		apiError
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		// A proxy's HTML error page or a cut connection: worth a retry.
		return 0, fmt.Errorf("telegram: sendMessage: HTTP %d with an unreadable body: %w", res.StatusCode, err)
	}
	if !out.OK {
		return 0, apiErr("sendMessage", out.apiError)
	}
	return out.Result.MessageID, nil
}

// sendHeader is every sendMessage request's header. The empty User-Agent keeps net/http from sending its own.
var sendHeader = http.Header{"Content-Type": {"application/json"}, "User-Agent": {""}}

// sentMessageID reads the message id from a success response that starts as Telegram's (and the fake's) do, with
// "ok" and then the message with its id first. It spares decoding the rest of the echoed message, which the
// sender does not use; any other response takes the full decode.
func sentMessageID(body []byte) (int64, bool) {
	const prefix = `{"ok":true,"result":{"message_id":`
	rest, ok := bytes.CutPrefix(body, []byte(prefix))
	if !ok || !bytes.HasSuffix(bytes.TrimRight(rest, " \t\r\n"), []byte("}}")) {
		return 0, false
	}
	var id int64
	for i, c := range rest {
		switch {
		case '0' <= c && c <= '9' && i < 18:
			id = id*10 + int64(c-'0')
		case (c == ',' || c == '}') && i > 0:
			return id, true
		default:
			return 0, false
		}
	}
	return 0, false
}

// responseBuffers hold response bodies while they are decoded; decoding copies what it keeps.
var responseBuffers = sync.Pool{New: func() any { return &responseBuffer{buf: *bytes.NewBuffer(make([]byte, 0, 1024))} }}

// responseBuffer pools the limit on a response's size with the buffer it is read into: a fresh io.LimitReader
// per response would be an allocation per message.
type responseBuffer struct {
	buf   bytes.Buffer
	limit io.LimitedReader
}

// appendSendMessage appends the sendMessage parameters for m, in HTML parse mode without link previews.
func appendSendMessage(b []byte, m messenger.Message) []byte {
	b = append(b, `{"chat_id":`...)
	b = strconv.AppendInt(b, m.ChatID, 10)
	b = append(b, `,"text":`...)
	b = jsonx.AppendString(b, m.Text, false)
	b = append(b, `,"parse_mode":"HTML","link_preview_options":{"is_disabled":true}`...)
	if m.PaidBroadcast {
		b = append(b, `,"allow_paid_broadcast":true`...)
	}
	if len(m.Buttons) > 0 {
		b = append(b, `,"reply_markup":`...)
		b = appendMarkup(b, m.Buttons)
	}
	return append(b, '}')
}

// appendMarkup appends Telegram's reply markup: "share my phone" needs a reply keyboard, everything else is inline.
func appendMarkup(b []byte, rows messenger.Markup) []byte {
	reply := wantsContact(rows)
	if reply {
		b = append(b, `{"keyboard":[`...)
	} else {
		b = append(b, `{"inline_keyboard":[`...)
	}
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, btn := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"text":`...)
			b = jsonx.AppendString(b, btn.Text, false)
			switch {
			case reply && btn.RequestContact:
				b = append(b, `,"request_contact":true`...)
			case !reply && btn.URL != "":
				b = append(b, `,"url":`...)
				b = jsonx.AppendString(b, btn.URL, false)
			}
			if !reply && btn.Data != "" {
				b = append(b, `,"callback_data":`...)
				b = jsonx.AppendString(b, btn.Data, false)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if reply {
		return append(b, `],"resize_keyboard":true,"one_time_keyboard":true}`...)
	}
	return append(b, `]}`...)
}

func wantsContact(rows messenger.Markup) bool {
	for _, row := range rows {
		for _, btn := range row {
			if btn.RequestContact {
				return true
			}
		}
	}
	return false
}
