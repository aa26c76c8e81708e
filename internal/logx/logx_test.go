package logx

import (
	"bytes"
	"encoding/json"
	"errors"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMaskTextHidesPhonesAndTokens(t *testing.T) {
	cases := map[string]string{
		`sent to +79181234567`:       `sent to +*********67`,
		`phone=8 (918) 123-45-67 ok`: `phone=* (***) ***-**-67 ok`,
		`POST /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/sendMessage`: `POST /bot123456789:***/sendMessage`,
		`{"secret_token":"s3cr3t-value"}`:                                    `{"secret_token":"***"}`,
		`password=hunter2&login=admin`:                                       `password=***&login=admin`,
		`request took 1500 ms, 42 rows`:                                      `request took 1500 ms, 42 rows`,
		`Authorization: Bearer dzv_Zm9vYmFyYmF6cXV4cXV1eA-_x1 refused`:       `Authorization: Bearer *** refused`,
		`token dzv_Zm9vYmFyYmF6cXV4cXV1eA-_x1 is revoked`:                    `token dzv_*** is revoked`,
		`API token is revoked`:                                               `API token is revoked`,
	}
	for in, want := range cases {
		if got := maskText(in); got != want {
			t.Errorf("maskText(%q) = %q, want %q", in, got, want)
		}
	}
}

// The sender's warning when Telegram's flood control stops a 30 msg/s run: new Telegram users have 10-digit ids,
// which look like phone numbers to a pattern over the line. The line must reach the log whole in both formats.
func floodWarning(t *testing.T, format string) string {
	t.Helper()
	var buf bytes.Buffer
	log := New(&buf, "info", format)
	log = log.With().Int64("outbox_id", 17).Int64("chat_id", 1234567823).Int("attempt", 1).Logger()
	log.Warn().Dur("retry_after", 3*time.Second).Msg("Telegram flood control: the bot pauses")
	return buf.String()
}

func TestFloodWarningWithATenDigitChatIDIsValidJSON(t *testing.T) {
	line := floodWarning(t, "json")
	var got map[string]any
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, line)
	}
	if _, err := time.Parse(time.RFC3339, got["time"].(string)); err != nil {
		t.Errorf("time %q: %v", got["time"], err)
	}
	delete(got, "time")
	want := map[string]any{"level": "warn", "outbox_id": 17.0, "chat_id": 1234567823.0, "attempt": 1.0,
		"retry_after": "3s", "message": "Telegram flood control: the bot pauses"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
}

func TestFloodWarningWithATenDigitChatIDIsPrintedInConsoleFormat(t *testing.T) {
	line := floodWarning(t, "console")
	_, rest, ok := strings.Cut(line, " ") // the time of day
	want := "WRN Telegram flood control: the bot pauses attempt=1 chat_id=1234567823 outbox_id=17 retry_after=3s\n"
	if !ok || rest != want {
		t.Fatalf("got  %q\nwant %q", rest, want)
	}
}

func TestPhonesInFreeTextAndTokensAreMaskedIDsStay(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "info", "json")
	log.Warn().Int64("chat_id", 7912345678).Str("phone", "+7 918 123-45-67").Str("request_id", "5107923412345678").
		Str("password", "hunter2").Str("api_key", "dzv_Zm9vYmFyYmF6cXV4cXV1eA").
		Err(errors.New(`Post "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/sendMessage": EOF`)).
		Msg("client +79181234567 sent token dzv_Zm9vYmFyYmF6cXV4cXV1eA")
	log.Debug().Msg("dropped below level")
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON line: %v\n%s", err, buf.String())
	}
	delete(got, "time")
	want := map[string]any{"level": "warn", "chat_id": 7912345678.0, "phone": "+* *** ***-**-67",
		"request_id": "5107923412345678", "password": "***", "api_key": "***",
		"error":   `Post "https://api.telegram.org/bot123456789:***/sendMessage": EOF`,
		"message": "client +*********67 sent token dzv_***"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
}

func TestNestedFieldsAreMaskedByTheirOwnKey(t *testing.T) {
	got := string(maskLine([]byte(`{"user":{"id":"79181234567","phones":["+79181234567","89181234567"]},"n":79181234567,"note":"a \"quoted\" +79181234567"}` + "\n")))
	want := `{"user":{"id":"79181234567","phones":["+*********67","*********67"]},"n":79181234567,"note":"a \"quoted\" +*********67"}` + "\n"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestALineThatIsNotJSONStaysOneValidLine(t *testing.T) {
	got := maskLine([]byte(`{"level":"info","raw":{broken +79181234567}` + "\n"))
	var line map[string]string
	if err := json.Unmarshal(got, &line); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, got)
	}
	if line["message"] != "log line is not JSON" || line["line"] != `{"level":"info","raw":{broken +*********67}` {
		t.Fatalf("got %v", line)
	}
}

// A log written to a file is read with less and grep: no terminal colour codes, and durations with their unit.
func TestConsoleLogInAFileHasNoColoursAndDurationsHaveUnits(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "dozvon.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := New(f, "info", "console")
	log.Info().Str("route", "GET /campaigns").Int("status", 200).Dur("took", 1500*time.Microsecond).Msg("http")
	f.Close()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), " ")
	if want := "INF http route=\"GET /campaigns\" status=200 took=1.5ms\n"; rest != want {
		t.Fatalf("got  %q\nwant %q", rest, want)
	}
}

// net/http's server and the session manager print through the standard logger; in a JSON log their lines are JSON
// too, masked like the rest.
func TestTheStandardLoggersLinesJoinTheLog(t *testing.T) {
	var out bytes.Buffer
	RouteStandardLog(New(&out, "info", "json"))
	defer log.SetOutput(os.Stderr)
	log.Printf("auth: find session of +79181234567: %v", errors.New("context canceled"))
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("not a JSON line (%v): %s", err, out.String())
	}
	if line["level"] != "warn" || line["message"] != "auth: find session of +*********67: context canceled" {
		t.Errorf("line = %v", line)
	}
}
