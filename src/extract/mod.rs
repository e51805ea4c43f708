//! Text extraction: pure, synchronous functions from a file's bytes to NFC text with page
//! boundaries, run on blocking threads with a time limit and an output cap.
//!
//! Formats: PDF (lopdf), DOCX/PPTX/ODT (zip + XML), XLS/XLSX/ODS (calamine), legacy DOC (the
//! compound file's piece table), plain text, CSV, Markdown and HTML with encoding detection, and
//! TCVN3/VNI mojibake repaired per run of text. Images and pages without a text layer are left
//! to OCR (`ocr`).

mod doc;
pub mod legacy_vn;
pub mod ocr;
mod office;
mod pdf;
mod plain;
pub(crate) mod spreadsheet;

use std::time::Duration;

use unicode_normalization::UnicodeNormalization;

pub use legacy_vn::LegacyEncoding;

/// Caps that keep a hostile file from exhausting time or memory.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock time for one file.
    pub timeout: Duration,
    /// Largest amount of text kept (UTF-8 bytes); more fails the extraction.
    pub max_text_bytes: usize,
    /// Most entries a zip-based file may have.
    pub max_zip_entries: usize,
    /// Largest decompressed size of the parts read from a zip-based file.
    pub max_decompressed_bytes: u64,
    /// Deepest XML nesting accepted.
    pub max_xml_depth: usize,
    /// Largest file read into memory to extract its text; a larger one fails its extraction
    /// (it stays downloadable).
    pub max_input_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(120),
            max_text_bytes: 20 * 1024 * 1024,
            max_zip_entries: 10_000,
            max_decompressed_bytes: 512 * 1024 * 1024,
            max_xml_depth: 256,
            max_input_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Text taken out of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The text of each page (one entry for formats without pages), NFC.
    pub pages: Vec<String>,
    /// How it was read: `pdf`, `docx`, `doc`, `xlsx`, `text`, `ocr`…
    pub method: &'static str,
    /// The legacy encoding met and converted, if any.
    pub legacy_encoding: Option<LegacyEncoding>,
    /// 1-based numbers of pages that have no text layer (scans, for OCR).
    pub pages_without_text: Vec<u32>,
    pub warnings: Vec<String>,
}

impl Extracted {
    /// All pages, separated by form feeds.
    pub fn text(&self) -> String {
        self.pages.join("\u{000C}")
    }

    fn single(text: String, method: &'static str) -> Self {
        Self {
            pages: vec![text],
            method,
            legacy_encoding: None,
            pages_without_text: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Why a file yielded no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("{0} files have no text to extract here")]
    Unsupported(String),
    #[error("the file is damaged or not what its type says: {0}")]
    Malformed(String),
    #[error("the file is encrypted or password-protected")]
    Encrypted,
    #[error("the file exceeds a safety limit: {0}")]
    TooLarge(String),
    #[error("extraction took longer than {0} seconds")]
    TimedOut(u64),
    #[error("the extractor failed unexpectedly on this file")]
    Crashed,
    /// An image: only OCR can read it.
    #[error("the file is an image; it needs OCR")]
    NeedsOcr,
}

/// Extracts text from `bytes` of the given content type (as detected at upload).
pub fn extract(
    bytes: &[u8],
    content_type: &str,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    let mut extracted = match content_type {
        "application/pdf" => pdf::extract(bytes, limits)?,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            office::docx(bytes, limits)?
        }
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
            office::pptx(bytes, limits)?
        }
        "application/vnd.oasis.opendocument.text" => office::odt(bytes, limits)?,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.ms-excel"
        | "application/vnd.oasis.opendocument.spreadsheet" => {
            spreadsheet::extract(bytes, content_type, limits)?
        }
        "application/msword" => doc::extract(bytes, limits)?,
        "text/plain" | "text/csv" | "text/markdown" => plain::extract(bytes, false)?,
        "text/html" => plain::extract(bytes, true)?,
        "image/png" | "image/jpeg" | "image/tiff" => return Err(ExtractError::NeedsOcr),
        other => return Err(ExtractError::Unsupported(other.to_owned())),
    };
    finish(&mut extracted, limits)?;
    Ok(extracted)
}

/// NFC, legacy-encoding repair of runs not already handled, and the output cap.
fn finish(extracted: &mut Extracted, limits: &Limits) -> Result<(), ExtractError> {
    let mut total = 0usize;
    for page in &mut extracted.pages {
        let (repaired, found) = legacy_vn::repair(page);
        if extracted.legacy_encoding.is_none() {
            extracted.legacy_encoding = found;
        }
        *page = repaired.nfc().collect();
        total += page.len();
        if total > limits.max_text_bytes {
            return Err(ExtractError::TooLarge(format!(
                "more than {} bytes of text",
                limits.max_text_bytes
            )));
        }
    }
    Ok(())
}

/// Runs [`extract`] on a blocking thread with the time limit; a panicking parser becomes
/// [`ExtractError::Crashed`].
pub async fn extract_async(
    bytes: Vec<u8>,
    content_type: String,
    limits: Limits,
) -> Result<Extracted, ExtractError> {
    let timeout = limits.timeout;
    let task = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(|| extract(&bytes, &content_type, &limits))
            .unwrap_or(Err(ExtractError::Crashed))
    });
    match tokio::time::timeout(timeout, task).await {
        Err(_) => Err(ExtractError::TimedOut(timeout.as_secs())),
        Ok(Err(_)) => Err(ExtractError::Crashed),
        Ok(Ok(result)) => result,
    }
}
