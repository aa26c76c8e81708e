// Package apispec checks requests a messenger adapter makes against the messenger's published API specification,
// so an adapter cannot drift from the real API unnoticed: its tests capture every request at an HTTP server and
// check each here. It reads the Telegram Bot API's machine-readable form (methods and types with their fields,
// as scraped from core.telegram.org); the rules the documentation states only in prose (lengths such as "1-4096
// characters" or "1-64 bytes", "exactly one of the fields", allowed characters and values) are read from the
// descriptions. For MAX it reads the Bot API's OpenAPI 3.0 schema (OpenAPI, openapi.go), whose rules are in the
// schema itself. Only tests use it; the spec files live beside the repository, in shared/specs.
package apispec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// Telegram is the Bot API as its specification describes it.
type Telegram struct {
	Version string          `json:"version"`
	Methods map[string]Kind `json:"methods"`
	Types   map[string]Kind `json:"types"`
	// TextLength, when set, counts a text "after entities parsing" in the given parse mode (HTML, ...), as
	// Telegram counts it; unset, such texts are counted as sent.
	TextLength func(text, parseMode string) int
}

// Kind is a method or a type: its fields (a method's parameters) and what it says of itself.
type Kind struct {
	Name        string   `json:"name"`
	Description []string `json:"description"`
	Fields      []Field  `json:"fields"`
	Subtypes    []string `json:"subtypes"`
}

// Field is a parameter or a field, with the types it may have ("Integer", "Array of String", "InlineKeyboardMarkup").
type Field struct {
	Name        string   `json:"name"`
	Types       []string `json:"types"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`
}

// LoadTelegram reads a Bot API specification (telegram-bot-api-*.json).
func LoadTelegram(path string) (*Telegram, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("apispec: %w", err)
	}
	var t Telegram
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("apispec: %s: %w", path, err)
	}
	if len(t.Methods) == 0 || len(t.Types) == 0 {
		return nil, fmt.Errorf("apispec: %s has no methods or types", path)
	}
	return &t, nil
}

// Find walks up from dir to the first folder that holds shared/specs/name and returns that file's path. In CI the
// repository is cloned with shared/ beside it; locally it may sit higher up.
func Find(dir, name string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "shared", "specs", name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("apispec: no shared/specs/%s above %s", name, dir)
		}
		dir = parent
	}
}

// Check checks one call of method with its parameters as the server decoded them: from JSON (numbers as
// json.Number) or, with form, from a form or multipart body, where every value is a string and objects are
// JSON-serialized. It returns every problem found, each naming the parameter's path.
func (t *Telegram) Check(method string, params map[string]any, form bool) []error {
	m, ok := t.Methods[method]
	if !ok {
		return []error{fmt.Errorf("%s: no such method", method)}
	}
	c := &checker{spec: t}
	c.object(method, m, params, form)
	return c.problems
}

// CheckObject checks an object the API sends (an Update, a Message ...) against its type, decoded from JSON with
// numbers as json.Number. It returns every problem found, each naming the field's path.
func (t *Telegram) CheckObject(typ string, v any) []error {
	c := &checker{spec: t}
	c.typed(typ, typ, v, false)
	return c.problems
}

type checker struct {
	spec     *Telegram
	problems []error
}

