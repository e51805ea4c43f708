//! Messages in the user's language: a stable code with its arguments, rendered from Fluent
//! catalogues (`locales/vi`, `locales/en`) compiled into the binary.
//!
//! The domain says *what* happened as a [`Message`]; the edge that answers a person renders it in
//! their language, so the API, the web UI and the CLI share one wording per language.

mod format;

use std::{borrow::Cow, collections::HashMap, fmt};

use fluent_templates::{LanguageIdentifier, Loader, fluent_bundle::FluentValue};
use serde::Serialize;

fluent_templates::static_loader! {
    static CATALOGUES = {
        locales: "./src/i18n/locales",
        fallback_language: "en",
        // Arguments are plain text in plain sentences: no Unicode isolation marks around them.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language hoso speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese, the language of the people who use hoso.
    Vi,
    /// English, the API's default and the language of logs.
    #[default]
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    /// The language an `Accept-Language` header prefers among ours, or `None` when it names
    /// neither (the caller then picks its own default).
    pub fn from_accept_language(header: &str) -> Option<Self> {
        // `parse` returns the tags in order of preference (by q-value).
        fluent_langneg::accepted_languages::parse(header)
            .iter()
            .find_map(|tag| match tag.language.as_str() {
                "vi" => Some(Self::Vi),
                "en" => Some(Self::En),
                _ => None,
            })
    }

    /// The other language, for a page's language switch.
    pub fn other(self) -> Self {
        match self {
            Self::Vi => Self::En,
            Self::En => Self::Vi,
        }
    }

    /// `vi` or `en`; anything else is `None`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        match tag {
            "vi" => Some(Self::Vi),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// A catalogue's text with no arguments: a label, a heading, a button.
    pub fn text(self, key: &'static str) -> String {
        Message::new(key).render(self)
    }

    fn identifier(self) -> LanguageIdentifier {
        // Both tags are well-formed; the default ("und") falls back to English.
        self.tag().parse().unwrap_or_default()
    }
}

/// A value that fills a message's placeholder.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Arg {
    Text(String),
    Number(i64),
    /// A message rendered in the same language, such as the reason beside a field's name.
    Message(Box<Message>),
}

impl From<Message> for Arg {
    fn from(value: Message) -> Self {
        Self::Message(Box::new(value))
    }
}

/// Points and other decimals: `8`, `8.5`, `-0.25`.
impl From<f64> for Arg {
    fn from(value: f64) -> Self {
        let rounded = (value * 1000.0).round() / 1000.0;
        Self::Text(format!("{rounded}"))
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Self::Number(value)
    }
}

impl From<u64> for Arg {
    fn from(value: u64) -> Self {
        Self::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    fn from(value: usize) -> Self {
        Self::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<i32> for Arg {
    fn from(value: i32) -> Self {
        Self::Number(value.into())
    }
}

impl From<chrono::NaiveDate> for Arg {
    fn from(value: chrono::NaiveDate) -> Self {
        Self::Text(value.to_string())
    }
}

/// What a person is told: a stable snake_case code (the catalogue's message id) and the named
/// facts that fill its sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    code: &'static str,
    args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(code: &'static str) -> Self {
        Self {
            code,
            args: Vec::new(),
        }
    }

    /// Adds the value of the placeholder `{ $name }`.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The arguments as a JSON object, for programs that render their own text.
    pub fn args_json(&self) -> serde_json::Value {
        self.args
            .iter()
            .map(|(name, value)| {
                let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
                ((*name).to_owned(), value)
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    }

    /// The sentence in `lang`. A code missing from the catalogues renders as itself with its
    /// arguments, never as nothing (a test keeps every code in both catalogues).
    pub fn render(&self, lang: Lang) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = self
            .args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(text) => FluentValue::from(text.as_str()),
                    Arg::Number(number) => FluentValue::from(*number),
                    Arg::Message(message) => FluentValue::from(message.render(lang)),
                };
                (Cow::Borrowed(*name), value)
            })
            .collect();
        CATALOGUES
            .try_lookup_with_args(&lang.identifier(), self.code, &args)
            .unwrap_or_else(|| self.fallback_text(lang))
    }

