package operatorui

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/campaigns/imports"
)

// importRunner runs the imports started on the page in the background: a big file takes minutes, longer than a
// request should, and the page follows it through the history (imports.GetJob) meanwhile.
type importRunner struct {
	ctx    context.Context // ends when the server stops; each import is then recorded as stopped
	cancel context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{} // imports running on this instance; each holds a database connection throughout

	mu    sync.Mutex
	sizes map[int64]int64 // running import → its file's size, for the percentage the page shows
}

// maxRunningImports keeps the page's imports from taking the connections that the pages and the sender need.
const maxRunningImports = 2

var errImportsBusy = errors.New("operatorui: too many imports are running")

func newImportRunner() *importRunner {
	ctx, cancel := context.WithCancel(context.Background())
	return &importRunner{ctx: ctx, cancel: cancel, slots: make(chan struct{}, maxRunningImports),
		sizes: map[int64]int64{}}
}

// start runs an import of file in the background and returns its id in the history once it has one; done is
// called with the outcome, after the file is closed. An import that fails before it is recorded (the file
// cannot be read, the mapping lacks a field) returns the error here instead, and done is not called.
func (ir *importRunner) start(pool *pgxpool.Pool, file io.ReadCloser, size int64, opts imports.Options,
	done func(imports.Report, error)) (int64, error) {
	select {
	case ir.slots <- struct{}{}:
	default:
		file.Close()
		return 0, errImportsBusy
	}
	ir.mu.Lock()
	if err := ir.ctx.Err(); err != nil { // the server is stopping
		ir.mu.Unlock()
		<-ir.slots
		file.Close()
		return 0, err
	}
	ir.wg.Add(1) // under mu: never after RunImports began to wait
	ir.mu.Unlock()
	type started struct {
		id  int64
		err error
	}
	began := make(chan started, 1)
	opts.Started = func(id int64) {
		ir.mu.Lock()
		ir.sizes[id] = size
		ir.mu.Unlock()
		began <- started{id: id}
	}
	go func() {
		defer ir.wg.Done()
		defer func() { <-ir.slots }()
		rep, err := imports.Import(ir.ctx, pool, file, opts)
		file.Close()
		if rep.JobID == 0 {
			began <- started{err: err}
			return
		}
		ir.mu.Lock()
		delete(ir.sizes, rep.JobID)
		ir.mu.Unlock()
		done(rep, err)
	}()
	s := <-began
	return s.id, s.err
}

// size is the file size of an import running on this instance, or 0 when it is not (it ended, or another
// instance runs it).
func (ir *importRunner) size(id int64) int64 {
	ir.mu.Lock()
	defer ir.mu.Unlock()
	return ir.sizes[id]
}

// RunImports waits for ctx to end, then stops the imports started on the page and waits for them: each records
// in the history that it stopped, before the database goes away. serve runs it with the other workers.
func (ui *UI) RunImports(ctx context.Context) error {
	<-ctx.Done()
	ui.importer.mu.Lock()
	ui.importer.cancel()
	ui.importer.mu.Unlock()
	ui.importer.wg.Wait()
	return nil
}
