package operatorui

import (
	"context"
	"crypto/subtle"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// healthz says the process is up; a load balancer restarts it when this fails.
func (ui *UI) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": ui.Version})
}

// readyz says the process can serve: the database answers within a second.
func (ui *UI) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := ui.Ready(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// metrics is for the bank's Prometheus only: off (404) unless DOZVON_METRICS_TOKEN is set, and then it asks for
// that token (Authorization: Bearer ...). The figures say how busy the team and the bot are.
func (ui *UI) metrics(w http.ResponseWriter, r *http.Request) {
	if ui.MetricsToken == "" {
		ui.notFound(w, r)
		return
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") ||
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(ui.MetricsToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dozvon metrics"`)
		http.Error(w, "the metrics token is required: Authorization: Bearer ...", http.StatusUnauthorized)
		return
	}
	promhttp.HandlerFor(ui.registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

func (ui *UI) static(w http.ResponseWriter, r *http.Request) {
	sub, _ := fs.Sub(staticFS, "static")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/static/", http.FileServerFS(sub)).ServeHTTP(w, r)
}

func (ui *UI) favicon(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
}
