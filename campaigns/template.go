package campaigns

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template/parse"
	"unicode/utf8"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

// Template is a campaign's message: a text with variables and up to MaxButtons inline buttons.
//
// The text is Telegram HTML written by the manager (<b>, <i>, <a href> ...); variables are written
// {{.Company}} and their values are always escaped, so a client called "<b>ООО</b>" is shown as typed.
type Template struct {
	Body    string   `json:"body"`
	Buttons []Button `json:"buttons"`
}

// Button actions: what pressing a campaign's button does.
const (
	ActionRoute    = "route"    // a person answers: the conversation goes to an operator
	ActionCallback = "callback" // the client asks for a phone call back
	ActionOptOut   = "opt_out"  // the client unsubscribes
	ActionReply    = "reply"    // the bot answers with Reply and nobody is bothered
)

// Button is an inline button and what it does.
type Button struct {
	Text   string `json:"text"`
	Action string `json:"action"`
	Reply  string `json:"reply,omitempty"` // the auto-reply text of ActionReply
}

// MaxButtons is how many buttons a campaign message may have.
const MaxButtons = 4

// Variables a template may use, with the SQL that gives each value for a lead, and a sample for previews.
var variables = map[string]struct{ sql, sample, help string }{
	"ClientName": {"c.contact_name", "Ирина Петровна", "contact person"},
	"Company":    {"c.company_name", "ООО «Ромашка»", "company name"},
	"INN":        {"coalesce(c.inn, '')", "7707083893", "INN"},
	"Region":     {"c.region", "Краснодарский край", "region"},
	"Manager":    {"coalesce(a.field_manager, '')", "Алексей Смирнов", "field manager"},
}

// VariableNames lists the variables for forms, in a stable order.
var VariableNames = []string{"ClientName", "Company", "INN", "Region", "Manager"}

// compiled is a template taken apart: literal text and variable names, alternating.
type compiled struct {
	parts []part
}

type part struct {
	text     string
	variable string
}

// Compile checks a template and explains what is wrong in words a manager understands.
func Compile(t Template) (*compiled, error) {
	body := strings.TrimSpace(t.Body)
	if body == "" {
		return nil, msg.In("body", "campaigns.body_empty")
	}
	tree, err := parse.Parse("message", body, "{{", "}}", map[string]any{})
	if err != nil {
		return nil, &InputError{Field: "body", Code: "campaigns.template_parse", Args: []any{parseProblem(err)}, Err: err}
	}
	c := &compiled{}
	for _, n := range tree["message"].Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			c.parts = append(c.parts, part{text: string(n.Text)})
		case *parse.ActionNode:
			name := strings.TrimPrefix(strings.TrimSpace(n.String()), "{{")
			name = strings.TrimSpace(strings.TrimSuffix(name, "}}"))
			v := strings.TrimPrefix(name, ".")
			if _, ok := variables[v]; !ok || !strings.HasPrefix(name, ".") || strings.Contains(v, " ") {
				return nil, msg.In("body", "campaigns.unknown_variable", name, "{{."+strings.Join(VariableNames, "}}, {{.")+"}}")
			}
			c.parts = append(c.parts, part{variable: v})
		default:
			return nil, msg.In("body", "campaigns.only_variables", n.String())
		}
	}
	if err := checkHTML(c, tree["message"].Root.Nodes, body, t.Body); err != nil {
		return nil, err
	}
	if len(t.Buttons) > MaxButtons {
		return nil, msg.In("buttons", "campaigns.buttons_max", MaxButtons)
	}
	for i, b := range t.Buttons {
		switch {
		case strings.TrimSpace(b.Text) == "":
			return nil, msg.In("buttons", "campaigns.button_no_text", i+1)
		case utf8.RuneCountInString(b.Text) > 40:
			return nil, msg.In("buttons", "campaigns.button_long", b.Text, 40)
		case b.Action != ActionRoute && b.Action != ActionCallback && b.Action != ActionOptOut && b.Action != ActionReply:
			return nil, msg.In("buttons", "campaigns.button_no_action", b.Text)
		case b.Action == ActionReply && strings.TrimSpace(b.Reply) == "":
			return nil, msg.In("buttons", "campaigns.button_no_reply", b.Text)
		}
	}
	return c, nil
}

