package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"dozvon/messenger"
)

// errFileTooBig is the Bot API refusing a file over its download limit (20 MB).
var errFileTooBig = errors.New("telegram: the file is too big for the Bot API to give")

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
	if err != nil {
		return nil, 0, err
	}
	if f.FilePath == "" {
		return nil, 0, &messenger.PermanentError{Reason: "getFile: no file_path in the answer"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.apiURL+"/file/bot"+c.token+"/"+f.FilePath, nil)
	if err != nil {
		return nil, 0, &messenger.PermanentError{Reason: "download: " + strings.ReplaceAll(err.Error(), c.token, "***")}
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("telegram: download a file: %w", scrubToken(err, c.token))
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		err := fmt.Errorf("telegram: download a file: HTTP %d", res.StatusCode)
		if res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests {
			return nil, 0, &messenger.PermanentError{Reason: err.Error()}
		}
		return nil, 0, err
	}
	return res.Body, max(f.FileSize, res.ContentLength), nil
}

// Fetcher downloads the files clients sent into messenger.Files, beside update processing so that a slow or big
// download never holds up a message. Files are claimed with a lease, so any number of instances may run one.
type Fetcher struct {
	Client *Client
	Bot    int64 // whose files it fetches, through Client
	Files  *messenger.Files
	Log    zerolog.Logger
	// Workers download at once (default 2); Idle is how often they look for work without a wake-up (default 2 s).
	Workers int
	Idle    time.Duration
	// Timeout bounds one download (default 2 min); the lease is a little longer.
	Timeout time.Duration
	once    sync.Once
	wake    chan struct{}
}

func (f *Fetcher) init() {
	f.once.Do(func() {
		f.wake = make(chan struct{}, 1)
		if f.Workers == 0 {
			f.Workers = 2
		}
		if f.Idle == 0 {
			f.Idle = 2 * time.Second
		}
		if f.Timeout == 0 {
			f.Timeout = 2 * time.Minute
		}
	})
}

// Wake tells the fetcher a file was registered.
func (f *Fetcher) Wake() {
	f.init()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run fetches files until ctx ends.
func (f *Fetcher) Run(ctx context.Context) error {
	f.init()
	var wg sync.WaitGroup
	for range f.Workers {
		wg.Add(1)
		go func() { defer wg.Done(); f.work(ctx) }()
	}
	wg.Wait()
	return nil
}

func (f *Fetcher) work(ctx context.Context) {
	for ctx.Err() == nil {
		x, err := f.Files.Claim(ctx, f.Bot, f.Timeout+30*time.Second)
		if err == nil {
			f.fetch(ctx, x)
			continue
		}
		if !errors.Is(err, messenger.ErrNoFileDue) && ctx.Err() == nil {
			f.Log.Error().Err(err).Msg("claim a file to fetch")
		}
		select {
		case <-ctx.Done():
		case <-f.wake:
		case <-time.After(f.Idle):
		}
	}
}

// fetch downloads one claimed file and records the outcome: stored, too large, or a failure to retry later.
func (f *Fetcher) fetch(ctx context.Context, x messenger.File) {
	dctx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	body, size, err := f.Client.OpenFile(dctx, x.RemoteID)
	switch {
	case errors.Is(err, errFileTooBig):
		err = f.Files.TooLarge(ctx, x.ID, 0)
	case err == nil && size > f.Files.Max:
		body.Close()
		err = f.Files.TooLarge(ctx, x.ID, size)
	case err == nil:
		err = f.Files.Save(dctx, x.ID, body)
		body.Close()
		if err != nil && ctx.Err() == nil {
			f.Log.Warn().Err(err).Int64("file_id", x.ID).Int("attempt", x.Attempts).Msg("store a client's file")
			err = f.Files.Retry(ctx, x, err, false)
		}
	default:
		var perm *messenger.PermanentError
		f.Log.Warn().Err(err).Int64("file_id", x.ID).Int("attempt", x.Attempts).Msg("fetch a client's file")
		if ctx.Err() == nil {
			err = f.Files.Retry(ctx, x, err, errors.As(err, &perm))
		}
	}
	if err != nil && ctx.Err() == nil {
		f.Log.Error().Err(err).Int64("file_id", x.ID).Msg("record a fetched file")
	}
}
