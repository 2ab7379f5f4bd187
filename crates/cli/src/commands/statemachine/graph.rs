//! `rez-agent statemachine graph FILE [--format dot|svg] [--output PATH]`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rez_graph::StateGraph;

/// What `graph` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tpng` draws it).
    Dot,
    /// A standalone SVG, laid out without Graphviz.
    Svg,
}

/// Which definition to draw, how, and where to.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    /// The definition file (ASL JSON).
    pub file: PathBuf,
    /// The format; without one, SVG when `output` ends in `.svg`, else DOT.
    pub format: Option<GraphFormat>,
    /// Where to write; stdout when absent.
    pub output: Option<PathBuf>,
}

impl GraphRequest {
    /// The format asked for, or the one `output`'s extension names, or DOT.
    pub fn format(&self) -> GraphFormat {
        self.format.unwrap_or_else(|| {
            let svg = self
                .output
                .as_deref()
                .and_then(Path::extension)
                .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
            if svg {
                GraphFormat::Svg
            } else {
                GraphFormat::Dot
            }
        })
    }
}

/// Draws the definition and writes it to `request.output`, or to `out`.
///
/// # Errors
///
/// The file cannot be read or is not JSON (`FILE:LINE:COLUMN: …`), the
/// definition cannot be drawn (`FILE: /States/X/Next: …`), or the drawing
/// cannot be written.
pub fn graph(request: &GraphRequest, out: &mut dyn Write) -> anyhow::Result<()> {
    let name = request.file.display();
    let text =
        std::fs::read_to_string(&request.file).with_context(|| format!("cannot read {name}"))?;
    let definition: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{name}:{}:{}: not JSON: {e}", e.line(), e.column()))?;
    let graph = StateGraph::from_definition(&definition)
        .map_err(|e| anyhow::anyhow!("{name}: cannot draw it: {e}"))?;
    let drawn = match request.format() {
        GraphFormat::Dot => graph.to_dot(),
        GraphFormat::Svg => graph.to_svg(),
    };
    match &request.output {
        Some(path) => std::fs::write(path, drawn.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => out.write_all(drawn.as_bytes())?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(format: Option<GraphFormat>, output: Option<&str>) -> GraphRequest {
        GraphRequest {
            file: PathBuf::from("m.asl.json"),
            format,
            output: output.map(PathBuf::from),
        }
    }

    #[test]
    fn the_format_follows_the_flag_then_the_output_extension() {
        assert_eq!(request(None, None).format(), GraphFormat::Dot);
        assert_eq!(request(None, Some("g.SVG")).format(), GraphFormat::Svg);
        assert_eq!(request(None, Some("g.dot")).format(), GraphFormat::Dot);
        assert_eq!(
            request(Some(GraphFormat::Dot), Some("g.svg")).format(),
            GraphFormat::Dot
        );
    }
}
