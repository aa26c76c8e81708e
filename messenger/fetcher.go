package messenger

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// ErrFileTooBig is a messenger refusing to give a file over its download limit.
var ErrFileTooBig = errors.New("messenger: the file is too big for the messenger to give")

// Fetcher downloads the files clients sent to one bot into Files, beside update processing so that a slow or big
// download never holds up a message. Files are claimed with a lease, so any number of instances may run one.
type Fetcher struct {
	// Open downloads a file by the RemoteID its messenger gave it (Telegram: a file_id; MAX: a URL), and its size
	// when known; ErrFileTooBig: the messenger will not give it.
	Open  func(ctx context.Context, remoteID string) (io.ReadCloser, int64, error)
	Bot   int64 // whose files it fetches, through Open
	Files *Files
	Log   zerolog.Logger
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
		if !errors.Is(err, ErrNoFileDue) && ctx.Err() == nil {
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
func (f *Fetcher) fetch(ctx context.Context, x File) {
	dctx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	body, size, err := f.Open(dctx, x.RemoteID)
	switch {
	case errors.Is(err, ErrFileTooBig):
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
		var perm *PermanentError
		f.Log.Warn().Err(err).Int64("file_id", x.ID).Int("attempt", x.Attempts).Msg("fetch a client's file")
		if ctx.Err() == nil {
			err = f.Files.Retry(ctx, x, err, errors.As(err, &perm))
		}
	}
	if err != nil && ctx.Err() == nil {
		f.Log.Error().Err(err).Int64("file_id", x.ID).Msg("record a fetched file")
	}
}
