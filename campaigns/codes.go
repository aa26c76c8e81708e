package campaigns

import (
	"regexp"
	"strconv"

	"dozvon/internal/msg"
)

// The messages this package raises for a person (internal/msg), in English; the operator UI's catalog has their
// Russian.
func init() {
	msg.Register(map[string]string{
		// The audience, the form, the status.
		"campaigns.min_age":              "the minimum lead age must be %d-%d hours",
		"campaigns.max_age":              "the maximum lead age must be %d-%d days",
		"campaigns.attempts":             "call attempts must be %d-%d",
		"campaigns.okved":                "%q is not an OKVED code (e.g. 47.91 or 56)",
		"campaigns.does_not_run":         "a %s campaign does not run",
		"campaigns.schedule_only_active": "only active campaigns run on schedule",
		"campaigns.cannot_become":        "a %s campaign cannot become %s",
		"campaigns.unknown_status":       "unknown status %s",
		"campaigns.status_draft":         "draft",
		"campaigns.status_active":        "active",
		"campaigns.status_paused":        "paused",
		"campaigns.status_cancelled":     "cancelled",
		"campaigns.send_cancelled":       "the campaign was cancelled",
		"campaigns.name_length":          "a name of %d-%d characters is required",
		"campaigns.lead_kind":            "choose the kind of leads: missed calls, follow-ups or acquiring",
		"campaigns.not_time":             "%q is not a time like 21:00",
		"campaigns.frequency_cap":        "must be between %d and %d days",
		"campaigns.invite_webhook":       "must be an http(s) URL of the SMS gateway",
		"campaigns.channels_none":        "choose at least one channel",
		"campaigns.channel_unknown":      "unknown channel %q",
		"campaigns.channel_twice":        "the channel %s is chosen twice",

		// The template and its buttons.
		"campaigns.body_empty":       "the message text is empty",
		"campaigns.template_parse":   "the template does not parse: %s",
		"campaigns.unknown_variable": "unknown variable %s; use one of %s",
		"campaigns.only_variables":   "only variables like {{.Company}} are allowed, not %s",
		"campaigns.buttons_max":      "at most %d {#1 button|buttons}",
		"campaigns.button_no_text":   "button %d has no text",
		"campaigns.button_long":      "button %q is longer than %d {#2 character|characters}",
		"campaigns.button_no_action": "button %q has no action",
		"campaigns.button_no_reply":  "button %q needs the text of its auto-reply",
		"campaigns.html":             "%s",
		"campaigns.only_formatting":  "the message has no text, only formatting",
		"campaigns.text_too_long":    "the text is %d {#1 character|characters}, Telegram allows %d",

		// text/template's words inside "the template does not parse".
		"campaigns.template_detail":     "%s",
		"campaigns.template_unclosed":   "unclosed action",
		"campaigns.template_eof":        "unexpected EOF",
		"campaigns.template_function":   "function %s not defined",
		"campaigns.template_unexpected": "unexpected %s in %s",
		"campaigns.template_bad_char":   "bad character %s",

		// The schedule, and the cron parser's words inside "is not a schedule".
		"campaigns.not_schedule":    `%q is not a schedule: %s (e.g. "CRON_TZ=Europe/Moscow 0 10 * * 1-5" — weekdays at 10:00)`,
		"campaigns.schedule_often":  "%q runs every %s; runs must be at least %d {#3 minute|minutes} apart",
		"campaigns.cron_detail":     "%s",
		"campaigns.cron_empty":      "empty spec string",
		"campaigns.cron_location":   "provided bad location %s",
		"campaigns.cron_fields":     "expected exactly %d {#1 field|fields}, found %d: %s",
		"campaigns.cron_fields_opt": "expected %d to %d {#2 field|fields}, found %d: %s",
		"campaigns.cron_hyphens":    "too many hyphens: %s",
		"campaigns.cron_slashes":    "too many slashes: %s",
		"campaigns.cron_below":      "beginning of range (%d) below minimum (%d): %s",
		"campaigns.cron_above":      "end of range (%d) above maximum (%d): %s",
		"campaigns.cron_beyond":     "beginning of range (%d) beyond end of range (%d): %s",
		"campaigns.cron_step":       "step of range should be a positive number: %s",
		"campaigns.cron_not_int":    "%s is not a number",
		"campaigns.cron_negative":   "negative number (%d) not allowed: %s",
		"campaigns.cron_descriptor": "unrecognized descriptor: %s",
		"campaigns.cron_duration":   "%s is not a duration",

		// Lead rules, each part of a list.
		"campaigns.rules_missed_attempts": "missed calls: attempts must be %d-%d",
		"campaigns.rules_missed_age":      "missed calls: age must be %d-%d days",
		"campaigns.rules_follow_days":     "follow-ups: days must be %d-%d",
		"campaigns.rules_follow_wait":     "follow-ups: the longest wait must be between the days and %d",
		"campaigns.rules_acquiring_days":  "acquiring: days must be %d-%d",
		"campaigns.rules_okved_empty":     "acquiring: the OKVED list is empty",
		"campaigns.rules_okved":           "acquiring: %q is not an OKVED code (e.g. 47.91 or 56)",
	})
}

