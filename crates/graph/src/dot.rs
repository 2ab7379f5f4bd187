//! Graphviz DOT: one node per state, Parallel and Map states as clusters
//! holding a header node and one sub-cluster per branch.

use std::fmt::Write as _;

use crate::escape::dot;
use crate::model::{EdgeKind, Endpoint, Scope};

/// Renders the top-level `scope` as a `digraph`.
pub(crate) fn render(scope: &Scope) -> String {
    let mut out = String::from(
        "digraph \"state machine\" {\n  \
         graph [rankdir=TB, compound=true, fontname=\"Helvetica\", fontsize=10, nodesep=0.4, ranksep=0.45];\n  \
         node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n  \
         edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    if scope.terminals {
        out.push_str(
            "  \"start\" [label=\"Start\", shape=oval];\n  \"end\" [label=\"End\", shape=oval];\n",
        );
    }
    write_scope(&mut out, scope, "s", 1);
    out.push_str("}\n");
    out
}

/// The DOT id of the state at `index` in the scope whose ids start with `prefix`.
fn id(prefix: &str, index: usize) -> String {
    format!("{prefix}{index}")
}

fn write_scope(out: &mut String, scope: &Scope, prefix: &str, depth: usize) {
    let indent = "  ".repeat(depth);
    for (index, node) in scope.nodes.iter().enumerate() {
        let node_id = id(prefix, index);
        let retry = if node.retries.is_empty() { "" } else { " ↻" };
        let mut tooltip = format!("{} ({})", node.name, node.kind);
        if let Some(comment) = &node.comment {
            tooltip.push('\n');
            tooltip.push_str(comment);
        }
        for retrier in &node.retries {
            tooltip.push_str("\nRetry ");
            tooltip.push_str(retrier);
        }
        let attributes = format!(
            "label=\"{}\\n{}{retry}\", tooltip=\"{}\"{}",
            dot(&node.name),
            dot(&node.kind),
            dot(&tooltip),
            match node.kind.as_str() {
                "Choice" => ", shape=diamond, style=\"\"",
                "Succeed" | "Fail" => ", style=\"rounded,bold\"",
                _ => "",
            }
        );
        if node.branches.is_empty() {
            let _ = writeln!(out, "{indent}\"{node_id}\" [{attributes}];");
            continue;
        }
        let _ = writeln!(
            out,
            "{indent}subgraph \"cluster_{node_id}\" {{\n{indent}  label=\"\"; style=rounded;\n{indent}  \"{node_id}\" [{attributes}, style=\"rounded,bold\"];"
        );
        for (branch_index, branch) in node.branches.iter().enumerate() {
            let branch_prefix = format!("{node_id}_b{branch_index}_s");
            let _ = writeln!(
                out,
                "{indent}  subgraph \"cluster_{node_id}_b{branch_index}\" {{\n{indent}    label=\"{}\"; style=dashed;",
                dot(&branch.label)
            );
            write_scope(out, &branch.scope, &branch_prefix, depth + 2);
            let _ = writeln!(out, "{indent}  }}");
            let _ = writeln!(
                out,
                "{indent}  \"{node_id}\" -> \"{}\" [style=dotted, arrowhead=none];",
                id(&branch_prefix, branch.scope.start)
            );
        }
        let _ = writeln!(out, "{indent}}}");
    }

    for edge in &scope.edges {
        let endpoint = |endpoint: Endpoint| match endpoint {
            Endpoint::Start => "start".to_owned(),
            Endpoint::End => "end".to_owned(),
            Endpoint::State(index) => id(prefix, index),
        };
        let mut attributes = Vec::new();
        if let Some(label) = &edge.label {
            attributes.push(format!("label=\"{}\"", dot(label)));
        }
        if let Some(title) = &edge.title {
            attributes.push(format!("tooltip=\"{}\"", dot(title)));
        }
        if edge.kind == EdgeKind::Catch {
            attributes.push("style=dashed".to_owned());
        }
        // Edges into or out of a Parallel/Map end at its cluster's border.
        for (end, key) in [(edge.from, "ltail"), (edge.to, "lhead")] {
            if let Endpoint::State(index) = end
                && scope
                    .nodes
                    .get(index)
                    .is_some_and(|node| !node.branches.is_empty())
            {
                attributes.push(format!("{key}=\"cluster_{}\"", id(prefix, index)));
            }
        }
        let attributes = if attributes.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attributes.join(", "))
        };
        let _ = writeln!(
            out,
            "{indent}\"{}\" -> \"{}\"{attributes};",
            endpoint(edge.from),
            endpoint(edge.to)
        );
    }
}
