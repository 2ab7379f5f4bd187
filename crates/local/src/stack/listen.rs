//! Where a served stack meets the machine: the listener, the API key and
//! the signals that stop it. `up` and `stepfunctions` start the same way.

use anyhow::Context;

/// Binds `listen`.
///
/// # Errors
/// The address cannot be bound.
pub async fn bind(listen: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))
}

/// The API key `--api-key` gives, checked.
///
/// # Errors
/// The key is too short or not printable.
pub fn api_key(key: Option<&str>) -> anyhow::Result<Option<rez_webapi::ApiKey>> {
    key.map(|k| rez_webapi::ApiKey::new(k.to_owned()))
        .transpose()
        .context("--api-key")
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
