# Trunkline — the two set-up commands are `make run` and `make test` (see README.md).
# Both install what they need on a fresh Debian 12 machine with Node 20.

SHELL := /bin/bash
NODE  ?= node
TSX   := $(NODE) --import tsx
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

RUN_PKGS  := espeak-ng
TEST_PKGS := espeak-ng sip-tester baresip-core sox ffmpeg
# The benchmarks capture RTP on the wire with tcpdump (bench-only: the tests do not need it).
BENCH_PKGS := tcpdump

UNIT_TESTS        = $(shell find tests/unit -name '*.test.ts' | sort)
INTEGRATION_TESTS = $(shell find tests/integration -maxdepth 1 -name '*.test.ts' | sort)

.PHONY: run test unit integration typecheck bench deps deps-run deps-test clean

run: deps-run node_modules
	$(TSX) gateway/main.ts

test: deps-test node_modules typecheck unit integration

unit: node_modules
	$(TSX) --test --test-concurrency=2 $(UNIT_TESTS)

integration: deps-test node_modules
	$(TSX) --test --test-concurrency=1 $(INTEGRATION_TESTS)

typecheck: node_modules
	npx --no-install tsc --noEmit

# Prints figures and writes bench/results/ (latest.json, report.md) and README's performance table;
# never fails the build (bench/run.ts exits 0). BENCH_QUICK=1 for a short try, BENCH_ONLY=id,id.
bench: deps-test node_modules
	-@bash tests/install-debs.sh $(BENCH_PKGS)
	$(TSX) bench/run.ts

# Debian packages: installed only when missing, so a machine that has them never touches the network.
deps-run:
	@bash tests/install-debs.sh $(RUN_PKGS)

deps-test:
	@bash tests/install-debs.sh $(TEST_PKGS)

node_modules: package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

clean:
	rm -rf node_modules .cache var
