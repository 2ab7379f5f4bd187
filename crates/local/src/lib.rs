//! The embedded rez-agent stack and CLI: SQLite store, durable queue, local engine, scheduler, API.
