//! The HTTP API: one axum Router served by Lambda and by rez-agent up.
