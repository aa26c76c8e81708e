package operatorui

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/msg"
)

// The operator console's JSON API. The page (static/console.js) follows live events and refetches what changed
// from here. Every handler parses, asks dialog, and answers: who may do what to a conversation is dialog's
// decision (ErrNotYours and friends), and reading is checked here the same way: an operator reads only
// conversations that are (or were) theirs, supervisors and administrators read any.

// operatorsAPI is the console's JSON endpoints: the console's people, answering 401/403 as JSON.
var operatorsAPI = Access{Roles: operators.Roles, API: true}

// ChatTyping is the messenger's "typing…" indicator as the console uses it; telegram.Client has it.
type ChatTyping interface {
	Typing(ctx context.Context, chatID int64) error
}

// typingEvery is how often a dialog's typing indicator is sent at most: Telegram shows it for about 5 s.
const typingEvery = 4 * time.Second

// typingGate lets one typing indicator per conversation through every typingEvery, whatever browsers send.
type typingGate struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

func newTypingGate() *typingGate { return &typingGate{last: map[int64]time.Time{}} }

func (g *typingGate) allow(convID int64, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.last[convID]) < typingEvery {
		return false
	}
	if len(g.last) > 10000 { // forget the quiet ones now and then, so the map does not grow with every dialog
		for id, at := range g.last {
			if now.Sub(at) >= typingEvery {
				delete(g.last, id)
			}
		}
	}
	g.last[convID] = now
	return true
}

// consoleDialog is a line of the operator's list.
type consoleDialog struct {
	ID            int64      `json:"id"`
	Company       string     `json:"company"`
	ClientName    string     `json:"client_name"`
	LeadKind      string     `json:"lead_kind"`
	Channel       string     `json:"channel"`
	ChannelLabel  string     `json:"channel_label"`
	BotName       string     `json:"bot_name,omitempty"` // only when there are several bots
	LastMessage   string     `json:"last_message"`
	LastMessageAt *time.Time `json:"last_message_at"`
	Unread        int        `json:"unread"`
	Unanswered    int        `json:"unanswered"`
	WaitingSince  *time.Time `json:"waiting_since"` // the SLA clock runs from here; null: nothing unanswered
	SLATargetMS   int64      `json:"sla_target_ms"`
	SLAWarningMS  int64      `json:"sla_warning_ms"`
}

type consoleQueue struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	LeadKind      string     `json:"lead_kind"`
	Waiting       int        `json:"waiting"`
	OldestWaiting *time.Time `json:"oldest_waiting"`
}

type consoleColleague struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// consoleState is everything the list column shows.
type consoleState struct {
	Presence   string             `json:"presence"`
	Dialogs    []consoleDialog    `json:"dialogs"`
	Queues     []consoleQueue     `json:"queues"`
	Colleagues []consoleColleague `json:"colleagues"` // who a dialog may be transferred to: present colleagues
	ServerTime time.Time          `json:"server_time"`
	// Answered60 is the operator's share answered within 60 s today, written in their language; every event
	// that refetches the state updates it.
	Answered60 string `json:"answered_60"`
}

func (ui *UI) consoleState(w http.ResponseWriter, r *http.Request) {
	if !ui.dialogOn(w, r) {
		return
	}
	me := currentUser(r)
	list, err := ui.Dialog.OperatorDialogs(r.Context(), me.ID)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	snap, err := ui.Dialog.QueueSnapshot(r.Context())
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	day, err := ui.Reports.ForOperator(r.Context(), me.ID, startOfDay(time.Now()))
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	several, err := ui.severalBots(r.Context())
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	locale := ui.requestLocale(r)
	st := consoleState{Presence: dialog.Offline, Dialogs: make([]consoleDialog, 0, len(list)),
		Queues: []consoleQueue{}, Colleagues: []consoleColleague{}, ServerTime: ui.Dialog.Now().UTC(), // the clock of every SLA time
		Answered60: answeredText(locale, day)}
	for _, d := range list {
		cd := consoleDialog{ID: d.ConversationID, Company: d.Company, ClientName: d.ClientName,
			LeadKind: d.LeadKind, Channel: d.Channel, ChannelLabel: channelLabel(locale, d.Channel),
			LastMessage: d.LastMessage, LastMessageAt: d.LastMessageAt, Unread: d.Unread,
			Unanswered: d.Unanswered, WaitingSince: d.OldestUnansweredAt, SLATargetMS: d.SLATarget.Milliseconds(),
			SLAWarningMS: d.SLAWarning.Milliseconds()}
		if several {
			cd.BotName = d.BotName
		}
		st.Dialogs = append(st.Dialogs, cd)
	}
	var mine []int64
	for _, o := range snap.Operators {
		switch {
		case o.OperatorID == me.ID:
			st.Presence, mine = o.Status, o.Queues
		case o.Status != dialog.Offline:
			st.Colleagues = append(st.Colleagues, consoleColleague{ID: o.OperatorID, Name: o.Name, Status: o.Status})
		}
	}
	for _, q := range snap.Queues {
		if len(mine) == 0 || slices.Contains(mine, q.ID) {
			st.Queues = append(st.Queues, consoleQueue{ID: q.ID, Name: q.Name, LeadKind: q.LeadKind, Waiting: q.Waiting,
				OldestWaiting: q.OldestWaiting})
		}
	}
	writeJSON(w, http.StatusOK, st)
}

