package apispec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// Request is one Bot API call as it reached the server.
type Request struct {
	Method string         // the last part of the path: /bot<token>/sendMessage
	Params map[string]any // JSON values, or strings from a form
	Form   bool           // the body was a form (urlencoded or multipart)
}

// ReadRequest reads a Bot API call from r and leaves r's body readable again for the handler behind.
func ReadRequest(r *http.Request) (Request, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return Request{}, fmt.Errorf("apispec: read %s: %w", r.URL.Path, err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := Request{Method: path.Base(r.URL.Path), Params: map[string]any{}}
	for k, v := range r.URL.Query() {
		req.Params[k], req.Form = v[0], true
	}
	mediaType, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case len(bytes.TrimSpace(body)) == 0:
	case mediaType == "application/json":
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&req.Params); err != nil {
			return req, fmt.Errorf("apispec: %s: the JSON body does not decode: %w", req.Method, err)
		}
	case mediaType == "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return req, fmt.Errorf("apispec: %s: %w", req.Method, err)
		}
		for k, v := range values {
			req.Params[k] = v[0]
		}
		req.Form = true
	case mediaType == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), mp["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return req, fmt.Errorf("apispec: %s: multipart: %w", req.Method, err)
			}
			v, err := io.ReadAll(part)
			if err != nil {
				return req, fmt.Errorf("apispec: %s: multipart: %w", req.Method, err)
			}
			if part.FileName() != "" {
				req.Params[part.FormName()] = "attach://" + part.FileName() // an upload stands for an InputFile
				continue
			}
			req.Params[part.FormName()] = string(v)
		}
		req.Form = true
	default:
		return req, fmt.Errorf("apispec: %s: a body of type %q", req.Method, strings.TrimSpace(r.Header.Get("Content-Type")))
	}
	return req, nil
}

// fileLinkRe finds the link getFile's documentation gives for downloading a file:
// https://api.telegram.org/file/bot<token>/<file_path>.
var fileLinkRe = regexp.MustCompile(`https://api\.telegram\.org(/\S*<token>\S*<file_path>)`)

// FileDownloadPath is the path a file is downloaded at, as getFile's documentation states it, for token and the
// file_path getFile answered.
func (t *Telegram) FileDownloadPath(token, filePath string) (string, error) {
	for _, d := range t.Methods["getFile"].Description {
		if m := fileLinkRe.FindStringSubmatch(d); m != nil {
			return strings.NewReplacer("<token>", token, "<file_path>", filePath).Replace(m[1]), nil
		}
	}
	return "", fmt.Errorf("apispec: %s: getFile's description gives no download link", t.Version)
}
