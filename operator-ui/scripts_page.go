package operatorui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"dozvon/dialog"
	"dozvon/internal/auth"
)

// Supervisors keep the scripts operators call up in the console: /scripts lists them, /scripts/new and
// /scripts/{id} hold the form, and a mistake comes back next to its field with the input kept.

type scriptsView struct {
	Scripts []dialog.Script
}

type scriptForm struct {
	Script    dialog.Script
	Errors    map[string]string
	Kinds     []string
	Variables []string // as written in a body: {{.Company}}
}

func (ui *UI) showScripts(w http.ResponseWriter, r *http.Request) {
	if !ui.supervisorToolsOn(w, r) {
		return
	}
	list, err := ui.Dialog.Scripts(r.Context(), "")
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.render(w, r, http.StatusOK, "scripts", view{Title: "scripts.title", Data: scriptsView{Scripts: list}})
}

func (ui *UI) showNewScript(w http.ResponseWriter, r *http.Request) {
	if ui.supervisorToolsOn(w, r) {
		ui.renderScriptForm(w, r, http.StatusOK, dialog.Script{}, nil)
	}
}

func (ui *UI) showScript(w http.ResponseWriter, r *http.Request) {
	sc, ok := ui.scriptOf(w, r)
	if ok {
		ui.renderScriptForm(w, r, http.StatusOK, sc, nil)
	}
}

func (ui *UI) createScript(w http.ResponseWriter, r *http.Request) {
	if ui.supervisorToolsOn(w, r) {
		ui.saveScript(w, r, 0)
	}
}

func (ui *UI) updateScript(w http.ResponseWriter, r *http.Request) {
	if sc, ok := ui.scriptOf(w, r); ok {
		ui.saveScript(w, r, sc.ID)
	}
}

func (ui *UI) saveScript(w http.ResponseWriter, r *http.Request, id int64) {
	sc := dialog.Script{ID: id, Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		LeadKind: r.PostFormValue("lead_kind"), Shortcut: r.PostFormValue("shortcut")}
	me := currentUser(r)
	saved, err := ui.Dialog.SaveScript(r.Context(), sc, me.ID)
	var in *dialog.InputError
	switch {
	case errors.As(err, &in):
		ui.renderScriptForm(w, r, http.StatusUnprocessableEntity, sc,
			map[string]string{in.Field: ui.scriptProblem(r, sc, in)})
		return
	case errors.Is(err, dialog.ErrNoSuchScript):
		ui.notFound(w, r)
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	}
	action := "script.update"
	if id == 0 {
		action = "script.create"
	}
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: action, Object: saved.Title,
		Detail: map[string]any{"script_id": saved.ID}})
	ui.flash(r, T(ui.requestLocale(r), "scripts.saved", saved.Title))
	http.Redirect(w, r, "/scripts", http.StatusSeeOther)
}

func (ui *UI) deleteScript(w http.ResponseWriter, r *http.Request) {
	sc, ok := ui.scriptOf(w, r)
	if !ok {
		return
	}
	if err := ui.Dialog.DeleteScript(r.Context(), sc.ID); err != nil && !errors.Is(err, dialog.ErrNoSuchScript) {
		ui.serverError(w, r, err)
		return
	}
	me := currentUser(r)
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: "script.delete", Object: sc.Title,
		Detail: map[string]any{"script_id": sc.ID}})
	ui.flash(r, T(ui.requestLocale(r), "scripts.deleted"))
	http.Redirect(w, r, "/scripts", http.StatusSeeOther)
}

// scriptOf loads the {id} script, answering 404 when there is none.
func (ui *UI) scriptOf(w http.ResponseWriter, r *http.Request) (dialog.Script, bool) {
	if !ui.supervisorToolsOn(w, r) {
		return dialog.Script{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return dialog.Script{}, false
	}
	sc, err := ui.Dialog.Script(r.Context(), id)
	if errors.Is(err, dialog.ErrNoSuchScript) {
		ui.notFound(w, r)
		return sc, false
	}
	if err != nil {
		ui.serverError(w, r, err)
		return sc, false
	}
	return sc, true
}

func (ui *UI) renderScriptForm(w http.ResponseWriter, r *http.Request, status int, sc dialog.Script, errs map[string]string) {
	f := scriptForm{Script: sc, Errors: errs, Kinds: []string{"missed_call", "follow_up", "acquiring"}}
	for _, v := range dialog.ScriptVariables {
		f.Variables = append(f.Variables, "{{."+v+"}}")
	}
	title := "scripts.new"
	if sc.ID != 0 {
		title = "scripts.edit"
	}
	ui.render(w, r, status, "script", view{Title: title, Data: f})
}

// scriptProblem says what is wrong with a field in the user's language.
func (ui *UI) scriptProblem(r *http.Request, sc dialog.Script, in *dialog.InputError) string {
	loc := ui.requestLocale(r)
	switch in.Field {
	case "title":
		return T(loc, "scripts.err_title")
	case "body":
		if v := dialog.UnknownVariable(sc.Body); v != "" {
			return T(loc, "scripts.err_variable", v)
		}
		return T(loc, "scripts.err_body")
	case "lead_kind":
		return T(loc, "scripts.err_kind")
	case "shortcut":
		if in.Code == "dialog.shortcut_taken" {
			return T(loc, "scripts.err_taken", strings.ToLower(strings.TrimPrefix(strings.TrimSpace(sc.Shortcut), "/")))
		}
		return T(loc, "scripts.err_shortcut")
	}
	return msgText(loc, in)
}
