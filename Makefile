# wrapper — build, test and package. `make help` lists the targets.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -s -w -X github.com/wrapper-dev/wrapper/wrapper.Version=$(VERSION)
PKGS     := ./...

.PHONY: help build test systemd-tools test-unix test-race vet-windows test-windows demo dist lint bench test-faults clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

build: ## build bin/wrapper for this machine
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/wrapper ./cmd/wrapper

test: lint systemd-tools test-race test-faults vet-windows test-windows ## everything CI runs: lint, race tests, fault suite, Windows vet, Windows tests under Wine

systemd-tools: ## install systemd-analyze for the unit checks when missing (docs/linux-service.md)
	.ci/systemd/setup.sh

test-unix: ## the native tests, quickly
	$(GO) test $(PKGS)

test-race: ## the native tests with the race detector
	$(GO) test -race -count=1 $(PKGS)

vet-windows: ## compile and vet the Windows build (amd64 and arm64), tests included
	GOOS=windows GOARCH=amd64 $(GO) vet $(PKGS)
	GOOS=windows GOARCH=arm64 $(GO) vet $(PKGS)

test-windows: ## run the Windows tests under Wine, SCM tests included (installs Wine when missing; see docs/windows-testing.md)
	.ci/wine/setup.sh
	GOOS=windows GOARCH=amd64 $(GO) build -o bin/wrapper-test.exe ./cmd/wrapper
	WRAPPER_TEST_EXE=$(CURDIR)/bin/wrapper-test.exe .ci/wine/gotest.sh -count=1 $(PKGS)

demo: ## run the built-in demo for 20 s and list the rotated logs it wrote
	$(GO) run ./cmd/wrapper demo --for 20s

dist: ## cross-build windows/linux × amd64/arm64 into dist/
	@mkdir -p dist
	for t in windows/amd64 windows/arm64 linux/amd64 linux/arm64; do \
		os=$${t%/*}; arch=$${t#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' \
			-o dist/wrapper-$$os-$$arch$$ext ./cmd/wrapper || exit 1; \
	done
	@ls -l dist

lint: ## go vet (also with the faults tag) and a gofmt check
	$(GO) vet $(PKGS)
	$(GO) vet -tags faults $(PKGS)
	@out=$$(git ls-files -co --exclude-standard '*.go' | xargs gofmt -l); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench: ## measure throughput, latencies, idle cost, sizes into docs/performance.md (Linux, ~12 min); BASE=rev: paired A/B; CASES: pick some (bench/run.sh)
	bench/run.sh

test-faults: ## fault suite (real processes: 200 MB floods, SIGKILLed wrapper, crash loop, full disk) and 20 s of config fuzzing
	$(GO) test -tags faults -count=1 -timeout 20m -run 'Fault|Reaper|Killed' ./wrapper/ ./supervisor/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime=20s ./config/

clean: ## remove build outputs
	rm -rf bin dist wrapper-demo
