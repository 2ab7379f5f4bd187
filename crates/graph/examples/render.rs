//! Draws a definition: `cargo run -p rez-graph --example render -- FILE [svg|dot]`.

use std::io::Write as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: render FILE [svg|dot]")?;
    let format = args.next().unwrap_or_else(|| "svg".to_owned());
    let definition: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let graph = rez_graph::StateGraph::from_definition(&definition)?;
    let text = if format == "dot" {
        graph.to_dot()
    } else {
        graph.to_svg()
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(())
}
