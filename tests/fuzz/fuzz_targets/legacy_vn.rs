//! Fuzzes legacy Vietnamese detection and conversion: any text converts without panicking, and
//! plain ASCII is never changed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (repaired, found) = hoso::extract::legacy_vn::repair(&text);
    if text.is_ascii() {
        assert_eq!(repaired, text);
        assert!(found.is_none());
    }
    let _ = hoso::extract::legacy_vn::decode_tcvn3_bytes(data);
});
