package operatorui

// inputCatalog is what the check of submitted values says (input.go), added to catalog at start. The argument is
// the field: a form field's name, or a JSON path such as records[3].company_name.
var inputCatalog = map[string]struct{ en, ru string }{
	"error.input":         {"This cannot be saved", "Это нельзя сохранить"},
	"input.nul":           {`The field "%s" contains a NUL character (U+0000), which cannot be stored: remove it and send again.`, "Поле «%s» содержит нулевой символ (U+0000), который нельзя сохранить: удалите его и отправьте снова."},
	"input.utf8":          {`The field "%s" is not UTF-8 text: send it in UTF-8.`, "Поле «%s» не в кодировке UTF-8: отправьте его в UTF-8."},
	"input.not_queue_id":  {"not a queue id", "такой очереди нет"},
	"input.not_date_time": {"not a date and time", "укажите дату и время"},
	"input.unreadable":    {"The request could not be read in full; send it again.", "Запрос не удалось прочитать целиком; отправьте его снова."},
}

func init() { addCatalog(inputCatalog) }
