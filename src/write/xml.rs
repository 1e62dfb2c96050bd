//! Markup text for the TMX, XLIFF and HTML writers: characters XML 1.0 forbids are
//! dropped, the rest escaped, so any article text gives a well-formed file (and, in HTML,
//! text that cannot open a tag or an entity).

/// Escapes text for element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// XML 1.0's Char production: tab, line feed, carriage return, and everything from U+0020
/// except U+FFFE and U+FFFF (Rust `char`s are never surrogates).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_strips() {
        assert_eq!(
            escape("a<b & \"c\" 'd'\u{0}\u{1b}\u{FFFF}é"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;é"
        );
    }
}
