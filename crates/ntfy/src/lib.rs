//! The ntfy publishing client and the classification of its failures.
