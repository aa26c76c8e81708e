package operatorui

// simAccessCatalog is what the simulator says of a chat the user may not play (sim.go: simSees), added to
// catalog at start.
var simAccessCatalog = map[string]struct{ en, ru string }{
	"sim.err_not_yours": {"This client's chat reached a dialog that is not yours: the simulator shows you the clients whose dialogs are yours, and those who have not reached the team.", "Чат этого клиента дошёл до чужого диалога: симулятор показывает вам клиентов, чьи диалоги ваши, и тех, кто ещё не дошёл до команды."},
}

func init() { addCatalog(simAccessCatalog) }