    fn fallback_text(&self, lang: Lang) -> String {
        let mut text = self.code.to_owned();
        for (name, value) in &self.args {
            let value = match value {
                Arg::Text(text) => text.clone(),
                Arg::Number(number) => number.to_string(),
                Arg::Message(message) => message.render(lang),
            };
            text.push_str(&format!(" {name}={value}"));
        }
        text
    }
}

/// `{"code": …, "args": {…}}`, for programs that render their own text.
impl Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("Message", 2)?;
        state.serialize_field("code", self.code)?;
        state.serialize_field("args", &self.args_json())?;
        state.end()
    }
}

/// English, for logs and the command line.
impl fmt::Display for Message {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.render(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use std::{collections::BTreeSet, path::Path};

    use super::*;

    fn catalogue_ids(lang: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/i18n/locales")
            .join(lang);
        let mut ids = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                let Some((id, _)) = line.split_once(" =") else {
                    continue;
                };
                if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    ids.insert(id.to_owned());
                }
            }
        }
        ids
    }

    /// Every code the source builds a message from, read from `Message::new("…")` calls.
    fn codes_in_source() -> BTreeSet<String> {
        fn walk(dir: &Path, codes: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.ends_with("i18n") {
                    // This module's own tests build messages that must not exist.
                    continue;
                }
                if path.is_dir() {
                    walk(&path, codes);
                } else if path
                    .extension()
                    .is_some_and(|ext| ext == "rs" || ext == "html")
                {
                    // Messages in code, texts of pages in code and in templates (`t.get("…")`).
                    let text = std::fs::read_to_string(&path).unwrap();
                    for call in ["Message::new(", ".text(", "t.get("] {
                        for piece in text.split(call).skip(1) {
                            let piece = piece.trim_start();
                            if let Some(rest) = piece.strip_prefix('"')
                                && let Some((code, _)) = rest.split_once('"')
                                && code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                            {
                                codes.insert(code.to_owned());
                            }
                        }
                    }
                }
            }
        }
        let mut codes = BTreeSet::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut codes,
        );
        codes
    }

    #[test]
    /// Every message and every text of a page (templates included) in Vietnamese and English:
    /// a key in one language only fails here.
    fn every_message_the_code_uses_is_in_both_catalogues() {
        let codes = codes_in_source();
        assert!(codes.len() > 40, "found only {} codes", codes.len());
        for lang in ["en", "vi"] {
            let ids = catalogue_ids(lang);
            let missing: Vec<_> = codes.difference(&ids).collect();
            assert!(missing.is_empty(), "missing from {lang}: {missing:?}");
        }
    }

    #[test]
    fn both_catalogues_hold_the_same_messages() {
        assert_eq!(catalogue_ids("en"), catalogue_ids("vi"));
    }

    #[test]
    fn a_message_renders_its_arguments_in_each_language() {
        let message = Message::new("too_long").arg("max", 200);
        assert_eq!(message.render(Lang::En), "must be at most 200 characters");
        assert_eq!(message.render(Lang::Vi), "dài tối đa 200 ký tự");
        assert_eq!(message.args_json(), serde_json::json!({"max": 200}));
    }

    #[test]
    fn an_unknown_code_renders_as_itself() {
        let message = Message::new("no_such_code").arg("x", "y");
        assert_eq!(message.render(Lang::Vi), "no_such_code x=y");
    }

    #[test]
    fn accept_language_picks_the_preferred_language_we_speak() {
        assert_eq!(
            Lang::from_accept_language("vi-VN,vi;q=0.9,en;q=0.8"),
            Some(Lang::Vi)
        );
        assert_eq!(
            Lang::from_accept_language("fr,en;q=0.5,vi;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("fr-FR"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }
}
