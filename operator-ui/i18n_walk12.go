package operatorui

// apiCodesRU is the Russian of the API's refusals (api_errors.go), for a session's user who reads Russian.
var apiCodesRU = map[string]string{
	"api.login_required":     "требуется вход",
	"api.role_denied":        "вашей роли этот адрес недоступен",
	"api.temporary_password": "сначала смените временный пароль (/account)",
	"api.no_endpoint":        "такого адреса нет",
	"api.internal":           "внутренняя ошибка",
	"api.token_required":     "нужен API-токен: Authorization: Bearer dzv_...",
	"api.token_revoked":      "этот API-токен отозван",
	"api.token_unknown":      "неизвестный API-токен",
	"api.token_scope":        "этому API-токену это не разрешено: нужно право %q, которое администратор даёт при выпуске токена",
	"api.body_too_large":     "тело запроса больше %d МиБ; отправляйте не больше %d записей за запрос",
	"api.malformed_json":     "ошибка в JSON на байте %d: %s",
	"api.body_truncated":     "ошибка в JSON: тело запроса обрывается",
	"api.body_not_object":    `тело запроса должно быть объектом {"records": [{...}, ...]}, а не JSON %s`,
	"api.records_not_array":  `"records" должен быть массивом объектов; на байте %d — %s`,
	"api.body_empty":         `тело запроса пустое; отправьте {"records": [{...}, ...]}`,
	"api.malformed":          `неверный запрос: %s; отправьте {"records": [{...}, ...]}`,
	"api.records_empty":      `"records" нет или он пуст; отправьте {"records": [{...}, ...]}`,
	"api.too_many_records":   "%d {#1 запись|записи|записей}; отправляйте не больше %d за запрос",
	"api.imports_off":        "импорт на этом сервере недоступен",
	"api.import_failed":      "импорт %d не удался",
	"api.dialog_off":         "служба диалогов не запущена",
	"api.no_callback":        "нет открытой задачи на звонок %s",
}

func init() {
	part := make(map[string]struct{ en, ru string }, len(apiCodesRU))
	for code, ru := range apiCodesRU {
		part[code] = struct{ en, ru string }{apiCodes[code], ru}
	}
	addCatalog(part)
}
