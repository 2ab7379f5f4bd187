# rez-agent: the two commands of the README, and the rest.
.PHONY: up test build fmt lint

# Run the whole pipeline on this machine (API, scheduler, queue, state machine, store, console).
up:
	cargo run --release -p rez-local --bin rez-agent -- up

# Run every test (formatting, lints, unit, conformance, end-to-end).
test:
	./scripts/test.sh

# Build rez-agent, and the six Lambda packages build/<function>.zip (ARCH=arm64 for Graviton).
build:
	cargo build --release -p rez-local --bin rez-agent
	./scripts/build-lambdas.sh

fmt:
	cargo fmt --all

lint:
	cargo clippy --workspace --all-targets -- -D warnings
