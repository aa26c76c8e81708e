package operatorui

import (
	"errors"
	"net/http"
	"strconv"

	"dozvon/internal/auth"
)

type usersPage struct {
	Users   []auth.User
	Roles   []auth.Role
	Locales []string
	Form    auth.NewUser
}

func (ui *UI) showUsers(w http.ResponseWriter, r *http.Request) {
	ui.renderUsers(w, r, http.StatusOK, "", auth.NewUser{Role: auth.Operator, Locale: ui.DefaultLocale})
}

func (ui *UI) renderUsers(w http.ResponseWriter, r *http.Request, status int, errMsg string, form auth.NewUser) {
	users, err := ui.Users.List(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.render(w, r, status, "users", view{Title: "users.title", Error: errMsg,
		Data: usersPage{Users: users, Roles: auth.Roles, Locales: Locales, Form: form}})
}

// createUser adds a user with a temporary password, shown to the admin once, that the user must change.
func (ui *UI) createUser(w http.ResponseWriter, r *http.Request) {
	admin := currentUser(r)
	locale := ui.requestLocale(r)
	n := auth.NewUser{
		Login: r.PostFormValue("login"), DisplayName: r.PostFormValue("display_name"),
		Role: auth.Role(r.PostFormValue("role")), Locale: r.PostFormValue("locale"),
		Password: auth.RandomPassword(), MustChangePassword: true,
	}
	u, err := ui.Users.Create(r.Context(), n)
	var in *auth.InputError
	switch {
	case errors.As(err, &in):
		ui.renderUsers(w, r, http.StatusUnprocessableEntity, T(locale, "error.invalid", userProblem(locale, in)), n)
		return
	case errors.Is(err, auth.ErrLoginTaken):
		ui.renderUsers(w, r, http.StatusConflict, T(locale, "users.taken"), n)
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	}
	ui.audit(r, auth.Entry{UserID: &admin.ID, Actor: admin.Login, Action: "user.create", Object: u.Login,
		Detail: map[string]any{"role": u.Role}})
	ui.flash(r, T(locale, "users.created", u.Login))
	ui.showPasswordOnce(r, u.Login, n.Password)
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

func (ui *UI) updateUser(w http.ResponseWriter, r *http.Request) {
	admin := currentUser(r)
	locale := ui.requestLocale(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return
	}
	role := auth.Role(r.PostFormValue("role"))
	active := r.PostFormValue("active") == "on"
	if id == admin.ID && (!active || role != auth.Admin) {
		ui.renderUsers(w, r, http.StatusUnprocessableEntity, T(locale, "users.self"), auth.NewUser{Role: auth.Operator})
		return
	}
	err = ui.Users.Update(r.Context(), id, role, r.PostFormValue("display_name"), active)
	var in *auth.InputError
	switch {
	case errors.As(err, &in):
		ui.renderUsers(w, r, http.StatusUnprocessableEntity, T(locale, "error.invalid", userProblem(locale, in)), auth.NewUser{Role: auth.Operator})
		return
	case errors.Is(err, auth.ErrNotFound):
		ui.notFound(w, r)
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	}
	ui.audit(r, auth.Entry{UserID: &admin.ID, Actor: admin.Login, Action: "user.update", Object: r.PathValue("id"),
		Detail: map[string]any{"role": role, "active": active}})
	ui.flash(r, T(locale, "users.saved"))
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

func (ui *UI) resetPassword(w http.ResponseWriter, r *http.Request) {
	admin := currentUser(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return
	}
	u, err := ui.Users.ByID(r.Context(), id)
	if errors.Is(err, auth.ErrNotFound) {
		ui.notFound(w, r)
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	// SetPassword ends every session of the user. An administrator who resets their own password stays signed
	// in (under a new token) to read the new one, and changes it next.
	password := auth.RandomPassword()
	if err := ui.Users.SetPassword(r.Context(), id, password, true); err != nil {
		ui.serverError(w, r, err)
		return
	}
	if id == admin.ID {
		if err := ui.Sessions.RenewToken(r.Context()); err != nil {
			ui.serverError(w, r, err)
			return
		}
	}
	ui.audit(r, auth.Entry{UserID: &admin.ID, Actor: admin.Login, Action: "password.reset", Object: u.Login})
	ui.flash(r, T(ui.requestLocale(r), "users.reset_done", u.Login))
	ui.showPasswordOnce(r, u.Login, password)
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

// apiMe tells an API client or the page's script who is logged in.
func (ui *UI) apiMe(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	writeJSON(w, http.StatusOK, map[string]any{"id": u.ID, "login": u.Login, "name": u.Name(), "role": u.Role, "locale": u.Locale})
}

// userProblem is auth's refusal as the users page shows it: "password must be at least 10 characters", or in
// Russian the form's label before the translated problem, since a Russian problem does not follow a field name.
func userProblem(locale string, in *auth.InputError) string {
	ru := msgText(locale, in)
	if locale == "en" {
		return in.Field + " " + ru
	}
	label := map[string]string{"login": "users.login", "role": "users.role", "locale": "users.locale",
		"display_name": "users.name", "password": "login.password"}[in.Field]
	if label == "" {
		return in.Field + ": " + ru
	}
	return T(locale, label) + ": " + ru
}

// showPasswordOnce keeps a temporary password for the next page the administrator sees, which shows it apart
// from any sentence, with a button that copies it; the session forgets it once shown.
func (ui *UI) showPasswordOnce(r *http.Request, login, password string) {
	ui.Sessions.Put(r.Context(), "temp_login", login)
	ui.Sessions.Put(r.Context(), "temp_password", password)
}
