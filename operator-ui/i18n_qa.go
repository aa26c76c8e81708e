package operatorui

// qaCatalog is the QA review's part of the catalog (the form on a closed dialog's page), added to catalog at start
// like the supervisor's. Each checklist item of dialog.QAChecklist has its "qa.item_" key.
var qaCatalog = map[string]struct{ en, ru string }{
	"qa.title":         {"Quality review (QA)", "Оценка качества (QA)"},
	"qa.lead":          {"Tick each point the operator got right; the score is the sum of their weights, out of 100. Saving again replaces the review.", "Отметьте пункты, которые оператор выполнил; оценка — сумма их весов из 100. Повторное сохранение заменяет оценку."},
	"qa.none":          {"Not reviewed yet.", "Ещё не оценён."},
	"qa.score":         {"QA score: %d of 100", "Оценка QA: %d из 100"},
	"qa.reviewed_by":   {"by %s, %s", "%s, %s"},
	"qa.checklist":     {"Checklist", "Чек-лист"},
	"qa.weight":        {"%d points", "%d б."},
	"qa.comment":       {"Comment for the operator", "Комментарий для оператора"},
	"qa.save":          {"Save review", "Сохранить оценку"},
	"qa.saved":         {"Review of dialog #%d saved: %d of 100.", "Оценка диалога №%d сохранена: %d из 100."},
	"qa.err_answers":   {"Answer every point of the checklist.", "Ответьте на каждый пункт чек-листа."},
	"qa.err_comment":   {"The comment is longer than 1000 characters: shorten it.", "Комментарий длиннее 1000 символов: сократите его."},
	"qa.err_open":      {"The dialog is not closed yet: only closed dialogs are reviewed.", "Диалог ещё не закрыт: оценивают только закрытые диалоги."},
	"qa.err_forbidden": {"Only supervisors and administrators review dialogs.", "Оценивать диалоги могут только супервизоры и администраторы."},

	"qa.item_greeting": {"Greeted the client and introduced the bank", "Поздоровался и представил банк"},
	"qa.item_answered": {"Answered the client's question correctly and fully", "Ответил на вопрос клиента верно и полностью"},
	"qa.item_offer":    {"Presented the script's offer correctly", "Верно изложил предложение по скрипту"},
	"qa.item_outcome":  {"Recorded the outcome the client decided", "Записал итог, который выбрал клиент"},
	"qa.item_language": {"Polite, correct language", "Вежливая и грамотная речь"},
	"qa.item_security": {"Asked no personal data beyond need (security rules)", "Не запрашивал лишних персональных данных (правила безопасности)"},
	"qa.item_closing":  {"Closed properly, with the next step agreed", "Корректно завершил, договорился о следующем шаге"},
}

func init() { addCatalog(qaCatalog) }