func (ui *UI) consolePresence(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status string `json:"status"`
	}
	if !ui.dialogOn(w, r) || !ui.consoleBody(w, r, &in) {
		return
	}
	if err := ui.Dialog.SetPresence(r.Context(), currentUser(r).ID, in.Status); err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"presence": in.Status})
}

// consoleHeartbeat keeps an open console's operator present; it answers their status, which the ticker may have
// set to offline after a long silence (a sleeping laptop), so the page shows the truth.
func (ui *UI) consoleHeartbeat(w http.ResponseWriter, r *http.Request) {
	if !ui.dialogOn(w, r) {
		return
	}
	status, err := ui.Dialog.Touch(r.Context(), currentUser(r).ID)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"presence": status})
}

func (ui *UI) consoleTakeNext(w http.ResponseWriter, r *http.Request) {
	if !ui.dialogOn(w, r) {
		return
	}
	id, err := ui.Dialog.TakeNext(r.Context(), currentUser(r).ID)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"id": id})
}

// consoleMessage is one line of the chat.
type consoleMessage struct {
	ID            int64               `json:"id"`
	Direction     string              `json:"direction"` // in, out, note, system
	Author        string              `json:"author"`    // the operator; empty for the client and the bot
	Bot           bool                `json:"bot"`       // out, but from the bot or a campaign
	Campaign      bool                `json:"campaign"`  // a campaign broadcast the client answers
	Handover      bool                `json:"handover"`  // a note written when the dialog was transferred
	Text          string              `json:"text"`      // plain text: the page shows it as text, never as markup
	Buttons       []string            `json:"buttons,omitempty"`
	Attachments   []consoleAttachment `json:"attachments,omitempty"`
	Shared        *consoleShared      `json:"shared,omitempty"`
	At            time.Time           `json:"at"`
	Delivery      string              `json:"delivery,omitempty"`
	DeliveryError string              `json:"delivery_error,omitempty"`
}

type consoleConversation struct {
	ID           int64            `json:"id"`
	Status       string           `json:"status"`
	LeadKind     string           `json:"lead_kind"`
	Channel      string           `json:"channel"`
	ChannelLabel string           `json:"channel_label"`
	BotName      string           `json:"bot_name,omitempty"` // only when there are several bots
	ReplyIn      string           `json:"reply_in"`           // the composer says where an answer goes
	Mine         bool             `json:"mine"`               // the viewer may reply, close and record outcomes
	WaitingSince *time.Time       `json:"waiting_since"`
	CSAT         *int             `json:"csat"`
	Messages     []consoleMessage `json:"messages"`

	// ChannelClosed says, in the viewer's words, why nobody may answer in this chat (the channel policy closes its
	// channel: Telegram under deny, a channel turned off) and how to reach the client instead; "" when it is open.
	ChannelClosed string `json:"channel_closed,omitempty"`
}

