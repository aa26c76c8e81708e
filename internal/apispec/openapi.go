package apispec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// OpenAPI is an OpenAPI 3.0 specification (the MAX Bot API's), read for checking requests: each operation's
// path, method and query parameters with their types, and its JSON body against the schema, following $ref and
// allOf, with required (a required property may be null only where it is nullable), enum, minLength/maxLength
// (characters), minItems/maxItems, minimum/maximum, pattern and discriminators. A body property the schema does
// not name is refused: the schemas leave additionalProperties open, but a field the API does not know is a field
// the adapter believes does something it does not. A pattern RE2 cannot compile (a look-ahead) is not checked.
type OpenAPI struct {
	Info struct {
		Version     string `json:"version"`
		Description string `json:"description"`
	} `json:"info"`
	Paths      map[string]map[string]*operation `json:"paths"`
	Components struct {
		Schemas         map[string]*Schema `json:"schemas"`
		SecuritySchemes map[string]struct {
			Type string `json:"type"`
			Name string `json:"name"`
			In   string `json:"in"`
		} `json:"securitySchemes"`
	} `json:"components"`
}

type operation struct {
	OperationID string      `json:"operationId"`
	Parameters  []parameter `json:"parameters"`
	RequestBody *struct {
		Required bool `json:"required"`
		Content  map[string]struct {
			Schema *Schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

type parameter struct {
	Name     string  `json:"name"`
	In       string  `json:"in"`
	Required bool    `json:"required"`
	Schema   *Schema `json:"schema"`
}

// Schema is one JSON schema of the specification.
type Schema struct {
	Ref        string             `json:"$ref"`
	Type       string             `json:"type"`
	Format     string             `json:"format"`
	Nullable   bool               `json:"nullable"`
	Properties map[string]*Schema `json:"properties"`
	Required   requiredList       `json:"required"`
	Items      *Schema            `json:"items"`
	AllOf      []*Schema          `json:"allOf"`
	Enum       []any              `json:"enum"`
	MinLength  *int               `json:"minLength"`
	MaxLength  *int               `json:"maxLength"`
	MinItems   *int               `json:"minItems"`
	MaxItems   *int               `json:"maxItems"`
	Minimum    *float64           `json:"minimum"`
	Maximum    *float64           `json:"maximum"`
	Pattern    string             `json:"pattern"`
	// AdditionalProperties is the schema of a map's values (PhotoAttachmentRequestPayload.photos); a bare
	// true or false is read as none.
	AdditionalProperties *Schema `json:"additionalProperties"`
	Discriminator        *struct {
		PropertyName string                     `json:"propertyName"`
		Mapping      map[string]json.RawMessage `json:"mapping"` // "#/…" or {"$ref": "#/…"}: the spec has both
	} `json:"discriminator"`
}

// UnmarshalJSON reads a schema, or true/false where a schema may be a boolean (additionalProperties).
func (s *Schema) UnmarshalJSON(b []byte) error {
	if string(b) == "true" || string(b) == "false" {
		return nil
	}
	type plain Schema
	return json.Unmarshal(b, (*plain)(s))
}

// requiredList is a schema's required properties. The MAX spec once writes "required": false on a property
// (MessageBody.attachments), as Swagger 2 did: that means nothing is required.
type requiredList []string

func (r *requiredList) UnmarshalJSON(b []byte) error {
	if string(b) == "true" || string(b) == "false" {
		return nil
	}
	return json.Unmarshal(b, (*[]string)(r))
}

// LoadOpenAPI reads an OpenAPI 3.0 specification in JSON.
func LoadOpenAPI(path string) (*OpenAPI, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("apispec: %w", err)
	}
	var o OpenAPI
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("apispec: %s: %w", path, err)
	}
	if len(o.Paths) == 0 || len(o.Components.Schemas) == 0 {
		return nil, fmt.Errorf("apispec: %s has no paths or schemas", path)
	}
	return &o, nil
}

// MAXSpec is the MAX Bot API version the MAX adapter is checked against.
const MAXSpec = "max-bot-api-2026-07-01.json"

// MAXForTest loads the MAX Bot API specification found above the test's package folder: missing, it fails the
// test under CI=true and skips it elsewhere, as TelegramForTest does.
func MAXForTest(tb testing.TB) *OpenAPI {
	tb.Helper()
	p, err := Find(".", MAXSpec)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal(err)
		}
		tb.Skip(err)
	}
	o, err := LoadOpenAPI(p)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// CheckHTTP checks a request as it reached a server: its method and path name an operation, its query
