package operatorui

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/rs/zerolog"

	"dozvon/internal/auth"
	"dozvon/internal/msg"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one template set per page, each made of the shared layout and the page's own file.
type pages struct{ byName map[string]*template.Template }

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		// Placeholders; page() binds them to the request's locale.
		"t":        func(key string, args ...any) string { return key },
		"message":  func(m *msg.Error, english string) string { return english },
		"recorded": func(recorded string) string { return recorded },
		"roleName": func(r auth.Role) string { return string(r) },
		"when":     func(at time.Time) string { return at.String() },
		"inc":      func(i int) int { return i + 1 },
		"drill":    drill, // the dialogs behind a report's figure (reports_dialogs.go)
		// under tells whether a page belongs to a navigation section: /campaigns/12 is under /campaigns.
		"under": func(path, section string) bool { return path == section || strings.HasPrefix(path, section+"/") },
	}
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(templateFuncs()).ParseFS(templateFS, "templates/layout.html", file)
		if err != nil {
			return nil, fmt.Errorf("operatorui: parse template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page template gets: the page's own data and what the layout needs.
type view struct {
	Title   string
	User    auth.User
	Locale  string
	Nav     []navItem
	Path    string
	Flash   string
	Error   string
	Data    any
	Version string
	Temp    *tempPassword // a temporary password to show once, apart from the flash
}

// tempPassword is a new user's or a reset's password, shown once to the administrator who made it.
type tempPassword struct{ Login, Password string }

// render writes a page in the request's locale with the given status.
func (ui *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := ui.pages.byName[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	v.User = currentUser(r)
	v.Locale = ui.requestLocale(r)
	v.Path = r.URL.Path
	v.Version = ui.Version
	if v.User.ID != 0 {
		v.Nav = navFor(v.User.Role)
	}
	if v.Flash == "" {
		v.Flash = ui.Sessions.PopString(r.Context(), "flash")
	}
	if pw := ui.Sessions.PopString(r.Context(), "temp_password"); pw != "" && v.User.ID != 0 {
		v.Temp = &tempPassword{Login: ui.Sessions.PopString(r.Context(), "temp_login"), Password: pw}
	}
	locale, zone := v.Locale, ui.TimeZone
	if v.User.ID != 0 {
		zone = ui.userZone(r)
	}
	t, err := t.Clone()
	if err == nil {
		t = t.Funcs(template.FuncMap{
			"t":        func(key string, args ...any) string { return T(locale, key, args...) },
			"when":     func(at time.Time) string { return formatWhen(locale, zone, at) },
			"roleName": func(role auth.Role) string { return T(locale, "role."+string(role)) },
			"message":  func(m *msg.Error, english string) string { return messageOr(locale, m, english) },
			"recorded": func(recorded string) string { return recordedText(locale, recorded) },
		})
	}
	var buf bytes.Buffer
	if err == nil {
		err = t.ExecuteTemplate(&buf, "layout", v)
	}
	if err != nil {
		zerolog.Ctx(r.Context()).Error().Err(err).Str("template", name).Msg("render page")
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// flash keeps a message for the next page the user sees (after a redirect).
func (ui *UI) flash(r *http.Request, msg string) { ui.Sessions.Put(r.Context(), "flash", msg) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeJSONMessage answers a coded message: its words in the user's language, and beside them, for a program,
// its code and arguments.
func writeJSONMessage(w http.ResponseWriter, status int, locale string, m *msg.Error) {
	raw, _ := json.Marshal(m)
	writeJSON(w, status, map[string]any{"error": msgText(locale, m), "message": json.RawMessage(raw)})
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext accepts only a path of this site as a post-login target, so the login page cannot redirect elsewhere.
// Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/\t/evil.example" and
// "/\\evil.example" would become "//evil.example", another host: any control character or backslash is refused,
// and what is left must parse as a path with no scheme or host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' || unicode.IsControl(c) {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return next
}

func (ui *UI) forbidden(w http.ResponseWriter, r *http.Request) {
	ui.render(w, r, http.StatusForbidden, "error", view{Title: "error.forbidden",
		Data: errorPage{Heading: "error.forbidden", Text: T(ui.requestLocale(r), "error.forbidden_text",
			T(ui.requestLocale(r), "role."+string(currentUser(r).Role)))}})
}

func (ui *UI) notFound(w http.ResponseWriter, r *http.Request) {
	if u, ok := ui.sessionUser(r); ok {
		r = r.WithContext(contextWithUser(r, u))
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		ui.refuseAPI(w, r, http.StatusNotFound, msg.New("api.no_endpoint"))
		return
	}
	ui.render(w, r, http.StatusNotFound, "error", view{Title: "error.not_found",
		Data: errorPage{Heading: "error.not_found", Text: T(ui.requestLocale(r), "error.not_found_text")}})
}

func (ui *UI) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	zerolog.Ctx(r.Context()).Warn().Str("origin", r.Header.Get("Origin")).Msg("cross-origin request refused")
	http.Error(w, T(ui.requestLocale(r), "error.cross_origin"), http.StatusForbidden)
}

type errorPage struct{ Heading, Text string }