func (c *checker) fail(path, format string, args ...any) {
	c.problems = append(c.problems, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// object checks the fields of a method's parameters or of an object against its kind.
func (c *checker) object(path string, k Kind, values map[string]any, form bool) {
	for name := range values {
		if !slices.ContainsFunc(k.Fields, func(f Field) bool { return f.Name == name }) {
			c.fail(path, "%s is not a field of %s", name, k.Name)
		}
	}
	for _, f := range k.Fields {
		v, ok := values[f.Name]
		if !ok || v == nil {
			if f.Required {
				c.fail(path, "%s is required", f.Name)
			}
			continue
		}
		at := path + "." + f.Name
		if problems := c.value(at, f.Types, v, form); len(problems) > 0 {
			c.problems = append(c.problems, problems...)
			continue
		}
		c.limits(at, f, v, values)
	}
	c.exactlyOne(path, k, values)
}

// value checks v against the types a field may have: fine if it is one of them; otherwise the problems of the
// type it fits best (an object's by its field names), or that it is none of them.
func (c *checker) value(path string, types []string, v any, form bool) []error {
	var best []error
	bestMisfit := -1
	for _, typ := range types {
		sub := &checker{spec: c.spec}
		sub.typed(path, typ, v, form)
		if len(sub.problems) == 0 {
			return nil
		}
		m := c.misfit(typ, v, form)
		if m < 0 {
			continue
		}
		if bestMisfit < 0 || m < bestMisfit || m == bestMisfit && len(sub.problems) < len(best) {
			best, bestMisfit = sub.problems, m
		}
	}
	if best == nil {
		if len(types) == 1 {
			return []error{fmt.Errorf("%s: %v is not %s", path, v, article(types[0]))}
		}
		return []error{fmt.Errorf("%s: %v is none of %s", path, v, strings.Join(types, ", "))}
	}
	return best
}

// misfit tells how far v is from the shape of typ: -1 when it is another kind of value altogether, else for an
// object the fields it has that typ lacks and the required ones it lacks.
func (c *checker) misfit(typ string, v any, form bool) int {
	if s, ok := v.(string); ok && form {
		switch {
		case typ == "String" || typ == "Integer" || typ == "Float" || typ == "Boolean" || typ == "InputFile":
			return 0
		}
		var decoded any
		if json.Unmarshal([]byte(s), &decoded) != nil {
			return -1
		}
		v = decoded
	}
	switch {
	case typ == "Integer" || typ == "Float":
		if _, ok := v.(json.Number); ok {
			return 0
		}
	case typ == "String" || typ == "InputFile":
		if _, ok := v.(string); ok {
			return 0
		}
	case typ == "Boolean":
		if _, ok := v.(bool); ok {
			return 0
		}
	case strings.HasPrefix(typ, "Array of "):
		if _, ok := v.([]any); ok {
			return 0
		}
	default:
		obj, ok := v.(map[string]any)
		k := c.spec.Types[typ]
		if !ok {
			return -1
		}
		if len(k.Subtypes) > 0 {
			best := -1
			for _, sub := range k.Subtypes {
				if m := c.misfit(sub, obj, false); m >= 0 && (best < 0 || m < best) {
					best = m
				}
			}
			return best
		}
		n := 0
		for name := range obj {
			if !slices.ContainsFunc(k.Fields, func(f Field) bool { return f.Name == name }) {
				n++
			}
		}
		for _, f := range k.Fields {
			if _, ok := obj[f.Name]; f.Required && !ok {
				n++
			}
		}
		return n
	}
	return -1
}

func (c *checker) typed(path, typ string, v any, form bool) {
	if s, ok := v.(string); ok && form {
		// A form carries scalars as text and everything else as JSON.
		switch {
		case typ == "Integer" || typ == "Float":
			v = json.Number(s)
		case typ == "Boolean" && (s == "true" || s == "false"):
			v = s == "true"
		case strings.HasPrefix(typ, "Array of ") || c.spec.Types[typ].Name != "" && typ != "InputFile":
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			var decoded any
			if err := dec.Decode(&decoded); err != nil {
				c.fail(path, "is not JSON-serialized %s: %v", typ, err)
				return
			}
			v = decoded
		}
		form = false
	}
	switch {
	case typ == "Integer":
		if n, ok := v.(json.Number); !ok || !isInteger(string(n)) {
			c.fail(path, "%v is not %s", v, article(typ))
		}
	case typ == "Float":
		if n, ok := v.(json.Number); !ok || n.String() == "" {
			c.fail(path, "%v is not %s", v, article(typ))
		}
	case typ == "String":
		if _, ok := v.(string); !ok {
			c.fail(path, "%v is not %s", v, article(typ))
		}
	case typ == "Boolean":
		if _, ok := v.(bool); !ok {
			c.fail(path, "%v is not %s", v, article(typ))
		}
	case typ == "InputFile":
		if _, ok := v.(string); !ok { // a file_id or URL; an upload arrives as a file part
			c.fail(path, "%v is not %s", v, article(typ))
		}
	case strings.HasPrefix(typ, "Array of "):
		list, ok := v.([]any)
		if !ok {
			c.fail(path, "%v is not %s", v, article(typ))
			return
		}
		for i, e := range list {
			if problems := c.value(fmt.Sprintf("%s[%d]", path, i), []string{strings.TrimPrefix(typ, "Array of ")}, e, form); len(problems) > 0 {
				c.problems = append(c.problems, problems...)
			}
		}
	default:
		k, ok := c.spec.Types[typ]
		if !ok {
			c.fail(path, "the specification has no type %s", typ)
			return
		}
		if len(k.Subtypes) > 0 {
			if problems := c.value(path, k.Subtypes, v, form); len(problems) > 0 {
				c.problems = append(c.problems, problems...)
			}
			return
		}
		obj, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "%v is not %s", v, article(typ))
			return
		}
		c.object(path, k, obj, form)
	}
}

func isInteger(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func article(typ string) string {
	if strings.ContainsRune("AEIOU", rune(typ[0])) {
		return "an " + typ
	}
	return "a " + typ
}

var (
	charsRe = regexp.MustCompile(`(\d+)-(\d+) characters`)
	bytesRe = regexp.MustCompile(`(?i)(\d+)-(\d+) bytes`)
	// A number's range ends a clause: "Values between 1-100 are accepted.", "..., 1-100. Defaults to 40".
	rangeRe = regexp.MustCompile(`(?:Values between |[;,] )(\d+)-(\d+)(?: are accepted)?(?:\.|$)`)
	// "Must be one of "danger" (red), "success" (green) or "primary" (blue)."
	oneOfRe    = regexp.MustCompile(`Must be one of ((?:"[^"]+"[^".]*)+)`)
	quotedRe   = regexp.MustCompile(`"([^"]+)"`)
	secretChar = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)
)

