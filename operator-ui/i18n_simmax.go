package operatorui

// simMaxCatalog is what the simulator says of its messengers (sim_channels.go), added to catalog at start.
var simMaxCatalog = map[string]struct{ en, ru string }{
	"sim.channel":         {"Messenger", "Мессенджер"},
	"sim.channel_hint":    {"The new client uses this messenger; the list shows each client's.", "Новый клиент пользуется этим мессенджером; в списке указан мессенджер каждого клиента."},
	"sim.invite_hint_max": {"On MAX: https://max.ru/%s?start=… or just the token.", "В MAX: https://max.ru/%s?start=… или только токен."},
	"sim.err_no_channel":  {"The simulator does not play this messenger.", "Симулятор не изображает этот мессенджер."},
	"sim.err_not_started": {"The client has not opened the bot yet: press Start first (MAX does not let them write before).", "Клиент ещё не открыл бота: сначала нажмите «Старт» (раньше MAX не даёт писать)."},
}

func init() { addCatalog(simMaxCatalog) }
