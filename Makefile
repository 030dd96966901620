# ClusterDNS — `make run` serves the zones/ example on 127.0.0.1:5353; `make test` runs everything.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/debug/clusterdns
LISTEN ?= 127.0.0.1:5353

# Debian packages the build and the tests need: libldns and libyaml to link; dig, kdig,
# ldns-read-zone, kzonecheck and nsd-checkzone to check what we serve and print; NSD and unbound
# as real upstream servers and clients in the end-to-end tests.
DEB_PACKAGES := libldns-dev libyaml-dev bind9-dnsutils ldnsutils knot-dnsutils knot-dnssecutils nsd unbound

.PHONY: deps build test run check clean golden bench

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
	$(BIN) serve --manifests zones --listen $(LISTEN)

## check: validate the zones/ example
check: build
	$(BIN) check zones

## clean: remove build products
clean:
	rm -rf .build

## golden: rewrite Tests/Scenarios/*/expected.zone from the current dump (review the diff!)
golden: build
	@for scenario in Tests/Scenarios/*/; do \
	  $(BIN) dump "$$scenario/manifests" --serial 1 $$(cat "$$scenario/flags" 2>/dev/null) > "$$scenario/expected.zone" || exit 1; \
	  echo "wrote $$scenario/expected.zone"; \
	done

## bench: ClusterDNS against NSD and Knot (installs nsd, knot, dnsperf when missing); see BENCHMARKS.md
bench:
	@$(MAKE) deps DEB_PACKAGES="$(DEB_PACKAGES) knot dnsperf python3"
	$(SWIFT) build -c release --product clusterdns
	python3 bench/run.py $(BENCH_ARGS)
