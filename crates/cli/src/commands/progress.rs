//! A one-line spinner on stderr for operations that take a while; silent
//! when stderr is not a terminal, so logs and pipes stay clean.

use std::io::{IsTerminal, Write};
use std::time::Instant;

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// A spinner with a status text and the time elapsed.
#[derive(Debug)]
pub(crate) struct Progress {
    enabled: bool,
    started: Instant,
    frame: usize,
}

impl Progress {
    /// A spinner that draws only when stderr is a terminal.
    pub(crate) fn on_stderr() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            frame: 0,
        }
    }

    /// Redraws the line with `text`.
    pub(crate) fn update(&mut self, text: &str) {
        if !self.enabled {
            return;
        }
        let frame = FRAMES[self.frame % FRAMES.len()];
        self.frame += 1;
        let seconds = self.started.elapsed().as_secs_f64();
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{frame} {text} ({seconds:.1} s)\x1b[K");
        let _ = err.flush();
    }

    /// Clears the line.
    pub(crate) fn finish(&mut self) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
        self.enabled = false;
    }
}
