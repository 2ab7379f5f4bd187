# rez-agent: the two commands of the README, and the rest.
.PHONY: up test build fmt lint

# Run the whole pipeline on this machine (API, scheduler, queue, state machine, store, console).
up:
	cargo run --release -p rez-agent --bin rez-agent -- up

# Run every test (formatting, lints, shell scripts, dependencies, unit, conformance, end-to-end).
test:
	./scripts/test.sh

# Build rez-agent, and the six Lambda packages build/<function>.zip (ARCH=arm64 for Graviton).
build:
	cargo build --release -p rez-agent --bin rez-agent
	./scripts/build-lambdas.sh

# The AWS deployment on this machine: the six packed Lambdas, moto, Step Functions,
# the SQS event source mapping, API Gateway and Scheduler fronts (NTFY_URL=… to publish for real).
.PHONY: aws-local
aws-local:
	./scripts/aws-local.sh $(if $(NTFY_URL),--ntfy-url $(NTFY_URL))

fmt:
	cargo fmt --all

lint:
	cargo clippy --workspace --all-targets -- -D warnings

# Licenses, bans, sources and RustSec advisories of every dependency (cargo-deny; deny.toml).
# The advisories are read from an offline snapshot: REZ_ADVISORY_DB, else ../shared/rustsec-advisory-db.
.PHONY: deny
deny:
	./scripts/deny.sh

# ---- AWS deployment (infrastructure/, Pulumi). STACK=dev|prod for the stack commands.
STACK ?= dev
FUNCTIONS := scheduler processor webapi load-message send-notification record-status
.PHONY: check-deps dev-env deploy deploy-dev deploy-prod infra-outputs infra-destroy clean

# Tell which tools are missing: cargo, node >= 20, npm, python3 for building and testing; pulumi and aws to deploy.
check-deps:
	@missing=0; \
	for t in cargo node npm python3 pulumi aws; do \
	  command -v $$t >/dev/null 2>&1 || { echo "missing: $$t"; missing=1; }; \
	done; \
	if command -v node >/dev/null 2>&1 && [ "$$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then \
	  echo "node 20 or newer is needed, found $$(node --version)"; missing=1; \
	fi; \
	[ $$missing -eq 0 ] && echo "all tools present" || { echo "(pulumi and aws are needed only to deploy)"; exit 1; }

# Install what development needs: the infrastructure's node modules and the Python venv of the tests.
dev-env:
	cd infrastructure && npm ci --no-audit --no-fund
	./scripts/setup-python.sh

infrastructure/node_modules: infrastructure/package-lock.json
	cd infrastructure && npm ci --no-audit --no-fund
	touch $@

# Build the zips for the stack's architecture (its Pulumi.<stack>.yaml), then pulumi up.
deploy-dev:
	$(MAKE) deploy STACK=dev

deploy-prod:
	$(MAKE) deploy STACK=prod

# A plain pulumi up: it honours the pins and canaryWeight in the stack's config, and watches nothing.
deploy: deploy-zips
	cd infrastructure && pulumi up --stack $(STACK)

.PHONY: deploy-zips rollout rollback unpin
deploy-zips: infrastructure/node_modules
	@case "$(STACK)" in dev|prod) ;; *) echo "unknown stack '$(STACK)': dev or prod"; exit 1;; esac
	ARCH=$$(sed -n 's/^  rez-agent-infrastructure:architecture: *//p' infrastructure/Pulumi.$(STACK).yaml); \
	  ARCH=$${ARCH:-x86_64} ./scripts/build-lambdas.sh

# Deploy as a canary (ROLLOUT_WEIGHT, default 0.1, of each changed function's invocations on its new
# version), watch the stack's alarms for ROLLOUT_MINUTES (default 10), then promote or roll back.
rollout: deploy-zips
	./scripts/rollout.sh $(STACK)

# Put FUNCTION (default: every function) back on the version before its live one, pinned until make unpin.
rollback: infrastructure/node_modules
	./scripts/rollback.sh $(STACK) $(FUNCTION)

# Remove FUNCTION's pin (default: every pin, and canaryWeight), then pulumi up.
unpin: infrastructure/node_modules
	./scripts/unpin.sh $(STACK) $(FUNCTION)

infra-outputs:
	cd infrastructure && pulumi stack output --stack $(STACK)

infra-destroy:
	cd infrastructure && pulumi destroy --stack $(STACK)

# The monthly cost of STACK (default prod) at 1,000 messages a day, from infrastructure/cost/
# (the price list, the harness's measured counts, the program's alarms and sizes); last line the total.
.PHONY: cost
cost: infrastructure/node_modules
	cd infrastructure && TS_NODE_TRANSPILE_ONLY=true node --require ts-node/register cost/report.ts --stack $(if $(filter command line,$(origin STACK)),$(STACK),prod)

# One notification through the deployed stack: posts it, waits for completed, prints its
# execution's log lines (scripts/smoke.sh; needs the aws CLI and the stack's credentials).
.PHONY: smoke
smoke: infrastructure/node_modules
	cargo build --release --locked -p rez-agent --bin rez-agent
	cd infrastructure && \
	  REZ_API_URL=$$(pulumi stack output --stack $(STACK) webapiUrl) \
	  REZ_API_KEY=$$(pulumi stack output --stack $(STACK) --show-secrets apiKey) \
	  REZ_LOG_GROUP=$$(pulumi stack output --stack $(STACK) executionLogGroupName) \
	  REZ_AGENT_BIN=$(CURDIR)/target/release/rez-agent ../scripts/smoke.sh

# Follow one function's logs, e.g. make lambda-logs-processor STACK=prod
lambda-logs-%:
	@case " $(FUNCTIONS) " in *" $* "*) ;; *) echo "unknown function '$*': one of $(FUNCTIONS)"; exit 1;; esac
	aws logs tail /aws/lambda/rez-agent-$*-$(STACK) --follow --format short

clean:
	cargo clean
	rm -rf build infrastructure/node_modules infrastructure/.venv infrastructure/bin

# ---- Robustness and speed.
.PHONY: fuzz bench

# Fuzz the ASL engine (definition + input, JSONPath, intrinsics, JSONata), each target for a bounded time.
fuzz:
	./scripts/fuzz.sh

# The engine side by side with aws-local-stepfunctions (installs the peer from npm on first use), then
# end to end, the API, start-up and Lambda cold start against same-run references (bench/results/).
bench:
	./scripts/bench-states.sh
	./scripts/bench.sh

# The chaos test at full size: 10,000 messages through rez-agent up while ntfy fails at random and the
# process is SIGKILLed twice (the test command runs 1,000). REZ_CHAOS_SEED=<seed> repeats a run's ntfy answers.
.PHONY: chaos
chaos:
	REZ_CHAOS_MESSAGES=10000 cargo test -p rez-agent --locked --test e2e -- --nocapture chaos::
