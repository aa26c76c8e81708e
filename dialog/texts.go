package dialog

// What the bot says on the dialog's behalf. The bank's clients are Russian businesses, so the bot speaks Russian.
const (
	textCSATQuestion = "Спасибо за разговор! Оцените, пожалуйста, как мы помогли: 1 — плохо, 5 — отлично."
	textCSATThanks   = "Спасибо за оценку! Если появятся вопросы — просто напишите сюда."

	// The acknowledgements of a campaign's buttons (Service.AckWrite, Service.AckCallback by default): the client
	// learns what happens next and when, instead of silence.
	textAckWrite    = "Спасибо! Менеджер напишет вам здесь в течение 15 минут (рабочее время — с 9 до 18 по Москве, пн–пт)."
	textAckCallback = "Спасибо! Передали вашу просьбу: специалист банка позвонит вам в рабочее время (с 9 до 18 по Москве, пн–пт), обычно в течение дня."
	textAskPhone    = "Напишите, пожалуйста, номер телефона, по которому удобно позвонить."
)
