# ClusterDNS — `make run` serves the zones/ example on 127.0.0.1:5353; `make test` runs everything.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/debug/clusterdns
LISTEN ?= 127.0.0.1:5353
# The release binary as deploy/Dockerfile builds it, the one the benchmarks measure: the Swift
# runtime linked in, so that its calls (retain, release, allocation) are direct rather than
# through the dynamic linker's tables and nothing is looked up at start (at L the start took
# 5% less CPU than with the runtime as shared libraries).
RELEASE_BUILD = $(SWIFT) build -c release --static-swift-stdlib --product clusterdns

# Debian packages the build and the tests need: libldns, libyaml and jemalloc to link; dig, kdig,
# ldns-read-zone, kzonecheck and nsd-checkzone to check what we serve and print; NSD and unbound
# as real upstream servers and clients in the end-to-end tests; openssl makes the test API
# server's certificates.
DEB_PACKAGES := libldns-dev libyaml-dev zlib1g-dev libjemalloc-dev bind9-dnsutils ldnsutils knot-dnsutils knot-dnssecutils nsd unbound openssl
# kubectl checks the test API server as a real client; Debian's kubernetes-client only when no
# kubectl is installed already (a cloud SDK's, say).
ifeq ($(shell command -v kubectl),)
DEB_PACKAGES += kubernetes-client
endif

.PHONY: deps build test run check clean golden bench bench-api bench-compare bench-paths fuzz soak

## deps: install the missing Debian packages (apt-get update first); nothing when all are present
deps:
	@missing=""; \
	for package in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" -ne 0 ] && sudo=sudo; \
	  $$sudo apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends $$missing; \
	fi

## build: debug build of the clusterdns binary
build: deps
	$(SWIFT) build

## test: unit, golden and end-to-end tests
test: deps
	$(SWIFT) build
	$(SWIFT) test

## run: serve the zones/ example on $(LISTEN)
run: build
	$(BIN) serve --manifests zones --listen $(LISTEN) --transfer-allow 127.0.0.1/32

## check: validate the zones/ example
check: build
	$(BIN) check zones

## clean: remove build products
clean:
	rm -rf .build

