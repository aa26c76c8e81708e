package msg

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestRussianPluralHasThreeFormsEnglishTwo(t *testing.T) {
	forms := "{#1 символ|символа|символов}"
	for n, want := range map[int]string{0: "символов", 1: "символ", 2: "символа", 4: "символа", 5: "символов",
		11: "символов", 12: "символов", 14: "символов", 21: "символ", 22: "символа", 25: "символов", 101: "символ",
		111: "символов", 112: "символов", 122: "символа"} {
		if got := Sprintf("ru", "%d "+forms, n); got != fmt.Sprint(n, " ", want) {
			t.Errorf("ru %d: %q", n, got)
		}
	}
	for n, want := range map[int]string{0: "0 characters", 1: "1 character", 2: "2 characters", 21: "21 characters"} {
		if got := Sprintf("en", "%d {#1 character|characters}", n); got != want {
			t.Errorf("en %d: %q", n, got)
		}
	}
}

func TestErrorIsEnglishAfterPackageAndField(t *testing.T) {
	Register(map[string]string{
		"testpkg.length": "is longer than %d {#1 character|characters}",
		"testpkg.wrap":   "%q is not a schedule: %s",
	})
	e := In("name", "testpkg.length", 1)
	if got := e.Error(); got != "testpkg: name: is longer than 1 character" {
		t.Fatalf("Error() = %q", got)
	}
	cause := errors.New("bad character U+007D '}'")
	w := fmt.Errorf("campaigns: save 7: %w", Wrap(cause, "testpkg.wrap", "* *", New("testpkg.length", 40)))
	if got := w.Error(); got != `campaigns: save 7: testpkg: "* *" is not a schedule: is longer than 40 characters` {
		t.Fatalf("Error() = %q", got)
	}
	if !errors.Is(w, cause) || !errors.Is(w, New("testpkg.wrap")) || errors.Is(w, New("testpkg.length")) {
		t.Fatal("errors.Is does not see the cause or the code")
	}
	m, ok := As(w)
	if !ok || m.Code != "testpkg.wrap" {
		t.Fatalf("As = %v, %v", m, ok)
	}
	if got := New("testpkg.unknown", 3, "x").Error(); got != "testpkg: testpkg.unknown 3 x" {
		t.Fatalf("an unknown code: %q", got)
	}
}

func TestJSONKeepsCodeArgsAndNestedMessages(t *testing.T) {
	e := In("schedule", "testpkg.wrap", "* *", New("testpkg.length", 40))
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"code":"testpkg.wrap","args":["* *",{"code":"testpkg.length","args":[40]}],"field":"schedule"}`
	if string(raw) != want {
		t.Fatalf("JSON %s", raw)
	}
	var back Error
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%#v", back.Args[1].(*Error).Args[0]); got != "40" {
		t.Fatalf("a count comes back as %s", got)
	}
	if raw, _ := json.Marshal(New("testpkg.wrap", "x", errors.New("zip: not a valid zip file"))); string(raw) !=
		`{"code":"testpkg.wrap","args":["x","zip: not a valid zip file"]}` {
		t.Fatalf("a third-party error as an argument: %s", raw)
	}
	if back.Error() != "testpkg: schedule: \"* *\" is not a schedule: is longer than 40 characters" {
		t.Fatalf("back: %q", back.Error())
	}
}

// A table keeps a coded message as its code and arguments, and words without one as they are.
func TestARecordedMessageComesBackWithItsArguments(t *testing.T) {
	Register(map[string]string{"msgtest.refused": "%s refused (%s, %d): %s"})
	err := fmt.Errorf("send: %w", New("msgtest.refused", "MAX", "POST /messages", 400, "text: too long"))
	rec := Record(err)
	m, ok := Recorded(rec)
	if !ok || m.Code != "msgtest.refused" || English(m) != "MAX refused (POST /messages, 400): text: too long" {
		t.Fatalf("recorded %s, read back %+v", rec, m)
	}
	if rec := Record(errors.New("dial tcp: refused")); rec != "dial tcp: refused" {
		t.Errorf("words without a code recorded as %q", rec)
	}
	if _, ok := Recorded("the client opted out"); ok {
		t.Error("plain words read back as a message")
	}
}
