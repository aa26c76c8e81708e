package logx

import (
	"bytes"
	"strings"
	"testing"
)

func TestMaskHidesPhonesAndTokens(t *testing.T) {
	cases := map[string]string{
		`sent to +79181234567`:       `sent to +*********67`,
		`phone=8 (918) 123-45-67 ok`: `phone=* (***) ***-**-67 ok`,
		`POST /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/sendMessage`: `POST /bot123456789:***/sendMessage`,
		`{"secret_token":"s3cr3t-value"}`:                                    `{"secret_token":"***"}`,
		`password=hunter2&login=admin`:                                       `password=***&login=admin`,
		`request took 1500 ms, 42 rows`:                                      `request took 1500 ms, 42 rows`,
	}
	for in, want := range cases {
		if got := string(Mask([]byte(in))); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoggerWritesMaskedLines(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "info", "json")
	log.Info().Str("phone", "+7 918 123-45-67").Msg("linked chat for +79181234567")
	log.Debug().Msg("dropped below level")
	out := buf.String()
	if strings.Contains(out, "918") || strings.Contains(out, "1234567") {
		t.Fatalf("phone in clear: %s", out)
	}
	if !strings.Contains(out, "linked chat for +*********67") || strings.Contains(out, "dropped") {
		t.Fatalf("unexpected log: %s", out)
	}
}