// limits checks what a field's description states in prose: lengths in characters or bytes, a number's range,
// a closed list of values, allowed characters, and that an update list names updates.
func (c *checker) limits(path string, f Field, v any, siblings map[string]any) {
	s, isString := v.(string)
	if isString && slices.Contains(f.Types, "String") {
		if m := charsRe.FindStringSubmatch(f.Description); m != nil {
			n := len(utf16.Encode([]rune(s))) // Telegram counts UTF-16 code units
			if strings.Contains(f.Description, "after entities parsing") && c.spec.TextLength != nil {
				mode, _ := siblings[f.Name+"_parse_mode"].(string)
				if mode == "" {
					mode, _ = siblings["parse_mode"].(string)
				}
				if mode != "" {
					n = c.spec.TextLength(s, mode)
				}
			}
			c.within(path, n, m, "characters")
		}
		if m := bytesRe.FindStringSubmatch(f.Description); m != nil {
			c.within(path, len(s), m, "bytes")
		}
		if m := oneOfRe.FindStringSubmatch(f.Description); m != nil {
			var allowed []string
			for _, q := range quotedRe.FindAllStringSubmatch(m[1], -1) {
				allowed = append(allowed, q[1])
			}
			if !slices.Contains(allowed, s) {
				c.fail(path, "%q is not one of %s", s, strings.Join(allowed, ", "))
			}
		}
		if strings.Contains(f.Description, "Only characters A-Z, a-z, 0-9, _ and - are allowed") && !secretChar.MatchString(s) {
			c.fail(path, "has characters other than A-Z, a-z, 0-9, _ and -")
		}
	}
	if n, ok := v.(json.Number); ok && slices.Contains(f.Types, "Integer") {
		if m := rangeRe.FindStringSubmatch(f.Description); m != nil {
			i, _ := strconv.Atoi(n.String())
			c.within(path, i, m, "")
		}
	}
	if list, ok := v.([]any); ok && f.Name == "allowed_updates" {
		update := c.spec.Types["Update"]
		for i, e := range list {
			name, _ := e.(string)
			if name == "update_id" || !slices.ContainsFunc(update.Fields, func(f Field) bool { return f.Name == name }) {
				c.fail(fmt.Sprintf("%s[%d]", path, i), "%v is not an update type (a field of Update)", e)
			}
		}
	}
}

func (c *checker) within(path string, n int, m []string, unit string) {
	lo, _ := strconv.Atoi(m[1])
	hi, _ := strconv.Atoi(m[2])
	if n < lo || n > hi {
		c.fail(path, "is %s, want %d-%s", strings.TrimSpace(fmt.Sprintf("%d %s", n, unit)), lo, strings.TrimSpace(m[2]+" "+unit))
	}
}

// "Exactly one of the fields other than text, icon_custom_emoji_id, and style must be used", "At most one of
// the fields other than ...": how a button says what it does.
var oneOfFieldsRe = regexp.MustCompile(`(Exactly|At most) one of the fields other than ([a-z_, ]+?) must be used`)

func (c *checker) exactlyOne(path string, k Kind, values map[string]any) {
	for _, d := range k.Description {
		m := oneOfFieldsRe.FindStringSubmatch(d)
		if m == nil {
			continue
		}
		except := strings.FieldsFunc(strings.ReplaceAll(m[2], " and ", ","), func(r rune) bool { return r == ',' || r == ' ' })
		var used []string
		for name, v := range values {
			if v != nil && !slices.Contains(except, name) {
				used = append(used, name)
			}
		}
		slices.Sort(used)
		if len(used) > 1 || m[1] == "Exactly" && len(used) == 0 {
			c.fail(path, "%s: %s one of the fields other than %s must be used, not [%s]", k.Name,
				strings.ToLower(m[1]), strings.Join(except, ", "), strings.Join(used, " "))
		}
	}
}

// TelegramSpec is the Bot API version the adapter is checked against.
const TelegramSpec = "telegram-bot-api-10.1.json"

// TelegramForTest loads the Bot API specification found above the test's package folder. Missing, it fails the
// test under CI=true (CI clones the repository with shared/ beside it) and skips it elsewhere.
func TelegramForTest(tb testing.TB) *Telegram {
	tb.Helper()
	p, err := Find(".", TelegramSpec)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal(err)
		}
		tb.Skip(err)
	}
	t, err := LoadTelegram(p)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}
