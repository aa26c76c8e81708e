package operatorui

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/messenger"
)

// A supervisor opens any dialog read-only (GET /live/dialogs/{id}): the conversation, the client card and
// outcomes, a form to hand it to an operator or a queue (POST /live/dialogs/{id}/reassign), and once it is closed
// the QA review form (live_qa.go).

type liveDialogView struct {
	Conv         dialog.Conversation
	Card         dialog.ClientCard
	Messages     []liveMessage
	StatusLabel  string
	OperatorName string
	QueueLabel   string
	Operators    []dialog.OperatorLive
	Queues       []liveQueue
	Open         bool
	Form         reassignForm
	QA           *qaForm // nil while the dialog is open
	// Opened from a list of dialogs (the report's drill-down, a QA sample): the list, and the next dialog in it.
	List listNav
}

// listNav is the way back to the list a dialog was opened from and on to the next dialog of it.
type listNav struct {
	Query      string // "list=..." for the page's forms, empty without a list
	Raw        string // the list's query, as ?list= carries it
	Back, Next string
}

// liveMessage is one line of the history. Text is shown escaped; a campaign broadcast (Telegram HTML) is HTML,
// made safe by telegramHTML.
type liveMessage struct {
	From   string // in, out, bot, note, system
	Who    string
	At     string
	Text   string
	HTML   template.HTML
	IsHTML bool
	Files  []liveFile
	Shared *consoleShared
}

// liveFile is a client's photo or file: a picture shown, a link to save, or a line saying why neither (yet).
type liveFile struct {
	URL   string // empty until it can be opened
	Image bool
	Label string
}

type reassignForm struct {
	To, Note, Error string
}

const maxReassignNote = 2000

func (ui *UI) showLiveDialog(w http.ResponseWriter, r *http.Request) {
	ui.renderLiveDialog(w, r, http.StatusOK, reassignForm{})
}

func (ui *UI) renderLiveDialog(w http.ResponseWriter, r *http.Request, status int, form reassignForm) {
	ui.renderLiveDialogWith(w, r, status, form, nil)
}

// renderLiveDialogWith shows the page with the forms as posted; a nil qa shows the stored review.
func (ui *UI) renderLiveDialogWith(w http.ResponseWriter, r *http.Request, status int, form reassignForm, qa *qaForm) {
	id, ok := ui.supervisorPathID(w, r)
	if !ok {
		return
	}
	v, err := ui.liveDialog(r, id)
	if errors.Is(err, dialog.ErrNotFound) {
		ui.notFound(w, r)
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	v.Form = form
	if qa != nil && v.QA != nil {
		qa.Review = v.QA.Review
		v.QA = qa
	}
	ui.render(w, r, status, "live_dialog", view{Title: "live.history", Data: v})
}

func (ui *UI) liveDialog(r *http.Request, id int64) (liveDialogView, error) {
	ctx, loc := r.Context(), ui.requestLocale(r)
	var v liveDialogView
	var err error
	if v.Conv, err = ui.Dialog.Conversation(ctx, id); err != nil {
		return v, err
	}
	if v.Card, err = ui.Dialog.ClientCard(ctx, id); err != nil {
		return v, err
	}
	if v.Operators, err = ui.Dialog.Operators(ctx); err != nil {
		return v, err
	}
	snap, err := ui.Dialog.QueueSnapshot(ctx)
	if err != nil {
		return v, err
	}
	for _, q := range snap.Queues {
		label := queueLabel(loc, q.Name)
		v.Queues = append(v.Queues, liveQueue{ID: q.ID, Label: label, Waiting: q.Waiting})
		if v.Conv.QueueID != nil && *v.Conv.QueueID == q.ID {
			v.QueueLabel = label
		}
	}
	if v.List, err = ui.listNavOf(r, id); err != nil {
		return v, err
	}
	v.Open = v.Conv.Status != "closed"
	if !v.Open {
		review, err := ui.Dialog.Review(ctx, id)
		if err != nil {
			return v, err
		}
		v.QA = storedQAForm(loc, review)
	}
	v.StatusLabel = T(loc, "live.conv_"+v.Conv.Status)
	v.OperatorName = T(loc, "live.nobody")
	if v.Conv.OperatorID != nil {
		v.OperatorName = "#" + strconv.FormatInt(*v.Conv.OperatorID, 10)
		for _, o := range v.Operators {
			if o.OperatorID == *v.Conv.OperatorID {
				v.OperatorName = o.Name
			}
		}
	}
	files, err := ui.attachmentsOf(ctx, loc, v.Conv)
	if err != nil {
		return v, err
	}
	for _, m := range v.Conv.Messages {
		lm := liveMessageOf(loc, ui.userZone(r), m, v.Card.FirstName)
		lm.Shared = sharedOf(loc, m.Shared())
		for _, a := range files[m.ID] {
			lm.Files = append(lm.Files, liveFileOf(loc, a))
		}
		v.Messages = append(v.Messages, lm)
	}
	return v, nil
}

func liveFileOf(loc string, a consoleAttachment) liveFile {
	switch a.State {
	case messenger.FileReady:
		f := liveFile{URL: a.URL, Image: a.Image, Label: a.Name}
		if a.Size > 0 {
			f.Label += ", " + fileSize(loc, a.Size)
		}
		return f
	case messenger.FilePending:
		return liveFile{Label: T(loc, "console.file_loading", a.Name)}
	case messenger.FileTooLarge:
		return liveFile{Label: T(loc, "console.file_too_large", a.Name, fileSize(loc, a.Size))}
	}
	f := liveFile{Label: T(loc, "console.file_failed", a.Name)}
	if a.Reason != "" {
		f.Label += ": " + a.Reason
	}
	return f
}

// fileSize is a file's size as people read it, as the console's script writes it too.
func fileSize(loc string, n int64) string {
	if n < 1<<20 {
		return T(loc, "console.file_size_kb", strconv.FormatInt(max(1, (n+512)>>10), 10))
	}
	return T(loc, "console.file_size_mb", strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64))
}

