# Infinity Metrics — the two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing on a fresh Debian machine first.

SWIFT      ?= swift
DATA       ?= ./data
SUDO       := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
APT_PKGS   := liblz4-dev zlib1g-dev pkg-config python3 python3-venv openssl
ORACLE     := .build/oracle/bin/python3
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# Wait for another apt or dpkg (unattended upgrades, a second make) instead of failing at once.
APT        := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3
# The same, for packages whose scripts would start a service of their own (nginx on port 80).
APT_NO_START := $(SUDO) env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get -o DPkg::Lock::Timeout=600 \
	-o Acquire::Retries=3

.PHONY: run test deps oracle browser clickhouse deploy-tools build install release format lint bench clean

# The ClickHouse server the scale-out tests use: Debian's package, on loopback, data under .build.
CLICKHOUSE_PORT ?= 18123
CLICKHOUSE_DIR  ?= .build/clickhouse

## Install the system packages the build needs (only what is missing).
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(APT) update -qq && $(APT) install -y -qq --no-install-recommends $$missing >/dev/null \
			|| { echo "apt-get could not install:$$missing"; exit 1; }; \
	fi

## DuckDB from PyPI, the outside oracle the query tests compare answers with.
oracle: $(ORACLE)
$(ORACLE): | deps
	python3 -m venv .build/oracle
	.build/oracle/bin/pip install --quiet --disable-pip-version-check duckdb websocket-client aiosmtpd maxminddb
	@.build/oracle/bin/python3 -c "import duckdb, websocket, aiosmtpd, maxminddb" || { echo "DuckDB, websocket-client, aiosmtpd or maxminddb did not install into .build/oracle"; exit 1; }

## Debian's chromium, for the dashboard test in a real browser.
browser: deps
	@command -v chromium >/dev/null 2>&1 || { echo "Installing chromium"; \
		$(APT) update -qq && $(APT) install -y -qq chromium >/dev/null \
			|| { echo "apt-get could not install chromium"; exit 1; }; }

## nginx, curl and systemd-analyze, for the test that runs Docs/deploy's files as written. RUNLEVEL=1
## keeps the package from starting an nginx of its own on port 80.
DEPLOY_TOOLS := /usr/sbin/nginx:nginx /usr/bin/curl:curl /usr/bin/systemd-analyze:systemd
deploy-tools: deps
	@missing=""; for t in $(DEPLOY_TOOLS); do [ -x "$${t%%:*}" ] || missing="$$missing $${t##*:}"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(APT_NO_START) update -qq && $(APT_NO_START) install -y -qq --no-install-recommends $$missing >/dev/null \
			|| { echo "apt-get could not install:$$missing"; exit 1; }; \
	fi

## ClickHouse from Debian's packages, started on 127.0.0.1:$(CLICKHOUSE_PORT) (idempotent).
clickhouse: deps
	@command -v clickhouse-server >/dev/null 2>&1 || { echo "Installing clickhouse-server"; \
		$(APT) update -qq && $(APT) install -y -qq clickhouse-server clickhouse-client >/dev/null \
			|| { echo "apt-get could not install clickhouse-server"; exit 1; }; }
	@Scripts/clickhouse-local.sh start $(CLICKHOUSE_DIR) $(CLICKHOUSE_PORT)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Put the release build under $(PREFIX): `make release && sudo make install` (Docs/deployment.md).
PREFIX     ?= /usr/local
install:
	@sh Scripts/install.sh "$(PREFIX)" .build/release/infinity

LISTEN     ?= 127.0.0.1:8080

## The main job: the ingestion server on $(LISTEN) over $(DATA). On first run it registers
## example.com and writes 30 days of demo traffic, so there is something to look at.
run: release
	@if [ ! -f "$(DATA)/sites.json" ]; then \
		.build/release/infinity sites add example.com --timezone UTC --data "$(DATA)"; \
		.build/release/infinity sites add shop.example --timezone America/New_York --data "$(DATA)"; \
	fi
	@if [ ! -d "$(DATA)/journal" ]; then \
		.build/release/infinity generate --data "$(DATA)" --site example.com --site shop.example@America/New_York \
			--days 30 --hits-per-day 20000 --engagement 0.6; \
	fi
	.build/release/infinity journal stat --data "$(DATA)"
	@echo "Ask for numbers from another terminal: .build/release/infinity query example.com --data $(DATA)"
	.build/release/infinity serve --data "$(DATA)" --listen "$(LISTEN)"

## The whole test suite.
test: deps oracle browser clickhouse deploy-tools
	$(SWIFT) build --build-tests -j $(JOBS)
	INFINITY_CLICKHOUSE=http://127.0.0.1:$(CLICKHOUSE_PORT) $(SWIFT) test --skip-build --parallel --num-workers $(JOBS)

format:
	$(SWIFT) format -i -r Sources Tests Package.swift Benchmarks/Package.swift Benchmarks/Benchmarks

lint:
	$(SWIFT) format lint -r Sources Tests

## Benchmarks (their own package, so their dependencies stay out of the normal build; the query
## benchmarks time DuckDB from .build/oracle beside us).
bench: deps oracle
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build Benchmarks/.build
