package max

// ConvertHTML is convertHTML's HTML, for the tests of the conversion (Body sends a formatted text through it).
func ConvertHTML(s string) (string, error) {
	html, _, _, err := convertHTML(s)
	return html, err
}
