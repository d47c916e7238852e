# wrapper — build, test and package. `make help` lists the targets.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -s -w -X github.com/wrapper-dev/wrapper/wrapper.Version=$(VERSION)
PKGS     := ./...
DIST     ?= dist
TARGETS  ?= windows/amd64 windows/arm64 linux/amd64 linux/arm64

.PHONY: help build test systemd-tools fleet-tools test-unix test-race vet-windows test-windows demo dist test-release lint bench test-faults clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

build: ## build bin/wrapper for this machine
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/wrapper ./cmd/wrapper

test: lint systemd-tools fleet-tools test-race test-faults vet-windows test-windows test-release ## everything CI runs: lint, race tests, fault suite, Windows vet, Windows tests under Wine, release packaging

systemd-tools: ## install systemd-analyze for the unit checks when missing (docs/linux-service.md)
	.ci/systemd/setup.sh

fleet-tools: ## install Prometheus and Chromium for the scrape and page tests when missing (docs/fleet.md)
	.ci/prometheus/setup.sh
	.ci/chromium/setup.sh

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

dist: ## cross-build windows/linux × amd64/arm64 into dist/: zips, SHA256SUMS, winget/scoop manifests; signs with SIGN_PFX (docs/release.md)
	GO='$(GO)' VERSION='$(VERSION)' LDFLAGS='$(LDFLAGS)' DIST='$(DIST)' TARGETS='$(TARGETS)' \
		SIGN_PFX='$(SIGN_PFX)' SIGN_PASS_ENV='$(SIGN_PASS_ENV)' .ci/release/dist.sh

test-release: ## make dist twice (same SHA256SUMS), signed with a throwaway certificate, manifests filled (docs/release.md)
	.ci/release/setup.sh
	.ci/release/test.sh

lint: ## go vet (also with the faults tag) and a gofmt check
	$(GO) vet $(PKGS)
	$(GO) vet -tags faults $(PKGS)
	@out=$$(git ls-files -co --exclude-standard '*.go' | xargs gofmt -l); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench: ## measure throughput, latencies, idle cost, scale, sizes into docs/performance.md (Linux, ~15 min; installs hyperfine when missing); BASE=rev: paired A/B; CASES: pick some (bench/run.sh)
	.ci/bench/setup.sh || echo "bench: without hyperfine the throughput case skips its outside check"
	bench/run.sh

test-faults: ## fault suite (real processes: 200 MB floods, SIGKILLed wrapper, crash loop, full disk) and 20 s of config fuzzing
	$(GO) test -tags faults -count=1 -timeout 20m -run 'Fault|Reaper|Killed' ./wrapper/ ./supervisor/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime=20s ./config/

clean: ## remove build outputs
	rm -rf bin dist wrapper-demo
