//! Logging for the local process: human-readable, filtered per crate.

use tracing_subscriber::EnvFilter;

/// The filter when `RUST_LOG` is not set: our crates at info, the rest at
/// warn, and the webapi's line per accepted message
/// ([`rez_webapi::ACCEPTED_LOG_TARGET`]) off.
pub const DEFAULT_FILTER: &str = "warn,rez_local=info,rez_webapi=info,rez_webapi::accepted=warn,rez_processor=info,rez_scheduler=info,rez_send_notification=info,rez_load_message=info,rez_record_status=info,rez_states=info,rez_ntfy=info";

/// Installs the global subscriber (stderr, `RUST_LOG` or [`DEFAULT_FILTER`]).
pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use tracing::Level;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[test]
    fn the_default_filter_keeps_the_webapis_lines_but_not_one_per_accepted_message() {
        let subscriber = tracing_subscriber::registry().with(EnvFilter::new(DEFAULT_FILTER));
        tracing::subscriber::with_default(subscriber, || {
            assert!(tracing::enabled!(target: "rez_webapi::layers", Level::INFO));
            assert!(!tracing::enabled!(target: rez_webapi::ACCEPTED_LOG_TARGET, Level::INFO));
            assert!(tracing::enabled!(target: rez_webapi::ACCEPTED_LOG_TARGET, Level::WARN));
        });
    }
}
