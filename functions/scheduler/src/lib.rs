//! The scheduler function: create the scheduled message for one fire time.
