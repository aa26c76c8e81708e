package operatorui

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"dozvon/internal/msg"
)

// What people and systems submit — form values, query parameters, every string of a JSON body — is text that
// ends up in PostgreSQL, which refuses a NUL character (U+0000) and bytes that are not UTF-8. Rather than let
// each handler fail with a 500 when the database says no, every route of the role table is checked once here,
// after its guard let the request in and before its handler runs: such a value is answered 422, naming the
// field (a form field, or a JSON path such as records[3].company_name). Files uploaded for import are not read
// here: campaigns/imports reports their bad cells as problems of their rows.

// maxCheckedBody is the largest body the check reads: the API's pushes (MaxAPIBody), and ParseForm's own limit
// for forms. A bigger body is passed on unread, and its handler refuses it for its size.
const maxCheckedBody = MaxAPIBody

// inputProblem is a value that cannot be stored: Field is where it is, Code what is wrong with it.
type inputProblem struct {
	Field string
	Code  string // input.nul, input.utf8
}

// checkInput wraps a route's handler with the check (all but those that read their body as raw bytes).
func (ui *UI) checkInput(a Access, next http.HandlerFunc) http.HandlerFunc {
	if a.RawBody {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := inspectInput(r)
		switch {
		case err != nil:
			zerolog.Ctx(r.Context()).Warn().Err(err).Msg("request body not read")
			ui.inputRefused(w, r, a, http.StatusBadRequest, "input.unreadable", "")
		case p != nil:
			zerolog.Ctx(r.Context()).Info().Str("field", p.Field).Str("code", p.Code).Msg("input refused")
			ui.inputRefused(w, r, a, http.StatusUnprocessableEntity, p.Code, p.Field)
		default:
			next(w, r)
		}
	}
}

// inputRefused answers in the user's language: the API's refusal (api_errors.go: the message, its code, the field
// as its argument, and the field) to an API route or a JSON request, an error page to a form. A bank system's token
// route answers in English, as the whole API does.
func (ui *UI) inputRefused(w http.ResponseWriter, r *http.Request, a Access, status int, code, field string) {
	loc := ui.requestLocale(r)
	if a.Token {
		loc = "en"
	}
	m := &msg.Error{Code: code, Field: field}
	if field != "" {
		m.Args = []any{field}
	}
	if a.API || isJSON(r.Header.Get("Content-Type")) {
		writeJSON(w, status, apiRefusalOf(loc, m))
		return
	}
	ui.render(w, r, status, "error", view{Title: "error.input", Data: errorPage{Heading: "error.input", Text: msgText(loc, m)}})
}

// inspectInput finds the first value of r's query and body that cannot be stored. It reads the body (but for a
// multipart upload) and puts it back as it was, so the handler reads it as if nobody had.
func inspectInput(r *http.Request) (*inputProblem, error) {
	if p := formProblem(r.URL.RawQuery); p != nil {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Body == nil || r.Body == http.NoBody || ct == "multipart/form-data" {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCheckedBody+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxCheckedBody {
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		return nil, nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// Systems often post JSON without saying so (curl -d sends it as a form): a body that starts like JSON is
	// read as JSON, whatever its Content-Type.
	if first := bytes.TrimLeft(body, " \t\r\n"); len(first) > 0 && (first[0] == '{' || first[0] == '[') {
		return jsonProblem(body), nil
	}
	if ct == "application/x-www-form-urlencoded" {
		return formProblem(string(body)), nil
	}
	return nil, nil
}

// formProblem checks every name and value of a URL-encoded form or query (what of it parses: the rest is the
// handler's to refuse, as before).
func formProblem(encoded string) *inputProblem {
	if encoded == "" {
		return nil
	}
	values, _ := url.ParseQuery(encoded)
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same answer every time for a form with several bad fields
	for _, k := range keys {
		if code := unstorable(k); code != "" {
			return &inputProblem{Field: strings.ToValidUTF8(strings.ReplaceAll(k, "\x00", "\\u0000"), "\uFFFD"), Code: code}
		}
		for _, v := range values[k] {
			if code := unstorable(v); code != "" {
				return &inputProblem{Field: k, Code: code}
			}
		}
	}
	return nil
}

// jsonProblem walks a JSON body's strings, names and values. A body that is not JSON is left to its handler,
// which says what is wrong with it. (encoding/json already turns bytes that are not UTF-8, and lone surrogates
// such as \ud83d, into U+FFFD, which PostgreSQL stores: only NUL is left to find.)
func jsonProblem(body []byte) *inputProblem {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	return walkJSON(v, "")
}

func walkJSON(v any, path string) *inputProblem {
	switch x := v.(type) {
	case string:
		if code := unstorable(x); code != "" {
			return &inputProblem{Field: path, Code: code}
		}
	case []any:
		for i, e := range x {
			if p := walkJSON(e, path+"["+strconv.Itoa(i)+"]"); p != nil {
				return p
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			at := k
			if path != "" {
				at = path + "." + k
			}
			if code := unstorable(k); code != "" {
				return &inputProblem{Field: strings.ReplaceAll(at, "\x00", "\\u0000"), Code: code}
			}
			if p := walkJSON(x[k], at); p != nil {
				return p
			}
		}
	}
	return nil
}

// unstorable says why PostgreSQL would refuse s as text, or "".
func unstorable(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "input.nul"
	case !utf8.ValidString(s):
		return "input.utf8"
	}
	return ""
}

func isJSON(contentType string) bool {
	ct, _, _ := mime.ParseMediaType(contentType)
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}
