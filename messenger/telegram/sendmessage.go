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
	"unicode/utf8"

	"dozvon/messenger"
)

// sendMessage is the broadcast hot path: one call per message, thousands a second. It writes the request body by
// hand and reads the response in one pass, because go-telegram/bot's reflection-driven encoding and a two-step
// decode were a fifth of the client's CPU per message (docs/BENCHMARKS.md). The JSON is the Bot API's: the same
// fields go-telegram/bot sends, without its always-present empty "copy_text".
func (c *Client) sendMessage(ctx context.Context, m messenger.Message) (int64, error) {
	body := appendSendMessage(make([]byte, 0, 256+len(m.Text)), m)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.sendURL, bytes.NewReader(body))
	if err != nil {
		return 0, &messenger.PermanentError{Reason: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("telegram: sendMessage: %w", scrubToken(err, c.token))
	}
	buf := responseBuffers.Get().(*bytes.Buffer)
	defer responseBuffers.Put(buf)
	buf.Reset()
	_, err = buf.ReadFrom(io.LimitReader(res.Body, 1<<20))
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
var responseBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 1024)) }}

// appendSendMessage appends the sendMessage parameters for m, in HTML parse mode without link previews.
func appendSendMessage(b []byte, m messenger.Message) []byte {
	b = append(b, `{"chat_id":`...)
	b = strconv.AppendInt(b, m.ChatID, 10)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, m.Text)
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
	if wantsContact(rows) {
		b = append(b, `{"keyboard":[`...)
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
				b = appendJSONString(b, btn.Text)
				if btn.RequestContact {
					b = append(b, `,"request_contact":true`...)
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		return append(b, `],"resize_keyboard":true,"one_time_keyboard":true}`...)
	}
	b = append(b, `{"inline_keyboard":[`...)
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
			b = appendJSONString(b, btn.Text)
			if btn.URL != "" {
				b = append(b, `,"url":`...)
				b = appendJSONString(b, btn.URL)
			}
			if btn.Data != "" {
				b = append(b, `,"callback_data":`...)
				b = appendJSONString(b, btn.Data)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
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

// appendJSONString appends s as a JSON string, escaped as encoding/json does except that <, > and & are kept:
// message text is HTML, and escaping its tags would only make the body longer. Invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029': // valid JSON, but not JavaScript: encoding/json escapes them too
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
