package pgtest

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchDB is a fresh, migrated database for one benchmark run: on the test cluster (fsync off), or, with
// DOZVON_BENCH_DURABLE=1, on an embedded cluster of its own with the settings `dozvon serve` runs (PostgreSQL's
// defaults: fsync and synchronous_commit on). Each run logs the setting it ran with and the machine's load.
func BenchDB(b *testing.B) *pgxpool.Pool {
	b.Helper()
	var pool *pgxpool.Pool
	if os.Getenv("DOZVON_BENCH_DURABLE") == "1" {
		pool = Durable(b)
	} else {
		pool = NewDB(b)
	}
	var fsync, syncCommit string
	if err := pool.QueryRow(context.Background(), `SELECT current_setting('fsync'), current_setting('synchronous_commit')`).
		Scan(&fsync, &syncCommit); err != nil {
		b.Fatal(err)
	}
	b.Logf("fsync=%s synchronous_commit=%s, load average %s", fsync, syncCommit, LoadAverage())
	return pool
}

// LoadAverage is the machine's load over 1, 5 and 15 minutes, for the log of a run.
func LoadAverage() string {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	return strings.Join(f[:min(3, len(f))], " ")
}

// ProcessCPU returns the CPU time used so far by this process and by its PostgreSQL (the postmaster, its running
// children and those it has reaped), from /proc; zero where /proc is missing. A benchmark reports the CPU per
// message from it, which other work on a shared machine disturbs less than the rate.
func ProcessCPU() (self, postgres time.Duration) {
	const tick = 10 * time.Millisecond // USER_HZ, 100 on Linux
	read := func(pid int) (ppid int, used, reaped time.Duration) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return -1, 0, 0
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from the 3rd on: state, ppid, ...
		n := func(i int) time.Duration { v, _ := strconv.ParseInt(f[i], 10, 64); return time.Duration(v) * tick }
		ppid, _ = strconv.Atoi(f[1])
		return ppid, n(11) + n(12), n(13) + n(14)
	}
	me := os.Getpid()
	_, self, _ = read(me)
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	used := map[int]time.Duration{}
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			ppid, u, reaped := read(pid)
			parent[pid], used[pid] = ppid, u
			if ppid == me {
				used[pid] += reaped
			}
		}
	}
	for pid, ppid := range parent {
		if ppid == me || parent[ppid] == me {
			postgres += used[pid]
		}
	}
	return self, postgres
}
