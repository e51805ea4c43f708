//! PDFs of word-processor files (DOCX, DOC, ODT) made by LibreOffice headless
//! (`soffice --headless --convert-to pdf`), run as a child process with a time limit, its own
//! throw-away profile (so conversions side by side never share one) and a cap on what it reads
//! and writes. Vietnamese renders when the machine has fonts that carry it: Debian's
//! `fonts-liberation2` stands in for Times New Roman and Arial, `fonts-dejavu-core` for the rest.

use std::{path::Path, process::Stdio, time::Duration};

use tokio::process::Command;

/// How LibreOffice is run.
#[derive(Debug, Clone)]
pub struct RenderSettings {
    /// The `soffice` command.
    pub soffice: String,
    pub timeout: Duration,
    /// The largest file converted, and the largest PDF kept.
    pub max_bytes: u64,
}

/// Content types LibreOffice Writer turns into a PDF, with the extension it recognises them by.
const CONVERTIBLE: &[(&str, &str)] = &[
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    ("application/msword", "doc"),
    ("application/vnd.oasis.opendocument.text", "odt"),
];

/// The extension LibreOffice knows a convertible file by, or `None` when it makes no PDF of it.
pub fn extension_of(content_type: &str) -> Option<&'static str> {
    CONVERTIBLE
        .iter()
        .find(|(known, _)| *known == content_type)
        .map(|(_, extension)| *extension)
}

/// Whether a file of this type gets a PDF rendition.
pub fn is_convertible(content_type: &str) -> bool {
    extension_of(content_type).is_some()
}

/// Why no PDF came out.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// LibreOffice is not installed (or not at the configured command).
    #[error("LibreOffice is not installed: {0}")]
    Unavailable(String),
    /// The file could not be converted (damaged, protected, too big, too slow).
    #[error("{0}")]
    Failed(String),
    /// The machine failed (temporary folder, disk): worth another try.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Whether `soffice` answers at all.
pub async fn available(settings: &RenderSettings) -> bool {
    Command::new(&settings.soffice)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .status()
        .await
        .is_ok_and(|status| status.success())
}

/// Converts the word-processor bytes in `source` (of `content_type`) to PDF, working in `dir`
/// (a fresh temporary folder the caller removes). Returns the PDF's bytes.
pub async fn to_pdf(
    settings: &RenderSettings,
    source: &Path,
    content_type: &str,
    dir: &Path,
) -> Result<Vec<u8>, RenderError> {
    let extension = extension_of(content_type)
        .ok_or_else(|| RenderError::Failed(format!("{content_type} is not a text document")))?;
    let size = tokio::fs::metadata(source).await?.len();
    if size > settings.max_bytes {
        return Err(RenderError::Failed(format!(
            "the file ({size} bytes) is larger than the {} bytes converted",
            settings.max_bytes
        )));
    }
    // LibreOffice picks its import filter by the name's extension.
    let input = dir.join(format!("source.{extension}"));
    tokio::fs::copy(source, &input).await?;
    let profile = dir.join("profile");
    let out = dir.join("out");
    tokio::fs::create_dir_all(&out).await?;
    let mut command = Command::new(&settings.soffice);
    command
        .args(["--headless", "--norestore", "--nolockcheck", "--nodefault"])
        .arg(format!("-env:UserInstallation={}", file_url(&profile)))
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(&input)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            RenderError::Unavailable(format!("{}: {error}", settings.soffice))
        }
        _ => RenderError::Io(error),
    })?;
    let output = match tokio::time::timeout(settings.timeout, child.wait_with_output()).await {
        Err(_) => {
            return Err(RenderError::Failed(format!(
                "LibreOffice took longer than {} seconds",
                settings.timeout.as_secs()
            )));
        }
        Ok(output) => output?,
    };
    let pdf = out.join("source.pdf");
    let made = tokio::fs::metadata(&pdf).await.ok();
    match made {
        Some(meta) if meta.len() > settings.max_bytes => Err(RenderError::Failed(format!(
            "the PDF ({} bytes) is larger than the {} bytes kept",
            meta.len(),
            settings.max_bytes
        ))),
        Some(_) => {
            let bytes = tokio::fs::read(&pdf).await?;
            if bytes.starts_with(b"%PDF-") {
                Ok(bytes)
            } else {
                Err(RenderError::Failed("LibreOffice wrote no PDF".to_owned()))
            }
        }
        // soffice answers 0 even when it could not read the file: no PDF is the failure.
        None => {
            let said: String = String::from_utf8_lossy(&output.stderr)
                .lines()
                .filter(|line| !line.contains("javaldx"))
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(300)
                .collect();
            Err(RenderError::Failed(if said.trim().is_empty() {
                "LibreOffice could not read the file".to_owned()
            } else {
                format!("LibreOffice could not read the file: {}", said.trim())
            }))
        }
    }
}

/// A `file://` URL of an absolute path, as LibreOffice's `-env:` options want it.
fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut url = String::from("file://");
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(char::from(byte));
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_processor_files_are_convertible_and_others_are_not() {
        assert_eq!(extension_of("application/msword"), Some("doc"));
        assert!(is_convertible(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ));
        assert!(is_convertible("application/vnd.oasis.opendocument.text"));
        assert!(!is_convertible("application/pdf"));
        assert!(!is_convertible("image/png"));
    }

    #[test]
    fn profile_paths_become_escaped_file_urls() {
        assert_eq!(
            file_url(Path::new("/tmp/hồ sơ/profile")),
            "file:///tmp/h%E1%BB%93%20s%C6%A1/profile"
        );
    }
}
