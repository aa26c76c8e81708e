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
	"imports.column_derived":    {"filled in from other columns when the file has none", "заполняется из других столбцов, если его нет в файле"},
}

func init() { addCatalog(manageCatalog) }

// notTableText says in the user's language what a refused file seems to be.
func notTableText(locale string, e *imports.NotTableError) string {
	return T(locale, "imports.not_table_"+e.What)
}
