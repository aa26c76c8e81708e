package operatorui

import "dozvon/campaigns/imports"

// manageCatalog is what the managers' and administrators' pages add to the catalog: imports' samples and refusals,
// the campaign schedule builder and preview, contacts' search, the audit log's filters and action names, the users
// page, time zones. Added to catalog at start.
var manageCatalog = map[string]struct{ en, ru string }{
	"imports.not_table":         {"“%s” cannot be imported: %s", "«%s» нельзя импортировать: %s"},
	"imports.not_table_png":     {"it is a PNG picture, not a table. Save the table as CSV or XLSX and upload that file.", "это картинка PNG, а не таблица. Сохраните таблицу как CSV или XLSX и загрузите этот файл."},
	"imports.not_table_jpeg":    {"it is a JPEG picture, not a table. Save the table as CSV or XLSX and upload that file.", "это картинка JPEG, а не таблица. Сохраните таблицу как CSV или XLSX и загрузите этот файл."},
	"imports.not_table_gif":     {"it is a GIF picture, not a table. Save the table as CSV or XLSX and upload that file.", "это картинка GIF, а не таблица. Сохраните таблицу как CSV или XLSX и загрузите этот файл."},
	"imports.not_table_tiff":    {"it is a TIFF picture, not a table. Save the table as CSV or XLSX and upload that file.", "это картинка TIFF, а не таблица. Сохраните таблицу как CSV или XLSX и загрузите этот файл."},
	"imports.not_table_riff":    {"it is a picture, sound or video, not a table. Save the table as CSV or XLSX and upload that file.", "это картинка, звук или видео, а не таблица. Сохраните таблицу как CSV или XLSX и загрузите этот файл."},
	"imports.not_table_pdf":     {"it is a PDF document, not a table. Export the table from its source as CSV or XLSX.", "это документ PDF, а не таблица. Выгрузите таблицу из исходной системы как CSV или XLSX."},
	"imports.not_table_gzip":    {"it is a gzip archive. Unpack it and upload the CSV or XLSX file inside.", "это архив gzip. Распакуйте его и загрузите файл CSV или XLSX из архива."},
	"imports.not_table_7z":      {"it is a 7-Zip archive. Unpack it and upload the CSV or XLSX file inside.", "это архив 7-Zip. Распакуйте его и загрузите файл CSV или XLSX из архива."},
	"imports.not_table_rar":     {"it is a RAR archive. Unpack it and upload the CSV or XLSX file inside.", "это архив RAR. Распакуйте его и загрузите файл CSV или XLSX из архива."},
	"imports.not_table_program": {"it is a program, not a table.", "это программа, а не таблица."},
	"imports.not_table_rtf":     {"it is an RTF document, not a table. Save the table as CSV or XLSX and upload that file.", "это документ RTF, а не таблица. Сохраните таблицу как CSV или XLSX и загрузите этот файл."},
	"imports.not_table_video":   {"it is a video, not a table.", "это видео, а не таблица."},
	"imports.not_table_audio":   {"it is a sound file, not a table.", "это звуковой файл, а не таблица."},
	"imports.not_table_binary":  {"it is not text (binary data), so it is not a CSV table. Save the table as CSV or XLSX and upload that file.", "это не текст (двоичные данные), значит, не таблица CSV. Сохраните таблицу как CSV или XLSX и загрузите этот файл."},
	"imports.expected":          {"What each file holds", "Что должно быть в файле"},
	"imports.expected_lead":     {"The first row names the columns; the names below are the ones the sample uses, and the preview recognises many other spellings. Columns marked * are required; a file may have other columns too.", "В первой строке — названия столбцов; ниже — названия из образца, предпросмотр узнаёт и многие другие написания. Столбцы со * обязательны; другие столбцы в файле тоже могут быть."},
	"imports.sample":            {"Download a sample file", "Скачать образец файла"},
	"imports.column_header":     {"Column in the sample", "Столбец в образце"},
	"imports.column_field":      {"Field", "Поле"},
	"campaign.status_manual":    {"Run by hand", "Запускалась вручную"},
	"campaign.run_confirm":      {"Run the campaign now? It writes to %d clients in their chats and invites %d more by link.", "Запустить кампанию сейчас? Сообщение получат %d клиентов в чатах, ещё %d получат приглашение по ссылке."},
	"campaign.test_lead":        {"Whose message", "Чьё сообщение"},
	"campaign.test_sample_hint": {"The audience is empty: the test has the sample values.", "Аудитория пуста: в тесте будут примерные значения."},
	"campaign.test_no_lead":     {"That lead is not one this campaign writes to. Choose a lead from the list.", "Этому лиду кампания не пишет. Выберите лида из списка."},
	"campaign.test_to_chat":     {"chat %d", "чат %d"},
	"campaign.test_sample":      {"the sample client", "примерного клиента"},
	"campaign.test_queued_for":  {"The message for %s is queued to %s.", "Сообщение для %s отправлено в очередь: %s."},
	"campaign.live_preview":     {"Preview as you type", "Предпросмотр по мере ввода"},
	"sched.title":               {"Schedule builder", "Конструктор расписания"},
	"sched.days":                {"Days of the week", "Дни недели"},
	"sched.times":               {"Times (e.g. 10:00, 15:00)", "Время (например, 10:00, 15:00)"},
	"sched.zone":                {"Time zone of these times", "Часовой пояс этого времени"},
	"sched.hint":                {"Choose days and times: the schedule below is written from them. Quiet hours still apply in each client's own time.", "Выберите дни и время — расписание ниже заполнится само. Тихие часы по-прежнему действуют по местному времени клиента."},
	"sched.unreadable":          {"The schedule below cannot be shown in the builder; it is kept as written.", "Расписание ниже нельзя показать в конструкторе; оно сохранится как написано."},
	"sched.one_minute":          {"All times must share their minutes (10:00 and 15:00, or 10:30 and 15:30): one schedule runs at one minute of the hour.", "У всех времён должны совпадать минуты (10:00 и 15:00 или 10:30 и 15:30): расписание запускается в одну минуту часа."},
	"sched.bad_time":            {"Write each time as hours:minutes, e.g. 09:30.", "Пишите время как часы:минуты, например 09:30."},
	"sched.no_days":             {"Choose at least one day.", "Выберите хотя бы один день."},
	"zone.msk":                  {"MSK", "МСК"},
	"zone.Europe/Kaliningrad":   {"Kaliningrad", "Калининград"},
	"zone.Europe/Moscow":        {"Moscow", "Москва"},
	"zone.Europe/Samara":        {"Samara", "Самара"},
	"zone.Asia/Yekaterinburg":   {"Yekaterinburg", "Екатеринбург"},
	"zone.Asia/Omsk":            {"Omsk", "Омск"},
	"zone.Asia/Novosibirsk":     {"Novosibirsk", "Новосибирск"},
	"zone.Asia/Krasnoyarsk":     {"Krasnoyarsk", "Красноярск"},
	"zone.Asia/Irkutsk":         {"Irkutsk", "Иркутск"},
	"zone.Asia/Yakutsk":         {"Yakutsk", "Якутск"},
	"zone.Asia/Vladivostok":     {"Vladivostok", "Владивосток"},
	"zone.Asia/Magadan":         {"Magadan", "Магадан"},
	"zone.Asia/Kamchatka":       {"Petropavlovsk-Kamchatsky", "Петропавловск-Камчатский"},
	"zone.UTC":                  {"UTC", "UTC"},
	"account.zone":              {"Time zone", "Часовой пояс"},
	"account.zone_default":      {"As the installation: %s", "Как в системе: %s"},
	"account.zone_now":          {"Every page shows times in this zone, named beside each time. Now: %s.", "Все страницы показывают время в этом поясе, с его названием рядом. Сейчас: %s."},
	"account.zone_saved":        {"Time zone saved.", "Часовой пояс сохранён."},
	"account.zone_bad":          {"Choose a time zone from the list.", "Выберите часовой пояс из списка."},
	"imports.column_derived":    {"filled in from other columns when the file has none", "заполняется из других столбцов, если его нет в файле"},
}

func init() { addCatalog(manageCatalog) }

// notTableText says in the user's language what a refused file seems to be.
func notTableText(locale string, e *imports.NotTableError) string {
	return T(locale, "imports.not_table_"+e.What)
}
