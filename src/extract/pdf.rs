//! PDF text with lopdf, page by page; pages without a text layer are reported for OCR.

use lopdf::Document;

use super::{ExtractError, Extracted, Limits};

/// Pages with fewer visible characters than this are treated as scans.
const MIN_PAGE_CHARS: usize = 3;

pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    let doc = Document::load_mem(bytes).map_err(|error| match error {
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => ExtractError::Encrypted,
        other => ExtractError::Malformed(other.to_string()),
    })?;
    if doc.is_encrypted() && doc.encryption_state.is_none() {
        return Err(ExtractError::Encrypted);
    }
    let page_ids = doc.get_pages();
    let page_numbers: Vec<u32> = page_ids.keys().copied().collect();
    if page_numbers.is_empty() {
        return Err(ExtractError::Malformed("the PDF has no pages".into()));
    }
    let max_stream = usize::try_from(limits.max_decompressed_bytes).unwrap_or(usize::MAX);
    let mut pages = Vec::with_capacity(page_numbers.len());
    let mut pages_without_text = Vec::new();
    let mut warnings = Vec::new();
    let mut total = 0usize;
    for number in page_numbers {
        let text = match doc.extract_text_with_limit(&[number], max_stream) {
            Ok(text) => text,
            Err(error) => {
                warnings.push(format!("page {number}: {error}"));
                String::new()
            }
        };
        let text = tidy(&text);
        // A page without text is a scan only if it paints an image; a blank page (a separator,
        // the back of a sheet) has nothing for OCR to read.
        if text.chars().filter(|c| !c.is_whitespace()).count() < MIN_PAGE_CHARS
            && page_ids
                .get(&number)
                .is_none_or(|id| paints_images(&doc, *id, max_stream))
        {
            pages_without_text.push(number);
        }
        total += text.len();
        if total > limits.max_text_bytes {
            return Err(ExtractError::TooLarge(format!(
                "more than {} bytes of text",
                limits.max_text_bytes
            )));
        }
        pages.push(text);
    }
    Ok(Extracted {
        pages,
        method: "pdf",
        legacy_encoding: None,
        pages_without_text,
        warnings,
    })
}

/// Whether a page's content paints an image (an XObject with `Do`, or an inline image with
/// `BI`); a content stream that cannot be read counts as one, so OCR still gets its chance.
fn paints_images(doc: &Document, page: lopdf::ObjectId, max_stream: usize) -> bool {
    let Ok(bytes) = doc.get_page_content_with_limit(page, max_stream) else {
        return true;
    };
    match lopdf::content::Content::decode(&bytes) {
        Ok(content) => content
            .operations
            .iter()
            .any(|operation| matches!(operation.operator.as_str(), "Do" | "BI")),
        Err(_) => true,
    }
}

/// Trims trailing spaces of lines and collapses runs of blank lines.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_owned()
}
