package imports

import "dozvon/internal/msg"

// The messages this package raises for a person (internal/msg), in English; the operator UI's catalog has their
// Russian.
func init() {
	msg.Register(map[string]string{
		// Why a value of a row was rejected (the field and the value are shown before it).
		"imports.too_long":            "is longer than %d {#1 character|characters}",
		"imports.check_digit":         "has a wrong check digit",
		"imports.inn_digits":          "is not 10 or 12 digits",
		"imports.not_phone":           "is not a phone number",
		"imports.not_email":           "is not an e-mail address",
		"imports.not_okved":           "is not an OKVED code (e.g. 47.91)",
		"imports.not_one_of":          "is not one of %s",
		"imports.not_date":            "is not a date (e.g. 02.01.2006, 02.01.2006 15:04 or 2006-01-02T15:04:05+03:00)",
		"imports.year":                "is not between the years %d and %d",
		"imports.not_zone":            "is not a time zone (e.g. Europe/Moscow, Asia/Vladivostok, МСК+7 or UTC+10)",
		"imports.required":            "is required but empty",
		"imports.bad_text":            "is not valid text (is the file in another encoding?)",
		"imports.unknown_client":      "is not a known client",
		"imports.unknown_application": "is not a known application",
		"imports.not_scalar":          "is not a string, number or boolean",
		"imports.not_object":          "is not an object",
		"imports.not_field":           "is not a field of %s (%s)",

		// Where and why reading stopped; a reader's own words stay as a detail.
		"imports.stopped_here":    "reading stopped here: %s",
		"imports.line":            "line %d: %s",
		"imports.csv_quote":       `extraneous or missing " in quoted-field`,
		"imports.csv_bare_quote":  `bare " in non-quoted-field`,
		"imports.csv_field_count": "wrong number of fields",
		"imports.unexpected_eof":  "unexpected EOF",
		"imports.not_zip":         "the file is not an .xlsx workbook",
		"imports.canceled":        "context canceled",
		"imports.deadline":        "context deadline exceeded",
		"imports.detail":          "%s",

		// Why a file cannot be imported as chosen.
		"imports.empty":                 "the file is empty",
		"imports.read_file":             "read the file: %s",
		"imports.read_file_as":          "read the file as %s: %s",
		"imports.read_header":           "read the header: %s",
		"imports.open_workbook":         "open the workbook: %s",
		"imports.read_named_sheet":      "read sheet %q: %s",
		"imports.read_sheet":            "read the sheet: %s",
		"imports.read_row":              "read row %d: %s",
		"imports.unknown_encoding":      "unknown encoding %q (want utf8 or cp1251)",
		"imports.unknown_encoding_auto": "unknown encoding %q (want utf8, cp1251 or auto)",
		"imports.unknown_delimiter":     "unknown delimiter %q (want ';', ',', tab, '|' or auto)",
		"imports.unknown_dataset":       "unknown dataset %q (want clients, applications or events)",
		"imports.unknown_format":        "unknown format %q (want csv or xlsx)",
		"imports.legacy_excel":          "this is an Excel 97–2003 (.xls) or password-protected workbook; save it as .xlsx or CSV",
		"imports.not_mapped":            "%s: no column is mapped to %s (the file's columns: %s)",
		"imports.mapping_no_column":     "the mapping names column %q, which the file does not have",
		"imports.mapping_not_field":     "column %q maps to %q, which is not a field of %s (%s)",
		"imports.mapping_twice":         "columns %q and %q both map to %s",
		"imports.stopped":               "%s: stopped: %s",
		"imports.upload_too_large":      "the upload is too large",
		"imports.no_upload":             "no such upload",
		"imports.no_import":             "no such import",
	})
}