func liveMessageOf(loc string, zone *time.Location, m dialog.Message, client string) liveMessage {
	lm := liveMessage{From: m.Direction, Who: m.AuthorName, At: formatWhen(loc, zone, m.CreatedAt), Text: m.Text}
	switch {
	case m.Direction == "in":
		lm.Who = client
		if lm.Who == "" {
			lm.Who = T(loc, "live.from_in")
		}
	case m.Direction == "out" && m.AuthorID == nil:
		lm.From, lm.Who = "bot", T(loc, "live.from_bot")
	case m.Direction == "note":
		lm.Who = T(loc, "live.from_note") + " · " + m.AuthorName
	case m.Direction == "system":
		lm.Who = T(loc, "live.from_system")
	}
	var p struct {
		Format string `json:"format"`
	}
	if json.Unmarshal(m.Payload, &p) == nil && p.Format == "html" {
		lm.IsHTML, lm.HTML = true, telegramHTML(m.Text)
	}
	return lm
}

// reassignLiveDialog hands the dialog to an operator ("operator:ID") or a queue ("queue:ID"), with a note.
func (ui *UI) reassignLiveDialog(w http.ResponseWriter, r *http.Request) {
	id, ok := ui.supervisorPathID(w, r)
	if !ok {
		return
	}
	loc := ui.requestLocale(r)
	form := reassignForm{To: r.PostFormValue("to"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	target, ok := parseTarget(form.To)
	switch {
	case !ok:
		form.Error = T(loc, "live.err_choose")
	case utf8.RuneCountInString(form.Note) > maxReassignNote:
		form.Error = T(loc, "live.err_note")
	}
	if form.Error != "" {
		ui.renderLiveDialog(w, r, http.StatusUnprocessableEntity, form)
		return
	}
	me := currentUser(r)
	err := ui.Dialog.Reassign(r.Context(), id, target, form.Note, me.ID)
	if errors.Is(err, dialog.ErrNotFound) {
		ui.notFound(w, r)
		return
	}
	if key := reassignProblem(err); key != "" {
		form.Error = T(loc, key)
		ui.renderLiveDialog(w, r, http.StatusUnprocessableEntity, form)
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: "dialog.reassign",
		Object: "conversation " + strconv.FormatInt(id, 10),
		Detail: map[string]any{"conversation_id": id, "operator_id": target.OperatorID, "queue_id": target.QueueID}})
	ui.flash(r, T(loc, "live.reassign_done", id))
	http.Redirect(w, r, "/live/dialogs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// parseTarget reads the form's "operator:ID" or "queue:ID".
func parseTarget(s string) (dialog.Target, bool) {
	kind, num, _ := strings.Cut(s, ":")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return dialog.Target{}, false
	}
	switch kind {
	case "operator":
		return dialog.Target{OperatorID: n}, true
	case "queue":
		return dialog.Target{QueueID: n}, true
	}
	return dialog.Target{}, false
}

// reassignProblem is the message key for an answer Reassign gives about the choice, "" for anything else.
func reassignProblem(err error) string {
	var in *dialog.InputError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, dialog.ErrOperatorAbsent):
		return "live.err_absent"
	case errors.Is(err, dialog.ErrAtCapacity):
		return "live.err_capacity"
	case errors.Is(err, dialog.ErrClosed):
		return "live.err_closed"
	case errors.Is(err, dialog.ErrNotSupervisor):
		return "live.err_forbidden"
	case errors.As(err, &in):
		return "live.err_no_queue"
	}
	return ""
}

// listNavOf reads the list a dialog was opened from (?list=, the list's own query) and finds the next dialog in
// it; a list it cannot read is ignored, the page stands without it.
func (ui *UI) listNavOf(r *http.Request, id int64) (listNav, error) {
	raw := r.URL.Query().Get("list")
	if raw == "" || ui.Reports == nil {
		return listNav{}, nil
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return listNav{}, nil
	}
	_, f, err := dialogFilter(q, time.Now())
	if err != nil {
		return listNav{}, nil
	}
	nav := listNav{Query: url.Values{"list": {raw}}.Encode(), Raw: raw, Back: "/reports/dialogs?" + q.Encode()}
	next, err := ui.Reports.NextDialog(r.Context(), f, id)
	if err != nil {
		return listNav{}, err
	}
	if next != 0 {
		nav.Next = dialogHref(next, q)
	}
	return nav, nil
}

// dialogPage is a dialog's page, with the list it was opened from.
func dialogPage(id int64, nav listNav) string {
	p := "/live/dialogs/" + strconv.FormatInt(id, 10)
	if nav.Query != "" {
		p += "?" + nav.Query
	}
	return p
}