// parseProblem is what text/template's parser said, after its "template: message:1:" prefix, as a message: the
// mistakes a manager makes have codes, anything else stays in the parser's words.
func parseProblem(err error) *msg.Error {
	detail := err.Error()
	if i := strings.LastIndex(detail, ": "); i >= 0 {
		detail = detail[i+2:]
	}
	return thirdParty(detail, parseProblems, "campaigns.template_detail")
}

func (c *compiled) literal() string {
	var b strings.Builder
	for _, p := range c.parts {
		b.WriteString(p.text)
	}
	return b.String()
}

// checkHTML reads the template's text as Telegram's HTML parse mode will read every message made from it, and
// explains the first thing Telegram would refuse or show otherwise than written, with its line and character in
// the text as the manager typed it (typed, of which body is the trimmed part). Variables are text to the parser
// (their values are escaped).
func checkHTML(c *compiled, nodes []parse.Node, body, typed string) error {
	// What is not text (variables, comments) reads as a run of '~': text to the parser, but neither a tag's name
	// nor an unquoted attribute value, which a client's value in that place would break.
	shadow := []byte(strings.Repeat("~", len(body)))
	for _, n := range nodes {
		if n, ok := n.(*parse.TextNode); ok {
			copy(shadow[int(n.Pos):], n.Text)
		}
	}
	if err := messenger.ParseHTML(string(shadow)).Err(); err != nil {
		var he *messenger.HTMLError
		if errors.As(err, &he) {
			at := *he
			before := typed[:strings.Index(typed, body)]
			if at.Line == 1 {
				at.Char += utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:])
			}
			at.Line += strings.Count(before, "\n")
			err = &at
		}
		problem, _ := msg.As(err) // the problem where the manager typed it
		return &InputError{Field: "body", Code: "campaigns.html", Args: []any{problem}, Err: err}
	}
	literal := messenger.ParseHTML(c.literal()).Length()
	hasVariable := slices.ContainsFunc(c.parts, func(p part) bool { return p.variable != "" })
	if literal == 0 && !hasVariable {
		return msg.In("body", "campaigns.only_formatting")
	}
	if literal > messenger.MaxTextLength {
		return msg.In("body", "campaigns.text_too_long", literal, messenger.MaxTextLength)
	}
	return nil
}

// Render fills the template with values (escaped) — for previews and test messages.
func (c *compiled) Render(values map[string]string) string {
	var b strings.Builder
	for _, p := range c.parts {
		if p.variable != "" {
			b.WriteString(messenger.Escape(values[p.variable]))
			continue
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// SampleValues are the preview values of every variable.
func SampleValues() map[string]string {
	out := map[string]string{}
	for k, v := range variables {
		out[k] = v.sample
	}
	return out
}

// sqlExpr is the template as one SQL expression over the audience query's aliases (c: clients, a:
// applications), so a run renders every message inside its INSERT ... SELECT. Literal text travels as
// parameters, never spliced into the SQL.
func (c *compiled) sqlExpr(param func(v any) string) string {
	var terms []string
	for _, p := range c.parts {
		if p.variable != "" {
			terms = append(terms, "replace(replace(replace(replace("+variables[p.variable].sql+
				", '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '\"', '&quot;')")
			continue
		}
		terms = append(terms, param(p.text)+"::text")
	}
	return "(" + strings.Join(terms, " || ") + ")"
}

// markup turns buttons into messenger buttons; callback data names the campaign and the button, well within
// Telegram's 64 bytes.
func markup(campaignID int64, buttons []Button) messenger.Markup {
	var rows messenger.Markup
	for i, b := range buttons {
		data := fmt.Sprintf("c:%d:%d", campaignID, i)
		if b.Action == ActionOptOut {
			data = messenger.CallbackOptOut // handled by the messenger itself
		}
		rows = append(rows, []messenger.Button{{Text: b.Text, Data: data}})
	}
	return rows
}