func (ui *UI) consoleDialog(w http.ResponseWriter, r *http.Request) {
	c, ok := ui.readableConversation(w, r)
	if !ok {
		return
	}
	me, loc := currentUser(r), ui.requestLocale(r)
	files, err := ui.attachmentsOf(r.Context(), loc, c)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	several, err := ui.severalBots(r.Context())
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	out := consoleConversation{ID: c.ID, Status: c.Status, LeadKind: c.LeadKind, WaitingSince: c.WaitingSince,
		Channel: c.To.Channel, ChannelLabel: channelLabel(loc, c.To.Channel),
		ReplyIn: T(loc, "console.reply_in", channelLabel(loc, c.To.Channel)),
		CSAT:    c.CSAT, Mine: c.Status == "assigned" && c.OperatorID != nil && *c.OperatorID == me.ID,
		Messages: make([]consoleMessage, 0, len(c.Messages))}
	if several {
		out.BotName = c.BotName
	}
	if out.ChannelClosed, err = ui.channelClosed(r.Context(), loc, c.To.Channel); err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	for _, m := range c.Messages {
		cm := consoleMessageOf(m)
		cm.DeliveryError = recordedText(loc, m.DeliveryError)
		cm.Attachments, cm.Shared = files[m.ID], sharedOf(loc, m.Shared())
		out.Messages = append(out.Messages, cm)
	}
	writeJSON(w, http.StatusOK, out)
}

// consoleMessageOf turns a stored message into what the page shows. A campaign broadcast is Telegram HTML: its
// tags are dropped and its entities decoded, so the page can show it as text like everything else.
func consoleMessageOf(m dialog.Message) consoleMessage {
	var p struct {
		Format     string `json:"format"`
		CampaignID *int64 `json:"campaign_id"`
		Handover   bool   `json:"handover"`
		Buttons    [][]struct {
			Text string `json:"text"`
		} `json:"buttons"`
	}
	_ = json.Unmarshal(m.Payload, &p) // a message without a payload has nothing more to show
	cm := consoleMessage{ID: m.ID, Direction: m.Direction, Author: m.AuthorName, Text: m.Text, At: m.CreatedAt,
		Delivery: m.Delivery, DeliveryError: m.DeliveryError, Handover: p.Handover, Campaign: p.CampaignID != nil,
		Bot: m.Direction == "out" && m.AuthorID == nil}
	if p.Format == "html" {
		cm.Text = telegramText(m.Text)
	}
	for _, row := range p.Buttons {
		for _, b := range row {
			cm.Buttons = append(cm.Buttons, b.Text)
		}
	}
	return cm
}

// telegramText is a Telegram HTML message as plain text: Telegram's own tags go, everything else stays as the
// client would read it.
func telegramText(s string) string {
	return html.UnescapeString(tgTagRe.ReplaceAllStringFunc(s, func(tag string) string {
		name, _, _ := tgTagParts(tag)
		if _, ok := tgElements[name]; ok {
			return ""
		}
		return tag
	}))
}

// consoleCard is the right column: the client card, the scripts for the dialog's lead kind, and the offers.
type consoleCard struct {
	Card dialog.ClientCard `json:"card"`
	// Zone names the client's time zone in the reader's language, "Магадан (UTC+11)"; empty when unknown.
	Zone    string          `json:"zone"`
	Scripts []consoleScript `json:"scripts"`
	Offers  []consoleOffer  `json:"offers"`
}

type consoleScript struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Shortcut string `json:"shortcut"`
}

type consoleOffer struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

func (ui *UI) consoleCard(w http.ResponseWriter, r *http.Request) {
	c, ok := ui.readableConversation(w, r)
	if !ok {
		return
	}
	card, err := ui.Dialog.ClientCard(r.Context(), c.ID)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	scripts, err := ui.Dialog.Scripts(r.Context(), c.LeadKind)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	out := consoleCard{Card: card, Zone: zoneName(ui.requestLocale(r), card.TimeZone, card.LocalTime),
		Scripts: make([]consoleScript, 0, len(scripts)), Offers: []consoleOffer{}}
	for _, sc := range scripts {
		out.Scripts = append(out.Scripts, consoleScript{ID: sc.ID, Title: sc.Title, Shortcut: sc.Shortcut})
	}
	offers, err := ui.Dialog.OffersFor(r.Context(), c.LeadKind)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	for _, o := range offers {
		out.Offers = append(out.Offers, consoleOffer{ID: o.ID, Title: o.Title, Text: o.Body})
	}
	writeJSON(w, http.StatusOK, out)
}

// consoleScriptText is a script filled in with this dialog's client, for the reply box.
func (ui *UI) consoleScriptText(w http.ResponseWriter, r *http.Request) {
	c, ok := ui.readableConversation(w, r)
	if !ok {
		return
	}
	scriptID, err := strconv.ParseInt(r.PathValue("script"), 10, 64)
	if err != nil {
		ui.consoleFail(w, r, dialog.ErrNoSuchScript)
		return
	}
	text, err := ui.Dialog.FillScript(r.Context(), scriptID, c.ID)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"text": text})
}