// parameters are the operation's (plus the security scheme's) with values of their types, the required ones are
// there, it authenticates as the security scheme or the examples say (the access_token query parameter or an
// Authorization header), and its JSON body fits the operation's schema. r's body is left readable.
func (o *OpenAPI) CheckHTTP(r *http.Request) []error {
	var body []byte
	if r.Body != nil {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(r.Body)
		body = buf.Bytes()
		r.Body = readCloser{bytes.NewReader(body)}
	}
	return o.Check(r.Method, r.URL.Path, r.URL.Query(), r.Header.Get("Authorization") != "", body)
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// Check checks one request: method (GET, POST ...), path (/messages), query, whether an Authorization header
// came, and the body (nil for none).
func (o *OpenAPI) Check(method, path string, query url.Values, authHeader bool, body []byte) []error {
	c := &schemaChecker{spec: o}
	template, pathValues := o.route(path)
	if template == "" {
		return []error{fmt.Errorf("%s %s: no such path", method, path)}
	}
	op := o.Paths[template][strings.ToLower(method)]
	if op == nil {
		return []error{fmt.Errorf("%s %s: the path has no such method", method, template)}
	}
	where := method + " " + template
	auth := authHeader
	known := map[string]bool{"v": true} // the API version every request may carry (info.description, Versioning)
	for _, s := range o.Components.SecuritySchemes {
		if s.Type == "apiKey" && s.In == "query" {
			known[s.Name] = true
			auth = auth || query.Has(s.Name)
		}
	}
	if !auth {
		c.fail(where, "no credentials: neither the access_token parameter nor an Authorization header")
	}
	for _, p := range op.Parameters {
		switch p.In {
		case "query":
			known[p.Name] = true
			if !query.Has(p.Name) {
				if p.Required {
					c.fail(where, "the query parameter %s is required", p.Name)
				}
				continue
			}
			c.param(where+"?"+p.Name, p.Schema, query.Get(p.Name))
		case "path":
			c.param(where+" {"+p.Name+"}", p.Schema, pathValues[p.Name])
		}
	}
	for name := range query {
		if !known[name] {
			c.fail(where, "%s is not a query parameter of %s", name, op.OperationID)
		}
	}
	switch {
	case op.RequestBody == nil && len(bytes.TrimSpace(body)) > 0:
		c.fail(where, "%s takes no body", op.OperationID)
	case op.RequestBody != nil && len(bytes.TrimSpace(body)) == 0:
		if op.RequestBody.Required {
			c.fail(where, "%s needs a JSON body", op.OperationID)
		}
	case op.RequestBody != nil:
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			c.fail(where, "the body is not JSON: %v", err)
			break
		}
		c.value(op.OperationID, op.RequestBody.Content["application/json"].Schema, v, false)
	}
	sort.Slice(c.problems, func(i, j int) bool { return c.problems[i].Error() < c.problems[j].Error() })
	return c.problems
}

// CheckValue checks a decoded JSON value (numbers as json.Number) against the named schema.
func (o *OpenAPI) CheckValue(schema string, v any) []error {
	c := &schemaChecker{spec: o}
	c.value(schema, &Schema{Ref: "#/components/schemas/" + schema}, v, false)
	return c.problems
}

