//! Marks the PostgreSQL and S3 test variants as runnable when their servers are configured, so
//! that without them `cargo test` reports those variants as ignored (visibly) instead of passing.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(hoso_pg_tests)");
    println!("cargo::rustc-check-cfg=cfg(hoso_s3_tests)");
    println!("cargo::rustc-check-cfg=cfg(hoso_ocr_tests)");
    println!("cargo::rustc-check-cfg=cfg(hoso_browser_tests)");
    println!("cargo::rustc-check-cfg=cfg(hoso_render_tests)");
    println!("cargo::rerun-if-env-changed=HOSO_TEST_RENDER");
    println!("cargo::rerun-if-env-changed=HOSO_TEST_BROWSER");
    println!("cargo::rerun-if-env-changed=HOSO_TEST_OCR");
    println!("cargo::rerun-if-env-changed=HOSO_TEST_DATABASE_URL");
    println!("cargo::rerun-if-env-changed=HOSO_TEST_S3_ENDPOINT");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("HOSO_TEST_DATABASE_URL").is_some_and(|value| !value.is_empty()) {
        println!("cargo::rustc-cfg=hoso_pg_tests");
    }
    // OCR tests run where Tesseract with Vietnamese and pdftoppm are installed (CI installs them),
    // or when
    // HOSO_TEST_OCR=1 forces them.
    let tesseract_vie = std::process::Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .map(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .any(|line| line.trim() == "vie")
        })
        .unwrap_or(false);
    let pdftoppm = std::process::Command::new("pdftoppm")
        .arg("-v")
        .output()
        .is_ok();
    if (tesseract_vie && pdftoppm)
        || std::env::var_os("HOSO_TEST_OCR").is_some_and(|value| value == "1")
    {
        println!("cargo::rustc-cfg=hoso_ocr_tests");
    }
    // Browser tests run where chromedriver and Chromium are installed (CI installs them), or
    // when HOSO_TEST_BROWSER=1 forces them.
    let chromedriver = std::process::Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if chromedriver || std::env::var_os("HOSO_TEST_BROWSER").is_some_and(|value| value == "1") {
        println!("cargo::rustc-cfg=hoso_browser_tests");
    }
    // PDFs of text documents are tested where LibreOffice is installed (CI installs it), or
    // when HOSO_TEST_RENDER=1 forces them.
    let soffice = std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if soffice || std::env::var_os("HOSO_TEST_RENDER").is_some_and(|value| value == "1") {
        println!("cargo::rustc-cfg=hoso_render_tests");
    }
    // The web UI's stylesheet and scripts, compressed and embedded in every build (debug too, so
    // a test or `cargo run` serves exactly what production does).
    memory_serve::load_directory_with_embed("./src/ui/assets", true);
    if std::env::var_os("HOSO_TEST_S3_ENDPOINT").is_some_and(|value| !value.is_empty()) {
        println!("cargo::rustc-cfg=hoso_s3_tests");
    }
}
