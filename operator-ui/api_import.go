package operatorui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"dozvon/campaigns/imports"
	"dozvon/internal/auth"
)

// The JSON API the bank's systems push clients, applications and events to: POST /api/v1/clients (applications,
// events) with {"records": [{...}, ...]} and an API token, answered with what the import did and every rejected
// record by index and field. Records go through the same checks and upsert as a file (imports.ImportRecords).

const (
	// MaxAPIRecords and MaxAPIBody bound one request: bigger loads are several requests, each its own import.
	MaxAPIRecords = 10000
	MaxAPIBody    = 10 << 20
)

type tokenKey struct{}

// tokenGuard lets a request through with a valid API token in Authorization: Bearer, checked on every request
// (a revoked token stops working at once, on every instance); a session does not count. VerifyToken records
// the token's use. A token without the route's scope is refused with 403.
func (ui *UI) tokenGuard(w http.ResponseWriter, r *http.Request, scope string, next http.HandlerFunc) {
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dozvon"`)
		writeJSONError(w, http.StatusUnauthorized, "an API token is required: Authorization: Bearer dzv_...")
		return
	}
	tok, err := ui.Users.VerifyToken(r.Context(), strings.TrimSpace(secret))
	switch {
	case errors.Is(err, auth.ErrTokenRevoked):
		w.Header().Set("WWW-Authenticate", `Bearer realm="dozvon", error="invalid_token"`)
		writeJSONError(w, http.StatusUnauthorized, "this API token is revoked")
		return
	case errors.Is(err, auth.ErrBadToken):
		w.Header().Set("WWW-Authenticate", `Bearer realm="dozvon", error="invalid_token"`)
		writeJSONError(w, http.StatusUnauthorized, "unknown API token")
		return
	case err != nil:
		zerolog.Ctx(r.Context()).Error().Err(err).Msg("verify API token")
		writeJSONError(w, http.StatusInternalServerError, "internal error")
		return
	case scope != "" && !tok.Has(scope):
		writeJSONError(w, http.StatusForbidden, "this API token may not do this: it needs the "+strconv.Quote(scope)+
			" scope, which an administrator grants when issuing a token")
		return
	}
	next(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok)))
}

// currentToken is the API token of a Token route.
func currentToken(r *http.Request) auth.Token {
	t, _ := r.Context().Value(tokenKey{}).(auth.Token)
	return t
}

// apiReport is an import's report as the API answers it.
type apiReport struct {
	ImportID      int64           `json:"import_id"`
	Dataset       imports.Dataset `json:"dataset"`
	DryRun        bool            `json:"dry_run"`
	Records       int64           `json:"records"`
	Inserted      int64           `json:"inserted"`
	Updated       int64           `json:"updated"`
	Unchanged     int64           `json:"unchanged"`
	RejectedCount int64           `json:"rejected_count"`
	// Rejected lists why records were not loaded, by their index in "records" (from 0); a record may have
	// several entries. ProblemCount counts them all, when there are more than the first imports.MaxProblems.
	Rejected     []apiProblem `json:"rejected"`
	ProblemCount int64        `json:"problem_count"`
}

type apiProblem struct {
	Index  int    `json:"index"`
	Field  string `json:"field"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
	// Code and Args are the reason for a program: its code in the catalog and the values it names.
	Code string `json:"code,omitempty"`
	Args []any  `json:"args,omitempty"`
}

// apiImport loads one dataset's records; ?dry_run=true checks them and saves nothing.
func (ui *UI) apiImport(d imports.Dataset) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !ui.importsOn(w, r) {
			return
		}
		ui.allowSlowBody(w, r) // up to MaxAPIBody from a system already let in by its token
		records, status, reason := readRecords(w, r)
		if status != 0 {
			writeJSONError(w, status, reason)
			return
		}
		tok := currentToken(r)
		dry := r.URL.Query().Get("dry_run") == "true"
		rep, err := imports.ImportRecords(r.Context(), ui.ImportsDB, records,
			imports.Options{Dataset: d, TokenID: tok.ID, DryRun: dry, Connections: 1}) // one connection per request
		if err != nil {
			zerolog.Ctx(r.Context()).Error().Err(err).Int64("import", rep.JobID).Msg("API import failed")
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "the import failed", "import_id": rep.JobID})
			return
		}
		ui.audit(r, auth.Entry{Actor: tok.Name, Action: "import." + string(d), Object: "api",
			Detail: map[string]any{"import": rep.JobID, "token_id": tok.ID, "rows": rep.Rows,
				"inserted": rep.Inserted, "updated": rep.Updated, "rejected": rep.Rejected, "dry_run": rep.DryRun}})
		writeJSON(w, http.StatusOK, apiReportOf(rep))
	}
}

// readRecords decodes {"records": [...]} within the limits; status is 0, or the error status and its reason.
// Numbers stay exact (an INN sent as a number keeps every digit).
func readRecords(w http.ResponseWriter, r *http.Request) (records []map[string]any, status int, reason string) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxAPIBody))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var body struct {
		Records []map[string]any `json:"records"`
	}
	err := dec.Decode(&body)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	var (
		tooBig  *http.MaxBytesError
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return nil, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the body is larger than %d MiB; send at most %d records a request", MaxAPIBody>>20, MaxAPIRecords)
	case errors.As(err, &syntax):
		return nil, http.StatusBadRequest, fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return nil, http.StatusBadRequest, fmt.Sprintf(`the body must be an object, {"records": [{...}, ...]}, not a JSON %s`, typeErr.Value)
	case errors.As(err, &typeErr):
		return nil, http.StatusBadRequest, fmt.Sprintf(`"records" must be an array of objects; byte %d has a %s`,
			typeErr.Offset, typeErr.Value)
	case errors.Is(err, io.EOF):
		return nil, http.StatusBadRequest, `the body is empty; send {"records": [{...}, ...]}`
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, http.StatusBadRequest, "malformed JSON: the body ends too early"
	case err != nil:
		return nil, http.StatusBadRequest, "malformed request: " + err.Error() + `; send {"records": [{...}, ...]}`
	case len(body.Records) == 0:
		return nil, http.StatusBadRequest, `"records" is missing or empty; send {"records": [{...}, ...]}`
	case len(body.Records) > MaxAPIRecords:
		return nil, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%d records; send at most %d a request", len(body.Records), MaxAPIRecords)
	}
	return body.Records, 0, ""
}

func apiReportOf(rep imports.Report) apiReport {
	out := apiReport{ImportID: rep.JobID, Dataset: rep.Dataset, DryRun: rep.DryRun, Records: rep.Rows,
		Inserted: rep.Inserted, Updated: rep.Updated, Unchanged: rep.Unchanged, RejectedCount: rep.Rejected,
		Rejected: make([]apiProblem, len(rep.Problems)), ProblemCount: rep.ProblemCount}
	for i, p := range rep.Problems {
		out.Rejected[i] = apiProblem{Index: p.Line - 1, Field: p.Field, Value: p.Value, Reason: p.Reason}
		if p.Msg != nil {
			out.Rejected[i].Code, out.Rejected[i].Args = p.Msg.Code, p.Msg.Args
		}
	}
	return out
}
