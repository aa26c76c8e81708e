package max

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

// OpenFile downloads a file a client sent, from the URL MAX gave in its attachment (the file's RemoteID). The URL
// is MAX's own and needs no token: the token is not sent, so that it never reaches a host it was not meant for.
func (c *Client) OpenFile(ctx context.Context, fileURL string) (io.ReadCloser, int64, error) {
	u, err := url.Parse(fileURL)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return nil, 0, messenger.Refused("max.file_url")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, &messenger.PermanentError{Reason: fmt.Sprintf("max: download a file: %v", err), Msg: msg.New("max.file_url")}
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, 0, messenger.Coded(fmt.Errorf("max: download a file: %w", err), "max.file_unreachable")
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		err := fmt.Errorf("max: download a file: HTTP %d", res.StatusCode)
		if res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests {
			return nil, 0, &messenger.PermanentError{Reason: err.Error(), Msg: msg.New("max.file_status", res.StatusCode)}
		}
		return nil, 0, messenger.Coded(err, "max.file_status", res.StatusCode)
	}
	return res.Body, res.ContentLength, nil
}
