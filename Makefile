# The two commands of the README: `make run` and `make test`. Everything else is a helper for them.
GO ?= go
BIN := bin/dozvon

.PHONY: run test build bench fuzz

# Build and serve on http://localhost:8080 with the embedded PostgreSQL (when DATABASE_URL is unset).
run: build
	exec ./$(BIN) serve

build:
	$(GO) build -o $(BIN) ./cmd/dozvon

# Vet, then every test with the race detector, against real PostgreSQL and headless Chromium. The fuzz targets run
# their seeds and every input a fuzzer once found (testdata/fuzz): the same checks on every run. Exploring for new
# inputs is `make fuzz`, by hand, since a random search makes a gate that passes or fails by chance.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

# The quick benchmarks recorded in docs/BENCHMARKS.md (a few minutes); the million-row ones (imports, campaign
# runs) and the live-events latency have their own commands there.
bench:
	$(GO) test -run XXX -bench . -benchtime 5x ./internal/pg/
	$(GO) test -run XXX -bench 'Sender|SendStateless|Footprint' -benchtime 1x -count 3 ./messenger/telegram/
	$(GO) test -run XXX -bench Scheduler -benchtime 20x ./campaigns/

# A bounded run of every fuzz target, FUZZTIME each (`go test` alone runs only their seeds). go test -fuzz takes one
# target of one package at a time, so the targets are listed first: a new func FuzzXxx is picked up by itself.
FUZZTIME ?= 10s
fuzz:
	@set -e; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -r -n1 dirname | sort -u); do \
	  for target in $$($(GO) test -list '^Fuzz' $$dir | grep '^Fuzz'); do \
	    echo "fuzz: $$target in $$dir for $(FUZZTIME)"; \
	    $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$dir; \
	  done; \
	done