type consoleText struct {
	Text string `json:"text"`
}

func (ui *UI) consoleReply(w http.ResponseWriter, r *http.Request) {
	var in consoleText
	id, ok := ui.consoleAction(w, r, &in)
	if !ok {
		return
	}
	msgID, err := ui.Dialog.Reply(r.Context(), id, currentUser(r).ID, in.Text)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"message_id": msgID})
}

// consoleSendOffer sends one of the bank's product offers (the supervisors' /offers) as the operator's reply,
// escaped for Telegram as any reply.
func (ui *UI) consoleSendOffer(w http.ResponseWriter, r *http.Request) {
	id, ok := ui.consoleAction(w, r, nil)
	if !ok {
		return
	}
	offerID, err := strconv.ParseInt(r.PathValue("offer"), 10, 64)
	if err != nil {
		ui.consoleFail(w, r, dialog.ErrNoSuchOffer)
		return
	}
	msgID, err := ui.Dialog.SendOffer(r.Context(), id, offerID, currentUser(r).ID)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"message_id": msgID})
}

// consoleNote adds an internal note. dialog lets anyone note any conversation; the console keeps operators to
// their own, as for reading.
func (ui *UI) consoleNote(w http.ResponseWriter, r *http.Request) {
	var in consoleText
	c, ok := ui.readableConversation(w, r)
	if !ok || !ui.consoleBody(w, r, &in) {
		return
	}
	msgID, err := ui.Dialog.Note(r.Context(), c.ID, currentUser(r).ID, in.Text)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"message_id": msgID})
}

func (ui *UI) consoleRead(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UpTo int64 `json:"up_to"`
	}
	c, ok := ui.readableConversation(w, r)
	if !ok || !ui.consoleBody(w, r, &in) {
		return
	}
	if err := ui.Dialog.MarkRead(r.Context(), c.ID, currentUser(r).ID, in.UpTo); err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// consoleTyping shows "typing…" in the client's chat, at most once per dialog every few seconds. It is a
// courtesy: when Telegram refuses it, the operator is not bothered.
func (ui *UI) consoleTyping(w http.ResponseWriter, r *http.Request) {
	c, ok := ui.readableConversation(w, r)
	if !ok {
		return
	}
	me := currentUser(r)
	if c.Status != "assigned" || c.OperatorID == nil || *c.OperatorID != me.ID {
		ui.consoleFail(w, r, dialog.ErrNotYours)
		return
	}
	sent := false
	// Typing is the environment's bot: a chat of another bot is not shown it.
	if ui.Typing != nil && c.To.BotID == ui.Bot.ID && ui.typing.allow(c.ID, time.Now()) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := ui.Typing.Typing(ctx, c.To.ChatID); err != nil {
			logFrom(r).Debug().Err(err).Int64("conversation_id", c.ID).Msg("typing indicator")
		} else {
			sent = true
		}
	}
	writeJSON(w, http.StatusOK, map[string]bool{"sent": sent})
}

func (ui *UI) consoleOutcome(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind     string `json:"kind"`
		Product  string `json:"product"`
		ReasonID int64  `json:"reason_id"` // a refusal's reason, from the supervisors' list
		Reason   string `json:"reason"`    // the operator's comment
		DueAt    string `json:"due_at"`    // RFC 3339
	}
	id, ok := ui.consoleAction(w, r, &in)
	if !ok {
		return
	}
	o := dialog.Outcome{Kind: in.Kind, Product: in.Product, ReasonID: in.ReasonID, Reason: in.Reason}
	if strings.TrimSpace(in.DueAt) != "" {
		due, err := time.Parse(time.RFC3339, strings.TrimSpace(in.DueAt))
		if err != nil {
			ui.consoleFail(w, r, msg.In("due_at", "input.not_date_time"))
			return
		}
		o.DueAt = due
	}
	outcomeID, err := ui.Dialog.RecordOutcome(r.Context(), id, currentUser(r).ID, o)
	if err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"outcome_id": outcomeID})
}

