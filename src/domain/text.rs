//! Input text rules shared by the domain: trimming, NFC, lengths, codes, diacritic folding.

use unicode_normalization::UnicodeNormalization;

use super::{DomainError, DomainResult};

use crate::i18n::Message;

/// Trims, normalises to NFC and checks a required text's length in characters.
pub fn required(field: &str, value: &str, max_chars: usize) -> DomainResult<String> {
    let value: String = value.trim().nfc().collect();
    if value.is_empty() {
        return Err(DomainError::invalid(
            field,
            Message::new("must_not_be_empty"),
        ));
    }
    if value.chars().count() > max_chars {
        return Err(DomainError::invalid(
            field,
            Message::new("too_long").arg("max", max_chars),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            Message::new("control_characters"),
        ));
    }
    Ok(value)
}

/// Like [`required`], but empty means `None`.
pub fn optional(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required(field, text, max_chars).map(Some),
    }
}

/// An identifier such as an agency code or a username: ASCII letters, digits, `.`, `_`, `-`.
pub fn identifier(field: &str, value: &str, max_chars: usize) -> DomainResult<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > max_chars {
        return Err(DomainError::invalid(
            field,
            Message::new("code_length").arg("max", max_chars),
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(DomainError::invalid(field, Message::new("code_characters")));
    }
    Ok(value.to_owned())
}

/// Vietnamese written without its marks, as people type it without a Vietnamese keyboard:
/// combining marks removed after NFD, `đ`→`d`, `Đ`→`D`; everything else kept.
pub fn fold_diacritics(text: &str) -> String {
    text.replace('đ', "d")
        .replace('Đ', "D")
        .nfd()
        .filter(|character| !unicode_normalization::char::is_combining_mark(*character))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_vietnamese_is_stored_precomposed() {
        let decomposed = "So\u{302}\u{301} Khoa ho\u{323}c";
        assert_eq!(
            required("name", decomposed, 50).ok().as_deref(),
            Some("Số Khoa học")
        );
    }

    #[test]
    fn identifiers_refuse_spaces_and_slashes() {
        assert!(identifier("code", "SO KHCN", 64).is_err());
        assert!(identifier("code", "a/b", 64).is_err());
        assert!(identifier("code", "UBND-XA.01", 64).is_ok());
    }

    #[test]
    fn vietnamese_folds_to_what_people_type_without_marks() {
        assert_eq!(fold_diacritics("Đánh giá nội bộ"), "Danh gia noi bo");
        assert_eq!(fold_diacritics("19/2014/QĐ-TTg"), "19/2014/QD-TTg");
        assert_eq!(fold_diacritics("QT-01 plain"), "QT-01 plain");
    }
}
