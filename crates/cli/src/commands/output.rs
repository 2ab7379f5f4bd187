//! How API commands print: aligned tables and `label  value` blocks for
//! people, the API's JSON for scripts (`--json`).

use std::io::{self, Write};

/// How a command prints what it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct View {
    /// Print the API's JSON instead of tables.
    pub json: bool,
    /// Bold table headers: only when stdout is a terminal and `NO_COLOR` is unset.
    pub styled: bool,
}

impl View {
    /// The view for stdout as it is now: styled only on a terminal without `NO_COLOR`.
    pub fn detect(json: bool) -> Self {
        use std::io::IsTerminal;
        let styled = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Self { json, styled }
    }
}

/// Writes `value` as pretty JSON and a newline.
pub(crate) fn write_json(out: &mut dyn Write, value: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// Rows under headers, each column as wide as its widest cell.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column headers.
    pub(crate) fn new(headers: &[&'static str]) -> Self {
        Self {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; each cell is flattened to one line, and an empty cell shows `-`.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        let cells = cells
            .into_iter()
            .map(|cell| {
                let flat = cell.split_whitespace().collect::<Vec<_>>().join(" ");
                if flat.is_empty() {
                    "-".to_owned()
                } else {
                    flat
                }
            })
            .collect();
        self.rows.push(cells);
    }

    /// Whether no row was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes the table as [`Table::write`] does, or `no <things>` when it
    /// has no row, then `next page: --cursor …` when another page follows.
    pub(crate) fn write_page(
        &self,
        out: &mut dyn Write,
        styled: bool,
        things: &str,
        next_cursor: Option<&str>,
    ) -> io::Result<()> {
        if self.is_empty() {
            writeln!(out, "no {things}")?;
        } else {
            self.write(out, styled)?;
        }
        if let Some(cursor) = next_cursor {
            writeln!(out, "next page: --cursor {cursor}")?;
        }
        Ok(())
    }

    /// Writes the headers (bold when `styled`) and the rows, columns two
    /// spaces apart, with no trailing spaces.
    pub(crate) fn write(&self, out: &mut dyn Write, styled: bool) -> io::Result<()> {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(width(cell));
            }
        }
        let headers: Vec<String> = self.headers.iter().map(|h| (*h).to_owned()).collect();
        write_line(out, &headers, &widths, styled)?;
        for row in &self.rows {
            write_line(out, row, &widths, false)?;
        }
        Ok(())
    }
}

fn write_line(
    out: &mut dyn Write,
    cells: &[String],
    widths: &[usize],
    bold: bool,
) -> io::Result<()> {
    let mut line = String::new();
    let last = widths.len().saturating_sub(1);
    for (i, w) in widths.iter().enumerate() {
        let cell = cells.get(i).map_or("", String::as_str);
        if bold {
            line.push_str("\x1b[1m");
            line.push_str(cell);
            line.push_str("\x1b[0m");
        } else {
            line.push_str(cell);
        }
        if i < last {
            line.push_str(&" ".repeat(w.saturating_sub(width(cell)) + 2));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// Characters shown (close enough for ids, words and most titles).
fn width(text: &str) -> usize {
    text.chars().count()
}

/// Writes `label  value` lines, labels padded to the longest; `None` values
/// are left out and values are flattened to one line.
pub(crate) fn write_fields(
    out: &mut dyn Write,
    fields: &[(&str, Option<String>)],
) -> io::Result<()> {
    let label_width = fields
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(l, _)| width(l))
        .max()
        .unwrap_or(0);
    for (label, value) in fields {
        if let Some(value) = value {
            let flat = value.split_whitespace().collect::<Vec<_>>().join(" ");
            writeln!(out, "{label:<label_width$}  {flat}")?;
        }
    }
    Ok(())
}

/// A timestamp as `2026-11-30 12:00:00.123` (UTC), or the text as it came.
pub(crate) fn short_time(text: &str) -> String {
    match rez_core::time::parse(text) {
        Ok(at) => at.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
        Err(_) => text.to_owned(),
    }
}

/// `Some(text)` unless it is empty.
pub(crate) fn non_empty(text: impl Into<String>) -> Option<String> {
    let text = text.into();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_lines_have_no_trailing_space() {
        let mut table = Table::new(&["ID", "STATUS", "TITLE"]);
        table.row(vec!["a".into(), "completed".into(), String::new()]);
        table.row(vec!["long-id".into(), "ok".into(), "two\nlines".into()]);
        let mut out = Vec::new();
        table.write(&mut out, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ID       STATUS     TITLE\n\
             a        completed  -\n\
             long-id  ok         two lines\n"
        );
    }

    #[test]
    fn fields_skip_missing_values() {
        let mut out = Vec::new();
        write_fields(
            &mut out,
            &[
                ("id", Some("x".into())),
                ("error", None),
                ("status", Some("ok".into())),
            ],
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "id      x\nstatus  ok\n");
    }

    #[test]
    fn timestamps_are_shortened() {
        assert_eq!(
            short_time("2026-11-30T12:00:01.123456Z"),
            "2026-11-30 12:00:01.123"
        );
        assert_eq!(short_time("soon"), "soon");
    }
}
