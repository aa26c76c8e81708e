package operatorui

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"dozvon/internal/auth"
	"dozvon/messenger"
)

// The administrator's bots (/admin/bots): every bot Dozvon ran, on which messenger, where its token comes from and
// when it last heard from a client and last wrote to one; the administrator renames a bot (the name operators see
// when there are several) and switches it off and on. Tokens are not entered here: they come from the environment
// (README, "Bots and their tokens"). Every change is in the audit log.

type botsPage struct {
	Bots []botRow
}

type botRow struct {
	messenger.BotActivity
	ChannelLabel string
	TokenFrom    string // where its token comes from, in words
}

func (ui *UI) showBots(w http.ResponseWriter, r *http.Request) {
	if ui.Bots == nil {
		http.Error(w, "the bot registry is not wired", http.StatusServiceUnavailable)
		return
	}
	ui.renderBots(w, r, http.StatusOK, "")
}

func (ui *UI) renderBots(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	list, err := ui.Bots.Activity(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	locale := ui.requestLocale(r)
	var page botsPage
	for _, b := range list {
		page.Bots = append(page.Bots, botRow{BotActivity: b, ChannelLabel: channelLabel(locale, b.Channel),
			TokenFrom: ui.tokenSource(locale, b.Bot)})
	}
	ui.render(w, r, status, "bots", view{Title: "bots.title", Error: errMsg, Data: page})
}

// tokenSource says where a bot's token comes from: the simulator's bot has none; every other bot's token is its
// messenger's variable of the environment (a bot the environment no longer names keeps its chats but does not run).
func (ui *UI) tokenSource(locale string, b messenger.Bot) string {
	if ui.Sim != nil && b.ID == ui.Bot.ID {
		return T(locale, "bots.token_sim")
	}
	return T(locale, "bots.token_env", botTokenVariable[b.Channel])
}

// botTokenVariable names each messenger's token in the environment.
var botTokenVariable = map[string]string{messenger.Telegram: "TELEGRAM_BOT_TOKEN", messenger.MAX: "MAX_BOT_TOKEN"}

func (ui *UI) renameBot(w http.ResponseWriter, r *http.Request) {
	id, ok := ui.botPathID(w, r)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || utf8.RuneCountInString(name) > 80 {
		ui.renderBots(w, r, http.StatusUnprocessableEntity, T(ui.requestLocale(r), "bots.err_name"))
		return
	}
	ui.changeBot(w, r, id, "bot.rename", map[string]any{"name": name}, func(ctx context.Context) error {
		return ui.Bots.Rename(ctx, id, name)
	})
}

func (ui *UI) switchBot(w http.ResponseWriter, r *http.Request) {
	id, ok := ui.botPathID(w, r)
	if !ok {
		return
	}
	on := r.PostFormValue("enabled") == "1"
	action := "bot.disable"
	if on {
		action = "bot.enable"
	}
	ui.changeBot(w, r, id, action, nil, func(ctx context.Context) error { return ui.Bots.SetEnabled(ctx, id, on) })
}

// changeBot makes a change, records it in the audit log under the bot's channel and username, and goes back to
// the list.
func (ui *UI) changeBot(w http.ResponseWriter, r *http.Request, id int64, action string, detail map[string]any,
	change func(context.Context) error) {
	before, err := ui.Bots.Get(r.Context(), id)
	if err == nil {
		err = change(r.Context())
	}
	if errors.Is(err, messenger.ErrNoBot) {
		ui.notFound(w, r)
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["bot_id"], detail["channel"], detail["was"] = id, before.Channel, before.Name
	admin := currentUser(r)
	ui.audit(r, auth.Entry{UserID: &admin.ID, Actor: admin.Login, Action: action, Object: before.Channel + " @" + before.Username,
		Detail: detail})
	ui.flash(r, T(ui.requestLocale(r), "bots.saved", channelLabel(ui.requestLocale(r), before.Channel)+" @"+before.Username))
	http.Redirect(w, r, "/admin/bots", http.StatusSeeOther)
}

// botPathID is the {id} of a bot's route; false when it has answered already.
func (ui *UI) botPathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	if ui.Bots == nil {
		http.Error(w, "the bot registry is not wired", http.StatusServiceUnavailable)
		return 0, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return 0, false
	}
	return id, true
}

// severalBots is whether more than one bot ever ran: only then does the console name the bot a client writes to.
func (ui *UI) severalBots(ctx context.Context) (bool, error) {
	if ui.Bots == nil {
		return false, nil
	}
	list, err := ui.Bots.List(ctx)
	return len(list) > 1, err
}
