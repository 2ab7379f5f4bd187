//! The names of the request headers the API reads beyond HTTP's own, shared
//! by the extractor that reads them and the CORS layer that allows them.

/// The name of the header that makes `POST /api/messages` idempotent.
pub(crate) const IDEMPOTENCY_KEY: &str = "idempotency-key";
