package operatorui_test

import (
	"bytes"
	"html"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"dozvon/internal/auth"
)

// A screenshot uploaded by mistake comes back at once with what it is, in the manager's language, and nothing
// of it is kept or shown as rows.
func TestAPictureUploadedAsClientsIsRefusedWithAClearMessage(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	var pic bytes.Buffer
	if err := png.Encode(&pic, image.NewGray(image.Rect(0, 0, 30, 30))); err != nil {
		t.Fatal(err)
	}
	res, body := s.upload(c, "clients", "screenshot.png", pic.Bytes())
	want := "“screenshot.png” cannot be imported: it is a PNG picture, not a table. Save the table as CSV or XLSX and upload that file."
	if res.StatusCode != http.StatusUnprocessableEntity || html.UnescapeString(errorOf(body)) != want {
		t.Fatalf("upload of a PNG: %d, %q; want 422 with %q", res.StatusCode, html.UnescapeString(errorOf(body)), want)
	}
	var kept int
	if err := s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM uploads`).Scan(&kept); err != nil || kept != 0 {
		t.Errorf("uploads kept: %d (%v), want 0", kept, err)
	}

	s.setLocale(t, auth.Manager, "ru")
	_, body = s.upload(c, "clients", "скан.png", pic.Bytes())
	if got := html.UnescapeString(errorOf(body)); got != "«скан.png» нельзя импортировать: это картинка PNG, а не таблица. Сохраните таблицу как CSV или XLSX и загрузите этот файл." {
		t.Errorf("Russian refusal: %q", got)
	}
}

// Each dataset's sample is on the page with its columns, and downloads as the file the engine reads.
func TestImportsPageListsTheColumnsAndOffersASampleOfEachDataset(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	_, body := s.get(c, "/imports")
	for _, d := range []string{"clients", "applications", "events"} {
		if !strings.Contains(body, `href="/imports/samples/`+d+`.csv"`) {
			t.Errorf("no sample link for %s", d)
		}
	}
	if !strings.Contains(body, "<td>Код клиента *</td><td><code>external_id</code></td>") {
		t.Errorf("the clients' required id column is not listed:\n%s", body)
	}
	res, sample := s.get(c, "/imports/samples/applications.csv")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Disposition") != `attachment; filename="dozvon-sample-applications.csv"` ||
		!strings.HasPrefix(sample, "\uFEFFНомер заявки;Код клиента;Продукт;") {
		t.Errorf("sample: %d %q\n%s", res.StatusCode, res.Header.Get("Content-Disposition"), sample)
	}
	if res, _ := s.get(c, "/imports/samples/passwords.csv"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown sample: %d, want 404", res.StatusCode)
	}
	// The sample previews with no problem: the preview shows the cells themselves, not only a tooltip.
	preview := s.uploaded(c, "clients", "sample.csv", []byte(mustGet(t, s, c, "/imports/samples/clients.csv")))
	_, body = s.get(c, preview)
	if strings.Contains(body, `data-testid="cell-problem"`) || strings.Count(body, `<span class="ok">`) != 2 {
		t.Errorf("the sample has problems on its preview:\n%s", body)
	}
	bad := "Код клиента;ИНН;Наименование\nC-1;77071234;ООО «Лютик»\n"
	_, body = s.get(c, s.uploaded(c, "clients", "bad.csv", []byte(bad)))
	if got := testid(t, body, "cell-problem"); got != "inn: &#34;77071234&#34; is not 10 or 12 digits" {
		t.Errorf("the bad cell says %q", got)
	}
}

func mustGet(t *testing.T, s *site, c *http.Client, path string) string {
	t.Helper()
	res, body := s.get(c, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return body
}

// setLocale switches a test user's language; their next page is in it.
func (s *site) setLocale(t *testing.T, role auth.Role, locale string) {
	t.Helper()
	if err := s.Users.SetLocale(t.Context(), s.ids[role], locale); err != nil {
		t.Fatal(err)
	}
}
