package tgfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// params holds a request's parameters as strings, the common denominator
// of every encoding the Bot API accepts. Structured parameters (reply_markup,
// reply_parameters, commands, ...) are JSON text, which is how clients send
// them in form fields anyway; in JSON bodies they may be nested objects and
// are kept as their raw JSON text.
type params map[string]string

const maxBodySize = 10 << 20 // Telegram's own limit for non-file requests is lower

// parseParams merges the query string with the body, the body winning, as
// the Bot API does.
func parseParams(r *http.Request) (params, error) {
	p := make(params, 8)
	if r.URL.RawQuery != "" {
		for k, v := range r.URL.Query() {
			if len(v) > 0 {
				p[k] = v[0]
			}
		}
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return p, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxBodySize)
	body := r.Body
	ct := r.Header.Get("Content-Type")
	if ct != "application/json" { // the common spelling needs no parsing
		ct, _, _ = mime.ParseMediaType(ct)
	}
	switch ct {
	case "application/json":
		buf := bodyBuffers.Get().(*bytes.Buffer)
		defer func() {
			if buf.Cap() <= 64<<10 { // an occasional huge body is not worth keeping
				bodyBuffers.Put(buf)
			}
		}()
		buf.Reset()
		if r.ContentLength > 0 && r.ContentLength <= maxBodySize {
			buf.Grow(int(r.ContentLength) + bytes.MinRead) // ReadFrom wants MinRead spare to see EOF
		}
		if _, err := buf.ReadFrom(body); err != nil {
			return nil, err
		}
		return p, parseJSONParams(buf.Bytes(), p)
	case "application/x-www-form-urlencoded":
		raw, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, fmt.Errorf("can't parse request body: %v", err)
		}
		for k, v := range vals {
			p[k] = v[0]
		}
		return p, nil
	case "multipart/form-data":
		return p, parseMultipartParams(r, p)
	default:
		// Bodies of other types (or none) are ignored, like Telegram does.
		_, _ = io.Copy(io.Discard, body)
		return p, nil
	}
}

// bodyBuffers hold JSON request bodies while they are parsed; params copy what they keep.
var bodyBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 1024)) }}

// parseJSONParams adds the members of the JSON object raw to p; it keeps no reference to raw.
func parseJSONParams(raw []byte, p params) error {
	if trimmed := bytes.TrimSpace(raw); len(trimmed) == 0 || string(trimmed) == "null" {
		return nil
	}
	if err := eachMember(raw, func(key string, v []byte) error {
		switch {
		case string(v) == "null":
		case string(v) == `"HTML"`:
			p[key] = "HTML" // sendMessage's usual parse_mode, without an allocation
		case v[0] == '"' && bytes.IndexByte(v, '\\') < 0:
			p[key] = string(v[1 : len(v)-1]) // no escapes: the common, fast case
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			p[key] = s
		default:
			p[key] = string(v)
		}
		return nil
	}); err != nil {
		return errors.New("can't parse JSON object")
	}
	return nil
}

// errJSONSyntax reports a malformed JSON body.
var errJSONSyntax = errors.New("malformed JSON")

// eachMember calls fn with each member of the JSON object in data and its
// raw value. It only finds value boundaries; values are fully parsed (and
// so validated) later by whichever method reads them. This is the hot path
// of every JSON request, and a map[string]json.RawMessage decode costs
// several times more.
func eachMember(data []byte, fn func(key string, raw []byte) error) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errJSONSyntax
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return checkTrailing(data, i+1)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return errJSONSyntax
		}
		end, ok := stringEnd(data, i)
		if !ok {
			return errJSONSyntax
		}
		rawKey := data[i:end]
		key := knownKey(rawKey[1 : len(rawKey)-1])
		if bytes.IndexByte(rawKey, '\\') >= 0 {
			var unescaped string // not &key: that would put every key on the heap
			if err := json.Unmarshal(rawKey, &unescaped); err != nil {
				return err
			}
			key = unescaped
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return errJSONSyntax
		}
		i = skipSpace(data, i+1)
		vend, ok := valueEnd(data, i)
		if !ok {
			return errJSONSyntax
		}
		if err := fn(key, data[i:vend]); err != nil {
			return err
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return errJSONSyntax
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return checkTrailing(data, i+1)
		default:
			return errJSONSyntax
		}
	}
}

// knownKey returns the parameter name k, without allocating for the names sendMessage is called with.
func knownKey(k []byte) string {
	switch string(k) {
	case "chat_id":
		return "chat_id"
	case "text":
		return "text"
	case "parse_mode":
		return "parse_mode"
	case "reply_markup":
		return "reply_markup"
	case "link_preview_options":
		return "link_preview_options"
	case "allow_paid_broadcast":
		return "allow_paid_broadcast"
	}
	return string(k)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

func checkTrailing(data []byte, i int) error {
	if skipSpace(data, i) != len(data) {
		return errJSONSyntax
	}
	return nil
}

// stringEnd returns the index just past the string starting at data[i].
func stringEnd(data []byte, i int) (int, bool) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// valueEnd returns the index just past the JSON value starting at data[i].
func valueEnd(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, ok := stringEnd(data, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	default: // number, true, false, null
		j := i
		for j < len(data) && !strings.ContainsRune(",}] \t\r\n", rune(data[j])) {
			j++
		}
		return j, j > i
	}
}

func parseMultipartParams(r *http.Request, p params) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return fmt.Errorf("can't parse multipart body: %v", err)
	}
	var buf bytes.Buffer
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if parts == 0 && errors.Is(err, io.EOF) {
			// go-telegram/bot sends parameterless calls (getMe) as an empty
			// body with a multipart Content-Type; Telegram accepts that.
			return nil
		}
		if err != nil {
			return fmt.Errorf("can't parse multipart body: %v", err)
		}
		name := part.FormName()
		if part.FileName() != "" || name == "" {
			// File uploads are not supported by the fake's methods.
			_, _ = io.Copy(io.Discard, part)
			continue
		}
		buf.Reset()
		if _, err := buf.ReadFrom(part); err != nil {
			return fmt.Errorf("can't parse multipart body: %v", err)
		}
		p[name] = buf.String()
	}
}

func (p params) has(name string) bool {
	_, ok := p[name]
	return ok
}

// bool follows Telegram's leniency: "true"/"1" are true, anything else false.
func (p params) bool(name string) bool {
	switch strings.ToLower(p[name]) {
	case "true", "1":
		return true
	}
	return false
}

func (p params) int(name string, def int) int {
	v, ok := p[name]
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

// chatID parses chat_id. Usernames ("@name") only address public
// channels and groups, so for private chats they are never found.
func (p params) chatID() (int64, *apiError) {
	v, ok := p["chat_id"]
	if !ok || v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errChatNotFound
	}
	return id, nil
}

func (p params) messageID() (int, *apiError) {
	if p["inline_message_id"] != "" {
		return 0, badRequest("inline messages are not supported by the fake")
	}
	v, ok := p["message_id"]
	if !ok || v == "" {
		return 0, badRequest("message identifier is not specified")
	}
	id, err := strconv.Atoi(v)
	if err != nil || id <= 0 {
		return 0, badRequest("message identifier is not specified")
	}
	return id, nil
}

// json decodes a JSON-valued parameter into dst; absent is not an error.
func (p params) json(name string, dst any) (bool, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return false, nil
	}
	return true, json.Unmarshal([]byte(v), dst)
}