## golden: rewrite Tests/Scenarios/*/expected.zone and Tests/ExplainGolden/expected.txt (review the diff!)
golden: build
	@for scenario in Tests/Scenarios/*/; do \
	  $(BIN) dump "$$scenario/manifests" --serial 1 $$(cat "$$scenario/flags" 2>/dev/null) > "$$scenario/expected.zone" || exit 1; \
	  echo "wrote $$scenario/expected.zone"; \
	done
	@while read -r command; do \
	  echo "$$ clusterdns $$command"; $(BIN) $$command; echo "(exit $$?)"; echo; \
	done < Tests/ExplainGolden/commands > Tests/ExplainGolden/expected.txt
	@echo "wrote Tests/ExplainGolden/expected.txt"

# What the benchmarks add: the peers, the load generator, and Debian's matplotlib for the charts
# (bench/charts.py runs under /usr/bin/python3, the interpreter that package serves).
BENCH_PACKAGES := knot dnsperf python3 python3-matplotlib

## bench: ClusterDNS against NSD and Knot (installs nsd, knot, dnsperf, matplotlib when missing), then
## the same run as charts in bench/charts/; see BENCHMARKS.md
bench:
	@$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) $(BENCH_PACKAGES)"
	$(RELEASE_BUILD)
	python3 bench/run.py $(BENCH_ARGS)
	python3 bench/pod_mix.py
	/usr/bin/python3 bench/charts.py

## bench-paths: where CPU per query goes, ClusterDNS beside Knot (UDP mix at M): system calls,
## datagrams per receive, wake-ups, and CPU by path from perf (installs linux-perf when missing)
bench-paths:
	@$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) $(BENCH_PACKAGES) linux-perf"
	$(RELEASE_BUILD)
	python3 bench/query_paths.py $(PATHS_ARGS)

## bench-api: the API source at L (BENCH_SIZE=M for a quick one): the bench's cluster from the test
## API server against the same cluster from files; first sync, RSS, and the peak of a forced relist
BENCH_SIZE ?= L
bench-api:
	@$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) $(BENCH_PACKAGES)"
	$(RELEASE_BUILD)
	python3 bench/api_source.py --size $(BENCH_SIZE)

## bench-compare: `make bench` with another revision built beside this one (BASE=<commit>, default
## HEAD~1) and run in the same interleave, ending with a this build / baseline table
BASE ?= HEAD~1
BASELINE_DIR := .build-baseline
bench-compare:
	@$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) $(BENCH_PACKAGES)"
	$(RELEASE_BUILD)
	rm -rf $(BASELINE_DIR)/source && mkdir -p $(BASELINE_DIR)
	git worktree prune
	git worktree add --detach $(BASELINE_DIR)/source $(BASE)
	cd $(BASELINE_DIR)/source && $(RELEASE_BUILD) --scratch-path ../build
	git worktree remove --force $(BASELINE_DIR)/source
	python3 bench/run.py --baseline $(BASELINE_DIR)/build/release/clusterdns $(BENCH_ARGS)
	/usr/bin/python3 bench/charts.py

## fuzz: libFuzzer on each target (FUZZ_SECONDS each, default 60) under AddressSanitizer, then a
## (LeakSanitizer is off: Swift keeps flags in pointer bits, which it misreads as leaks; the soak
## test watches memory instead)
## shorter run under ThreadSanitizer; crashes land in Fuzz/crashes/<target>/ (commit them: make
## test replays them forever)
FUZZ_SECONDS ?= 60
FUZZ_TSAN_SECONDS ?= 15
FUZZ_TARGETS := query tcp-frames tcp-pipeline manifest upstream-reply forwarder-cache zone-file
FUZZ_FLAGS := --product clusterdns-fuzz -Xswiftc -DFUZZING -Xswiftc -parse-as-library
fuzz: deps
	$(SWIFT) build --scratch-path .build-fuzz $(FUZZ_FLAGS) -Xswiftc -sanitize=fuzzer,address
	$(SWIFT) build --scratch-path .build-fuzz-tsan $(FUZZ_FLAGS) -Xswiftc -sanitize=fuzzer,thread
	@set -e; for target in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$target Fuzz/crashes/$$target; \
	  cp Fuzz/corpus/$$target/* .build-fuzz/corpus/$$target/; \
	  echo "== $$target (address sanitizer, $(FUZZ_SECONDS) s)"; \
	  ASAN_OPTIONS=detect_leaks=0 CLUSTERDNS_FUZZ_TARGET=$$target .build-fuzz/debug/clusterdns-fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -rss_limit_mb=4096 -timeout=10 -detect_leaks=0 -print_final_stats=1 -artifact_prefix=Fuzz/crashes/$$target/ \
	    .build-fuzz/corpus/$$target 2>&1 | grep -E "^(stat::|#[0-9]+ +DONE)|ERROR|SUMMARY|Done" || true; \
	  echo "== $$target (thread sanitizer, $(FUZZ_TSAN_SECONDS) s)"; \
	  CLUSTERDNS_FUZZ_TARGET=$$target .build-fuzz-tsan/debug/clusterdns-fuzz -max_total_time=$(FUZZ_TSAN_SECONDS) \
	    -rss_limit_mb=4096 -timeout=10 -detect_leaks=0 -print_final_stats=1 -artifact_prefix=Fuzz/crashes/$$target/ \
	    .build-fuzz/corpus/$$target 2>&1 | grep -E "^(stat::|#[0-9]+ +DONE)|ERROR|SUMMARY|Done" || true; \
	done
	@if ls Fuzz/crashes/*/crash-* Fuzz/crashes/*/timeout-* Fuzz/crashes/*/oom-* >/dev/null 2>&1; then \
	  echo "fuzzing found problems: see Fuzz/crashes"; exit 1; fi

## soak: 60 s of load while a manifest is rewritten every 100 ms (see bench/soak.py)
soak:
	@$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) dnsperf python3"
	$(RELEASE_BUILD)
	python3 bench/soak.py $(SOAK_ARGS)
