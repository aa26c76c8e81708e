package dialog

// What the bot says on the dialog's behalf. The bank's clients are Russian businesses, so the bot speaks Russian.
const (
	textCSATQuestion = "Спасибо за разговор! Оцените, пожалуйста, как мы помогли: 1 — плохо, 5 — отлично."
	textCSATThanks   = "Спасибо за оценку! Если появятся вопросы — просто напишите сюда."
)