// route finds the path template path matches, and the values of its {parameters}.
func (o *OpenAPI) route(path string) (string, map[string]string) {
	if _, ok := o.Paths[path]; ok {
		return path, nil
	}
	parts := strings.Split(path, "/")
	templates := make([]string, 0, len(o.Paths))
	for t := range o.Paths {
		templates = append(templates, t)
	}
	slices.Sort(templates) // "/chats/{chatId}" and "/chats/{chatLink}" both match a number: the order is fixed
	for _, t := range templates {
		tparts := strings.Split(t, "/")
		if len(tparts) != len(parts) {
			continue
		}
		values := map[string]string{}
		ok := true
		for i, tp := range tparts {
			if name, isParam := strings.CutPrefix(tp, "{"); isParam {
				values[strings.TrimSuffix(name, "}")] = parts[i]
			} else if tp != parts[i] {
				ok = false
				break
			}
		}
		if ok {
			return t, values
		}
	}
	return "", nil
}

type schemaChecker struct {
	spec     *OpenAPI
	problems []error
}

func (c *schemaChecker) fail(path, format string, args ...any) {
	c.problems = append(c.problems, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// param checks a query or path parameter's text against its schema: scalars parsed as their type, an array as
// comma-separated values (style "simple", the only one the spec uses).
func (c *schemaChecker) param(path string, s *Schema, text string) {
	f := c.flatten(s)
	var v any = text
	switch f.Type {
	case "integer", "number":
		v = json.Number(text)
	case "boolean":
		switch text {
		case "true", "false":
			v = text == "true"
		}
	case "array":
		var list []any
		for _, e := range strings.Split(text, ",") {
			list = append(list, e)
		}
		v = list
	}
	c.value(path, s, v, false)
}

// flat is a schema with its $ref followed and its allOf merged.
type flat struct {
	*Schema
	props    map[string]*Schema
	required []string
}

func (c *schemaChecker) resolve(ref string) *Schema {
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok {
		return nil
	}
	return c.spec.Components.Schemas[name]
}

// flatten merges s, what it refers to and its allOf parts into one schema; the first of them to set a keyword
// wins, properties and required are the union.
func (c *schemaChecker) flatten(s *Schema) flat {
	out := flat{Schema: &Schema{}, props: map[string]*Schema{}}
	var walk func(s *Schema, depth int)
	walk = func(s *Schema, depth int) {
		if s == nil || depth > 32 {
			return
		}
		if s.Ref != "" {
			walk(c.resolve(s.Ref), depth+1)
		}
		m := out.Schema
		if m.Type == "" {
			m.Type = s.Type
		}
		m.Nullable = m.Nullable || s.Nullable
		if m.Items == nil {
			m.Items = s.Items
		}
		if m.Enum == nil {
			m.Enum = s.Enum
		}
		for _, p := range []struct{ dst, src **int }{{&m.MinLength, &s.MinLength}, {&m.MaxLength, &s.MaxLength},
			{&m.MinItems, &s.MinItems}, {&m.MaxItems, &s.MaxItems}} {
			if *p.dst == nil {
				*p.dst = *p.src
			}
		}
		if m.Minimum == nil {
			m.Minimum = s.Minimum
		}
		if m.Maximum == nil {
			m.Maximum = s.Maximum
		}
		if m.Pattern == "" {
			m.Pattern = s.Pattern
		}
		if m.Discriminator == nil {
			m.Discriminator = s.Discriminator
		}
		if m.AdditionalProperties == nil {
			m.AdditionalProperties = s.AdditionalProperties
		}
		for name, p := range s.Properties {
			if out.props[name] == nil {
				out.props[name] = p
			}
		}
		out.required = append(out.required, s.Required...)
		for _, part := range s.AllOf {
			walk(part, depth+1)
		}
	}
	walk(s, 0)
	slices.Sort(out.required)
	out.required = slices.Compact(out.required)
	if out.Type == "" && len(out.props) > 0 {
		out.Type = "object"
	}
	return out
}

// value checks v against s. chosen says a discriminator already picked s, so its own is not applied again (a
// subtype's allOf holds its base, discriminator and all).
func (c *schemaChecker) value(path string, s *Schema, v any, chosen bool) {
	f := c.flatten(s)
	if v == nil {
		if !f.Nullable {
			c.fail(path, "is null")
		}
		return
	}
	if d := f.Discriminator; d != nil && !chosen {
		obj, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "%v is not an object", v)
			return
		}
		kind, _ := obj[d.PropertyName].(string)
		raw, ok := d.Mapping[kind]
		if !ok {
			kinds := make([]string, 0, len(d.Mapping))
			for k := range d.Mapping {
				kinds = append(kinds, k)
			}
			slices.Sort(kinds)
			c.fail(path, "%s %q is not one of %s", d.PropertyName, kind, strings.Join(kinds, ", "))
			return
		}
		var ref string
		if json.Unmarshal(raw, &ref) != nil {
			var obj struct {
				Ref string `json:"$ref"`
			}
			_ = json.Unmarshal(raw, &obj)
			ref = obj.Ref
		}
		c.value(path, &Schema{Ref: ref}, v, true)
		return
	}
	switch f.Type {
	case "string":
		str, ok := v.(string)
		if !ok {
			c.fail(path, "%v is not a string", v)
			return
		}
		n := utf8.RuneCountInString(str)
		if f.MinLength != nil && n < *f.MinLength {
			c.fail(path, "is %d characters, want at least %d", n, *f.MinLength)
		}
		if f.MaxLength != nil && n > *f.MaxLength {
			c.fail(path, "is %d characters, want at most %d", n, *f.MaxLength)
		}
		if f.Pattern != "" {
			if re, err := regexp.Compile(f.Pattern); err == nil && !re.MatchString(str) {
				c.fail(path, "%q does not match %s", str, f.Pattern)
			}
		}
	case "integer", "number":
		n, ok := v.(json.Number)
		if !ok {
			c.fail(path, "%v is not a number", v)
			return
		}
		x, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			c.fail(path, "%v is not a number", v)
			return
		}
		if _, err := strconv.ParseInt(string(n), 10, 64); f.Type == "integer" && err != nil {
			c.fail(path, "%v is not an integer", v)
			return
		}
		if f.Minimum != nil && x < *f.Minimum || f.Maximum != nil && x > *f.Maximum {
			c.fail(path, "%v is out of range", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			c.fail(path, "%v is not a boolean", v)
		}
	case "array":
		list, ok := v.([]any)
		if !ok {
			c.fail(path, "%v is not an array", v)
			return
		}
		minItems, maxItems := f.MinItems, f.MaxItems
		if minItems == nil {
			minItems = f.MinLength // the spec writes minLength on an array once, meaning minItems
		}
		if minItems != nil && len(list) < *minItems || maxItems != nil && len(list) > *maxItems {
			c.fail(path, "has %d items, out of range", len(list))
		}
		for i, e := range list {
			c.value(fmt.Sprintf("%s[%d]", path, i), f.Items, e, false)
		}
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "%v is not an object", v)
			return
		}
		for name, e := range obj {
			switch {
			case f.props[name] != nil:
			case f.AdditionalProperties != nil:
				c.value(path+"."+name, f.AdditionalProperties, e, false)
			default:
				c.fail(path, "%s is not a field", name)
			}
		}
		for _, name := range f.required {
			if _, ok := obj[name]; !ok {
				c.fail(path, "%s is required", name)
			}
		}
		for name, e := range obj {
			if p := f.props[name]; p != nil {
				c.value(path+"."+name, p, e, false)
			}
		}
	}
	if len(f.Enum) > 0 && !slices.ContainsFunc(f.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		c.fail(path, "%v is not one of %v", v, f.Enum)
	}
}
