//! Escaping text for XML (SVG) and for DOT quoted strings.

/// Escapes `&`, `<`, `>`, `"` and `'` so `text` is safe in element content
/// and in attribute values; other control characters become spaces.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes `text` for the inside of a DOT `"…"` string: quotes and
/// backslashes are escaped, newlines become `\n`.
pub(crate) fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_special_characters_are_escaped() {
        assert_eq!(
            xml(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;"
        );
        assert_eq!(xml("bell\u{7}"), "bell ");
    }

    #[test]
    fn dot_strings_are_escaped() {
        assert_eq!(dot("say \"hi\"\\\nnow"), "say \\\"hi\\\"\\\\\\nnow");
    }
}