func (ui *UI) consoleTransfer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OperatorID int64  `json:"operator_id"`
		QueueID    int64  `json:"queue_id"`
		Note       string `json:"note"`
	}
	id, ok := ui.consoleAction(w, r, &in)
	if !ok {
		return
	}
	to := dialog.Target{OperatorID: in.OperatorID, QueueID: in.QueueID}
	if err := ui.Dialog.Transfer(r.Context(), id, to, in.Note, currentUser(r).ID); err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (ui *UI) consoleClose(w http.ResponseWriter, r *http.Request) {
	id, ok := ui.consoleAction(w, r, nil)
	if !ok {
		return
	}
	if err := ui.Dialog.Close(r.Context(), id, currentUser(r).ID); err != nil {
		ui.consoleFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// consoleAction reads the {id} of an action's route and its JSON body (none when in is nil); dialog checks
// that the conversation is the operator's.
func (ui *UI) consoleAction(w http.ResponseWriter, r *http.Request, in any) (int64, bool) {
	if !ui.dialogOn(w, r) {
		return 0, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.consoleFail(w, r, dialog.ErrNotFound)
		return 0, false
	}
	if in != nil && !ui.consoleBody(w, r, in) {
		return 0, false
	}
	return id, true
}

// readableConversation loads the {id} conversation when the user may read it: an operator their own (open or
// closed), a supervisor or administrator any.
func (ui *UI) readableConversation(w http.ResponseWriter, r *http.Request) (dialog.Conversation, bool) {
	if !ui.dialogOn(w, r) {
		return dialog.Conversation{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.consoleFail(w, r, dialog.ErrNotFound)
		return dialog.Conversation{}, false
	}
	c, err := ui.Dialog.Conversation(r.Context(), id)
	if err != nil {
		ui.consoleFail(w, r, err)
		return c, false
	}
	me := currentUser(r)
	if me.Role == auth.Operator && (c.OperatorID == nil || *c.OperatorID != me.ID) {
		ui.consoleFail(w, r, dialog.ErrNotYours)
		return c, false
	}
	return c, true
}

func (ui *UI) dialogOn(w http.ResponseWriter, r *http.Request) bool {
	if ui.Dialog == nil {
		writeJSONError(w, http.StatusServiceUnavailable, T(ui.requestLocale(r), "console.err_off"))
		return false
	}
	return true
}

func (ui *UI) consoleBody(w http.ResponseWriter, r *http.Request, in any) bool {
	if err := readJSONBody(r, in); err != nil {
		writeJSONError(w, http.StatusBadRequest, T(ui.requestLocale(r), "console.err_request"))
		return false
	}
	return true
}

// consoleFail answers an error as JSON in the user's language: {"error": "...", "field": "..."} for a problem
// with what they entered (422), 403 for someone else's dialog, 404, 409 for a state that forbids the action.
func (ui *UI) consoleFail(w http.ResponseWriter, r *http.Request, err error) {
	loc := ui.requestLocale(r)
	var in *dialog.InputError
	status, key := 0, ""
	switch {
	case errors.As(err, &in):
		label := T(loc, "console.field_"+in.Field)
		if strings.HasPrefix(label, "[") { // a field the console has no name for
			label = in.Field
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"field": in.Field,
			"error": T(loc, "console.err_input", label, msgText(loc, in)), "code": in.Code})
		return
	case errors.Is(err, dialog.ErrNotFound):
		status, key = http.StatusNotFound, "console.err_not_found"
	case errors.Is(err, dialog.ErrNoSuchScript):
		status, key = http.StatusNotFound, "console.err_no_script"
	case errors.Is(err, dialog.ErrNoSuchOffer):
		status, key = http.StatusNotFound, "console.err_no_offer"
	case errors.Is(err, dialog.ErrNoSuchReason):
		status, key = http.StatusUnprocessableEntity, "console.err_no_reason"
	case errors.Is(err, dialog.ErrNotYours):
		status, key = http.StatusForbidden, "console.err_not_yours"
	case errors.Is(err, dialog.ErrNotSupervisor):
		status, key = http.StatusForbidden, "console.err_not_yours"
	case errors.Is(err, dialog.ErrClosed):
		status, key = http.StatusConflict, "console.err_closed"
	case errors.Is(err, dialog.ErrNoneWaiting):
		status, key = http.StatusConflict, "console.err_none_waiting"
	case errors.Is(err, dialog.ErrAtCapacity):
		status, key = http.StatusConflict, "console.err_capacity"
	case errors.Is(err, dialog.ErrOperatorAbsent):
		status, key = http.StatusConflict, "console.err_absent"
	default:
		logFrom(r).Error().Err(err).Str("route", r.Pattern).Msg("console request failed")
		status, key = http.StatusInternalServerError, "console.err_internal"
	}
	writeJSONError(w, status, T(loc, key))
}

func logFrom(r *http.Request) *zerolog.Logger { return zerolog.Ctx(r.Context()) }
