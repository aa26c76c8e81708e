package operatorui

// printedPasswordCatalog is the notice every page shows a user whose password was printed (the demo team's, in the
// log of the start that seeded it), added to catalog at start.
var printedPasswordCatalog = map[string]struct{ en, ru string }{
	"password_printed.notice": {
		"Your password was printed when the demo was set up: anyone who saw that log can sign in as you.",
		"Ваш пароль был напечатан при установке демо: войти под вашим именем может любой, кто видел этот журнал.",
	},
	"password_printed.change": {"Change your password", "Смените пароль"},
}

func init() { addCatalog(printedPasswordCatalog) }
