//! Fuzzes the docx extractor: any input must end as text or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = hoso::extract::Limits {
        max_decompressed_bytes: 16 * 1024 * 1024,
        ..hoso::extract::Limits::default()
    };
    let _ = hoso::extract::extract(data, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &limits);
});