// A parser of another library explains a mistake only in English prose; these are the mistakes a manager makes,
// each with the code it gets and its values as arguments (whole numbers as numbers, for plural forms).
type thirdPartyProblem struct {
	re   *regexp.Regexp
	code string
	nums string // per group: 'd' a whole number, '-' a string
}

var parseProblems = []thirdPartyProblem{
	{regexp.MustCompile(`^unclosed action$`), "campaigns.template_unclosed", ""},
	{regexp.MustCompile(`^unexpected EOF$`), "campaigns.template_eof", ""},
	{regexp.MustCompile(`^function ("(?:[^"\\]|\\.)*") not defined$`), "campaigns.template_function", "-"},
	{regexp.MustCompile(`^unexpected (.+) in (.+)$`), "campaigns.template_unexpected", "--"},
	{regexp.MustCompile(`^bad character (.+)$`), "campaigns.template_bad_char", "-"},
}

var cronProblems = []thirdPartyProblem{
	{regexp.MustCompile(`^empty spec string$`), "campaigns.cron_empty", ""},
	{regexp.MustCompile(`^provided bad location (\S+): .+$`), "campaigns.cron_location", "-"},
	{regexp.MustCompile(`^expected exactly (\d+) fields, found (\d+): (.+)$`), "campaigns.cron_fields", "dd-"},
	{regexp.MustCompile(`^expected (\d+) to (\d+) fields, found (\d+): (.+)$`), "campaigns.cron_fields_opt", "ddd-"},
	{regexp.MustCompile(`^too many hyphens: (.+)$`), "campaigns.cron_hyphens", "-"},
	{regexp.MustCompile(`^too many slashes: (.+)$`), "campaigns.cron_slashes", "-"},
	{regexp.MustCompile(`^beginning of range \((-?\d+)\) below minimum \((\d+)\): (.+)$`), "campaigns.cron_below", "dd-"},
	{regexp.MustCompile(`^end of range \((\d+)\) above maximum \((\d+)\): (.+)$`), "campaigns.cron_above", "dd-"},
	{regexp.MustCompile(`^beginning of range \((\d+)\) beyond end of range \((\d+)\): (.+)$`), "campaigns.cron_beyond", "dd-"},
	{regexp.MustCompile(`^step of range should be a positive number: (.+)$`), "campaigns.cron_step", "-"},
	{regexp.MustCompile(`^failed to parse int from (.*?): strconv\.Atoi: .+$`), "campaigns.cron_not_int", "-"},
	{regexp.MustCompile(`^negative number \((-?\d+)\) not allowed: (.+)$`), "campaigns.cron_negative", "d-"},
	{regexp.MustCompile(`^unrecognized descriptor: (.+)$`), "campaigns.cron_descriptor", "-"},
	{regexp.MustCompile(`^failed to parse duration (.+?): .+$`), "campaigns.cron_duration", "-"},
}

// cronProblem is the cron parser's complaint as a message.
func cronProblem(err error) *msg.Error {
	return thirdParty(err.Error(), cronProblems, "campaigns.cron_detail")
}

// thirdParty finds the code of detail in problems; a detail none knows keeps its words under other.
func thirdParty(detail string, problems []thirdPartyProblem, other string) *msg.Error {
	for _, p := range problems {
		m := p.re.FindStringSubmatch(detail)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, g := range m[1:] {
			args[i] = g
			if p.nums[i] == 'd' {
				args[i], _ = strconv.Atoi(g)
			}
		}
		return msg.New(p.code, args...)
	}
	return msg.New(other, detail)
}
