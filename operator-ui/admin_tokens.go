package operatorui

import (
	"errors"
	"net/http"
	"strconv"

	"dozvon/internal/auth"
)

// API tokens for the bank's systems (/api/v1): an administrator issues one per system, sees its secret once, sees
// when each was last used, and revokes one that leaked or is no longer needed. All of it is in the audit log.

type tokensPage struct {
	Tokens []listedToken
	Name   string          // as typed, when it comes back with a mistake
	Scopes map[string]bool // as ticked, likewise
	All    []string        // every scope, in the form's order
}

type listedToken struct {
	auth.Token
	Creator string // the administrator's login; "" when issued from the command line
}

func (ui *UI) showTokens(w http.ResponseWriter, r *http.Request) {
	ui.renderTokens(w, r, http.StatusOK, "", "", map[string]bool{auth.ScopeImports: true})
}

func (ui *UI) renderTokens(w http.ResponseWriter, r *http.Request, status int, errMsg, name string, scopes map[string]bool) {
	tokens, err := ui.Users.ListTokens(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	users, err := ui.Users.List(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	logins := map[int64]string{}
	for _, u := range users {
		logins[u.ID] = u.Login
	}
	page := tokensPage{Name: name, Scopes: scopes, All: auth.Scopes}
	for _, t := range tokens {
		lt := listedToken{Token: t}
		if t.CreatedBy != nil {
			lt.Creator = logins[*t.CreatedBy]
		}
		page.Tokens = append(page.Tokens, lt)
	}
	ui.render(w, r, status, "tokens", view{Title: "tokens.title", Error: errMsg, Data: page})
}

// issueToken shows the new token's secret once, in the flash; only its hash is kept.
func (ui *UI) issueToken(w http.ResponseWriter, r *http.Request) {
	admin := currentUser(r)
	locale := ui.requestLocale(r)
	name := r.PostFormValue("name")
	_ = r.ParseForm()
	scopes := r.PostForm["scope"]
	ticked := map[string]bool{}
	for _, sc := range scopes {
		ticked[sc] = true
	}
	secret, tok, err := ui.Users.IssueToken(r.Context(), name, scopes, admin.ID)
	var in *auth.InputError
	switch {
	case errors.As(err, &in) && in.Field == "scopes":
		ui.renderTokens(w, r, http.StatusUnprocessableEntity, T(locale, "tokens.bad_scopes"), name, ticked)
		return
	case errors.As(err, &in):
		ui.renderTokens(w, r, http.StatusUnprocessableEntity, T(locale, "tokens.bad_name"), name, ticked)
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	}
	ui.audit(r, auth.Entry{UserID: &admin.ID, Actor: admin.Login, Action: "token.issue", Object: tok.Name,
		Detail: map[string]any{"token_id": tok.ID, "scopes": tok.Scopes}})
	ui.flash(r, T(locale, "tokens.issued", tok.Name, secret))
	http.Redirect(w, r, "/admin/tokens", http.StatusSeeOther)
}

func (ui *UI) revokeToken(w http.ResponseWriter, r *http.Request) {
	admin := currentUser(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return
	}
	err = ui.Users.RevokeToken(r.Context(), id)
	if errors.Is(err, auth.ErrNoSuchToken) {
		ui.notFound(w, r)
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	name := r.PathValue("id")
	if tokens, err := ui.Users.ListTokens(r.Context()); err == nil {
		for _, t := range tokens {
			if t.ID == id {
				name = t.Name
			}
		}
	}
	ui.audit(r, auth.Entry{UserID: &admin.ID, Actor: admin.Login, Action: "token.revoke", Object: name,
		Detail: map[string]any{"token_id": id}})
	ui.flash(r, T(ui.requestLocale(r), "tokens.revoked", name))
	http.Redirect(w, r, "/admin/tokens", http.StatusSeeOther)
}
