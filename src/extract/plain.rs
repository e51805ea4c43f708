//! Plain text, CSV, Markdown and HTML: encoding detection (BOM, UTF-8, TCVN3, VNI, Windows-1258).

use super::{ExtractError, Extracted, legacy_vn};

/// Decodes a text file; `html` strips tags and decodes entities.
pub fn extract(bytes: &[u8], html: bool) -> Result<Extracted, ExtractError> {
    let (text, legacy) = decode(bytes);
    let text = if html { strip_html(&text) } else { text };
    let mut extracted = Extracted::single(text, if html { "html" } else { "text" });
    extracted.legacy_encoding = legacy;
    Ok(extracted)
}

/// Text of unknown encoding to Unicode: a BOM wins; valid UTF-8 is UTF-8; otherwise legacy
/// Vietnamese (TCVN3 raw bytes, or VNI through Windows-1252) when detected, else Windows-1258.
pub fn decode(bytes: &[u8]) -> (String, Option<legacy_vn::LegacyEncoding>) {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        return (encoding.decode_with_bom_removal(bytes).0.into_owned(), None);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), None);
    }
    let as_cp1252 = encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0;
    let (repaired, found) = legacy_vn::repair(&as_cp1252);
    if found.is_some() {
        return (repaired, found);
    }
    let as_cp1258 = encoding_rs::WINDOWS_1258
        .decode_without_bom_handling(bytes)
        .0;
    (as_cp1258.into_owned(), None)
}

/// The text of an HTML document: no tags, scripts or styles; entities decoded; block elements
/// end lines.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..start]));
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after[..end].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        rest = &after[end + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let closing = format!("</{name}");
            match rest.to_ascii_lowercase().find(&closing) {
                Some(position) => rest = &rest[position..],
                None => rest = "",
            }
            continue;
        }
        if matches!(
            name.as_str(),
            "p" | "br" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "title"
        ) {
            out.push('\n');
        } else if matches!(name.as_str(), "td" | "th") {
            out.push('\t');
        }
    }
    out.push_str(&decode_entities(rest));
    out
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find(';').filter(|end| *end <= 10);
        let decoded = end.and_then(|end| {
            let name = &after[..end];
            let character = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{00A0}'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            character.map(|character| (character, end))
        });
        match decoded {
            Some((character, end)) => {
                out.push(character);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1258_with_combining_tones_decodes() {
        // "Phiếu" in Windows-1258: ê (0xEA) followed by the combining acute (0xEC).
        let (text, legacy) = decode(b"Phi\xEA\xECu y\xEAu c\xE2\xD2u");
        assert_eq!(legacy, None);
        assert!(
            text.starts_with("Phie\u{0302}\u{0301}u") || text.starts_with("Phiê\u{0301}u"),
            "{text}"
        );
    }

    #[test]
    fn html_loses_tags_scripts_and_entities() {
        let text = strip_html(
            "<html><script>var x = '<p>';</script><h1>Quy tr&igrave;nh</h1><p>A &amp; B&#272;</p></html>",
        );
        assert!(text.contains("A & BĐ"), "{text}");
        assert!(!text.contains("var x"), "{text}");
    }
}
