//! OCR with Tesseract (`vie+eng` by default) for images and scanned PDF pages; PDF pages are
//! rendered with `pdftoppm` (poppler-utils). Both run as child processes with a time limit.

use std::{path::Path, process::Stdio, time::Duration};

use tokio::process::Command;

/// How to run OCR.
#[derive(Debug, Clone)]
pub struct OcrSettings {
    pub tesseract: String,
    pub languages: String,
    pub pdftoppm: String,
    pub timeout: Duration,
}

/// Whether Tesseract is installed with every language asked for.
pub async fn available(settings: &OcrSettings) -> bool {
    let Ok(output) = Command::new(&settings.tesseract)
        .arg("--list-langs")
        .stdin(Stdio::null())
        .output()
        .await
    else {
        return false;
    };
    let listed = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let installed: Vec<&str> = listed.lines().map(str::trim).collect();
    settings
        .languages
        .split('+')
        .all(|language| installed.contains(&language))
}

async fn run(mut command: Command, timeout: Duration) -> Result<Vec<u8>, String> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command
        .spawn()
        .map_err(|error| format!("cannot start: {error}"))?;
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Err(_) => Err(format!("took longer than {} seconds", timeout.as_secs())),
        Ok(Err(error)) => Err(error.to_string()),
        Ok(Ok(output)) if output.status.success() => Ok(output.stdout),
        Ok(Ok(output)) => Err(String::from_utf8_lossy(&output.stderr)
            .trim()
            .chars()
            .take(300)
            .collect()),
    }
}

/// Recognises the text of one image file.
pub async fn image_text(settings: &OcrSettings, image: &Path) -> Result<String, String> {
    let mut command = Command::new(&settings.tesseract);
    command
        .arg(image)
        .arg("stdout")
        .arg("-l")
        .arg(&settings.languages);
    let stdout = run(command, settings.timeout).await?;
    Ok(String::from_utf8_lossy(&stdout).trim().to_owned())
}

/// Renders page `page` (1-based) of a PDF to a PNG in `dir`; returns its path.
pub async fn render_pdf_page(
    settings: &OcrSettings,
    pdf: &Path,
    page: u32,
    dir: &Path,
) -> Result<std::path::PathBuf, String> {
    let prefix = dir.join(format!("page-{page}"));
    let mut command = Command::new(&settings.pdftoppm);
    command
        .args(["-r", "200", "-gray", "-png", "-singlefile"])
        .arg("-f")
        .arg(page.to_string())
        .arg("-l")
        .arg(page.to_string())
        .arg(pdf)
        .arg(&prefix);
    run(command, settings.timeout).await?;
    Ok(prefix.with_extension("png"))
}
