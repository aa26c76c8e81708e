package operatorui

import (
	"encoding/json"
	"net/http"

	"dozvon/internal/msg"
)

// How the JSON API refuses a request: like every message a person reads, with a code and its arguments from the
// one catalog (internal/msg), rendered in the language of the user calling (a session's) or in English (a bank
// system's token, which has no user). A program reads "code" and "args"; a person reads "error".
var apiCodes = map[string]string{
	"api.login_required":     "login required",
	"api.role_denied":        "your role may not use this endpoint",
	"api.temporary_password": "change your temporary password first (/account)",
	"api.no_endpoint":        "no such endpoint",
	"api.internal":           "internal error",
	"api.token_required":     "an API token is required: Authorization: Bearer dzv_...",
	"api.token_revoked":      "this API token is revoked",
	"api.token_unknown":      "unknown API token",
	"api.token_scope":        "this API token may not do this: it needs the %q scope, which an administrator grants when issuing a token",
	"api.body_too_large":     "the body is larger than %d MiB; send at most %d records a request",
	"api.malformed_json":     "malformed JSON at byte %d: %s",
	"api.body_truncated":     "malformed JSON: the body ends too early",
	"api.body_not_object":    `the body must be an object, {"records": [{...}, ...]}, not a JSON %s`,
	"api.records_not_array":  `"records" must be an array of objects; byte %d has a %s`,
	"api.body_empty":         `the body is empty; send {"records": [{...}, ...]}`,
	"api.malformed":          `malformed request: %s; send {"records": [{...}, ...]}`,
	"api.records_empty":      `"records" is missing or empty; send {"records": [{...}, ...]}`,
	"api.too_many_records":   "%d records; send at most %d a request",
	"api.imports_off":        "imports are not available on this server",
	"api.import_failed":      "import %d failed",
	"api.dialog_off":         "the dialog service is not running",
	"api.no_callback":        "no open callback task %s",
}

func init() { msg.Register(apiCodes) }

// apiRefusal is the answer to a refused API request.
type apiRefusal struct {
	Error string            `json:"error"` // the message, in the caller's language
	Code  string            `json:"code"`
	Args  []json.RawMessage `json:"args"` // what the message names, in its order; [] when nothing
	Field string            `json:"field,omitempty"`
}

// refuseAPI answers m with status, in the calling user's language, or in English when no user is calling.
func (ui *UI) refuseAPI(w http.ResponseWriter, r *http.Request, status int, m *msg.Error) {
	locale := "en"
	if currentUser(r).ID != 0 {
		locale = ui.requestLocale(r)
	}
	writeJSON(w, status, apiRefusalOf(locale, m))
}

func apiRefusalOf(locale string, m *msg.Error) apiRefusal {
	out := apiRefusal{Error: msgText(locale, m), Code: m.Code, Args: []json.RawMessage{}, Field: m.Field}
	var wire struct{ Args []json.RawMessage }
	if raw, err := json.Marshal(m); err == nil && json.Unmarshal(raw, &wire) == nil && wire.Args != nil {
		out.Args = wire.Args // msg's own encoding: a nested message as an object, an error as its words
	}
	return out
}
