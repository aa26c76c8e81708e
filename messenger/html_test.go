package messenger

import "testing"

func TestEscapeMakesValuesTextInTelegramHTML(t *testing.T) {
	got := "Здравствуйте, <b>" + Escape(`ООО "Рога & Копыта" <script>`) + "</b>! Ваш менеджер: " + Escape("Иван <i>")
	want := "Здравствуйте, <b>ООО &quot;Рога &amp; Копыта&quot; &lt;script&gt;</b>! Ваш менеджер: Иван &lt;i&gt;"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if n := visibleLength(got); n != len([]rune("Здравствуйте, ООО \"Рога & Копыта\" <script>! Ваш менеджер: Иван <i>")) {
		t.Fatalf("visible length %d", n)
	}
}
