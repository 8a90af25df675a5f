//! Field-level validation errors: what the UI shows beside each input (in
//! the person's language) and the management API returns as
//! `400 {"fields": {field: [messages]}}` (in English).

use std::collections::BTreeMap;
use std::fmt;

/// A message in English and in German. Made with [`msg!`](crate::msg);
/// plain text converts to a message that says the same in both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    en: String,
    de: String,
}

impl Message {
    pub fn new(en: impl Into<String>, de: impl Into<String>) -> Self {
        Self { en: en.into(), de: de.into() }
    }

    pub fn en(&self) -> &str {
        &self.en
    }

    pub fn de(&self) -> &str {
        &self.de
    }

    /// The message for a language tag (`de`, `en`); English unless German.
    pub fn in_language(&self, language: &str) -> &str {
        if language == "de" { &self.de } else { &self.en }
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Self { de: text.clone(), en: text }
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Self::from(text.to_string())
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// `msg!("enter {max} characters", "höchstens {max} Zeichen")`: a
/// [`Message`] from two format strings, which may name variables in scope.
#[macro_export]
macro_rules! msg {
    ($en:literal, $de:literal $(,)?) => {
        $crate::validation::Message::new(format!($en), format!($de))
    };
}

/// Messages per field, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, Vec<Message>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<Message>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The field's messages in English (the API's language).
    pub fn get(&self, field: &str) -> Vec<&str> {
        self.messages(field).iter().map(Message::en).collect()
    }

    /// The field's messages in both languages.
    pub fn messages(&self, field: &str) -> &[Message] {
        self.0.get(field).map(Vec::as_slice).unwrap_or_default()
    }

    /// Adds every message of `other`.
    pub fn extend(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            self.0.entry(field).or_default().extend(messages);
        }
    }

    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// `Ok(value)` when nothing was found, else the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (field, messages) in &self.0 {
            for message in messages {
                if !first {
                    f.write_str("; ")?;
                }
                write!(f, "{field}: {message}")?;
                first = false;
            }
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}
