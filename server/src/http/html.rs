//! Escaping for the few HTML pages the server writes by hand (form_post
//! responses, the logout confirmation): every interpolated value goes
//! through `escape`, for text and for double-quoted attribute values alike.

/// `&`, `"`, `<`, `>` as entities.
pub fn escape(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_quotes_are_neutralised() {
        assert_eq!(super::escape(r#""><script>&"#), "&quot;&gt;&lt;script&gt;&amp;");
        assert_eq!(super::escape("plain"), "plain");
    }
}
