package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

// errFileTooBig is the Bot API refusing a file over its download limit (20 MB).
var errFileTooBig = fmt.Errorf("telegram: %w (the Bot API gives 20 MB at most)", messenger.ErrFileTooBig)

// OpenFile downloads a file a client sent: getFile says where it is, and the file path under /file/bot<token>/
// serves it. Only Dozvon sees that address, which holds the bot token; operators get the file from Dozvon.
func (c *Client) OpenFile(ctx context.Context, fileID string) (io.ReadCloser, int64, error) {
	var f struct {
		FileSize int64  `json:"file_size"`
		FilePath string `json:"file_path"`
	}
	err := c.call(ctx, "getFile", map[string]string{"file_id": fileID}, &f)
	var perm *messenger.PermanentError
	if errors.As(err, &perm) && strings.Contains(strings.ToLower(perm.Reason), "file is too big") {
		return nil, 0, errFileTooBig
	}
	// The operator reads what went wrong in their language (the file's last error); Telegram's English
	// description stays in the logs.
	if errors.As(err, &perm) {
		return nil, 0, &messenger.PermanentError{Reason: perm.Reason, Msg: msg.New("telegram.file_refused")}
	}
	if err != nil {
		return nil, 0, messenger.Coded(err, "telegram.file_unreachable")
	}
	if f.FilePath == "" {
		return nil, 0, messenger.Refused("telegram.file_no_path")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.apiURL+"/file/bot"+c.token+"/"+f.FilePath, nil)
	if err != nil {
		return nil, 0, &messenger.PermanentError{Reason: "download: " + strings.ReplaceAll(err.Error(), c.token, "***"),
			Msg: msg.New("telegram.file_no_path")}
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, 0, messenger.Coded(fmt.Errorf("telegram: download a file: %w", scrubToken(err, c.token)), "telegram.file_unreachable")
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		err := fmt.Errorf("telegram: download a file: HTTP %d", res.StatusCode)
		if res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests {
			return nil, 0, &messenger.PermanentError{Reason: err.Error(), Msg: msg.New("telegram.file_status", res.StatusCode)}
		}
		return nil, 0, messenger.Coded(err, "telegram.file_status", res.StatusCode)
	}
	return res.Body, max(f.FileSize, res.ContentLength), nil
}
