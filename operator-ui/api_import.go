package operatorui

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/rs/zerolog"

	"dozvon/campaigns/imports"
	"dozvon/internal/auth"
	"dozvon/internal/msg"
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
		ui.refuseAPI(w, r, http.StatusUnauthorized, msg.New("api.token_required"))
		return
	}
	tok, err := ui.Users.VerifyToken(r.Context(), strings.TrimSpace(secret))
	switch {
	case errors.Is(err, auth.ErrTokenRevoked):
		w.Header().Set("WWW-Authenticate", `Bearer realm="dozvon", error="invalid_token"`)
		ui.refuseAPI(w, r, http.StatusUnauthorized, msg.New("api.token_revoked"))
		return
	case errors.Is(err, auth.ErrBadToken):
		w.Header().Set("WWW-Authenticate", `Bearer realm="dozvon", error="invalid_token"`)
		ui.refuseAPI(w, r, http.StatusUnauthorized, msg.New("api.token_unknown"))
		return
	case err != nil:
		zerolog.Ctx(r.Context()).Error().Err(err).Msg("verify API token")
		ui.refuseAPI(w, r, http.StatusInternalServerError, msg.New("api.internal"))
		return
	case scope != "" && !tok.Has(scope):
		ui.refuseAPI(w, r, http.StatusForbidden, msg.New("api.token_scope", scope))
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
		records, status, refusal := readRecords(w, r)
		if refusal != nil {
			ui.refuseAPI(w, r, status, refusal)
			return
		}
		tok := currentToken(r)
		dry := r.URL.Query().Get("dry_run") == "true"
		rep, err := imports.ImportRecords(r.Context(), ui.ImportsDB, records,
			imports.Options{Dataset: d, TokenID: tok.ID, DryRun: dry, Connections: 1}) // one connection per request
		if err != nil {
			zerolog.Ctx(r.Context()).Error().Err(err).Int64("import", rep.JobID).Msg("API import failed")
			ui.refuseAPI(w, r, http.StatusInternalServerError, msg.New("api.import_failed", rep.JobID))
			return
		}
		ui.audit(r, auth.Entry{Actor: tok.Name, Action: "import." + string(d), Object: "api",
			Detail: map[string]any{"import": rep.JobID, "token_id": tok.ID, "rows": rep.Rows,
				"inserted": rep.Inserted, "updated": rep.Updated, "rejected": rep.Rejected, "dry_run": rep.DryRun}})
		writeJSON(w, http.StatusOK, apiReportOf(rep))
	}
}

// readRecords decodes {"records": [...]} within the limits; refusal is nil, or what is wrong with the body and
// the status to answer it with. Numbers stay exact (an INN sent as a number keeps every digit).
func readRecords(w http.ResponseWriter, r *http.Request) (records []map[string]any, status int, refusal *msg.Error) {
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
		return nil, http.StatusRequestEntityTooLarge, msg.New("api.body_too_large", MaxAPIBody>>20, MaxAPIRecords)
	case errors.As(err, &syntax):
		return nil, http.StatusBadRequest, msg.New("api.malformed_json", syntax.Offset, err.Error())
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return nil, http.StatusBadRequest, msg.New("api.body_not_object", typeErr.Value)
	case errors.As(err, &typeErr):
		return nil, http.StatusBadRequest, msg.New("api.records_not_array", typeErr.Offset, typeErr.Value)
	case errors.Is(err, io.EOF):
		return nil, http.StatusBadRequest, msg.New("api.body_empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, http.StatusBadRequest, msg.New("api.body_truncated")
	case err != nil:
		return nil, http.StatusBadRequest, msg.New("api.malformed", err.Error())
	case len(body.Records) == 0:
		return nil, http.StatusBadRequest, msg.New("api.records_empty")
	case len(body.Records) > MaxAPIRecords:
		return nil, http.StatusRequestEntityTooLarge, msg.New("api.too_many_records", len(body.Records), MaxAPIRecords)
	}
	return body.Records, 0, nil
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
