//! Legacy Vietnamese 8-bit encodings: TCVN3 (ABC, the `.Vn…` fonts) and VNI (`VNI-…` fonts).
//!
//! Text typed in these fonts reaches us as mojibake: raw bytes in a plain file, or, in Office files
//! and PDFs, the bytes read as Windows-1252 ("B¶o c¸o" for "Báo cáo", "Vieät Nam" for "Việt
//! Nam"). Detection works per run of text: a run is converted only when the conversion turns
//! clearly more of its words into valid Vietnamese syllables, so Unicode Vietnamese and English
//! are left alone.

use unicode_normalization::UnicodeNormalization;

/// A pre-Unicode Vietnamese encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyEncoding {
    /// TCVN 5712:1993 (VN3), the ABC fonts `.VnTime`, `.VnArial`…
    Tcvn3,
    /// VNI Windows, the `VNI-Times`, `VNI-Helve`… fonts.
    Vni,
}

impl LegacyEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            LegacyEncoding::Tcvn3 => "tcvn3",
            LegacyEncoding::Vni => "vni",
        }
    }

    /// The encoding a font name implies: `.VnTime` → TCVN3, `VNI-Times` → VNI.
    pub fn from_font_name(font: &str) -> Option<Self> {
        let font = font.trim();
        if font.starts_with(".Vn") || font.starts_with(".vn") {
            Some(LegacyEncoding::Tcvn3)
        } else if font.to_ascii_uppercase().starts_with("VNI-") {
            Some(LegacyEncoding::Vni)
        } else {
            None
        }
    }
}

/// Whether a TCVN3 font is one of the capitals-only fonts (`.VnTimeH`, `.VnArialH`…), which
/// draw the lowercase code points as capitals.
pub fn is_capitals_font(font: &str) -> bool {
    let font = font.trim();
    font.starts_with(".Vn") && font.ends_with('H')
}

/// TCVN3 bytes that differ from Latin-1, from the TCVN 5712:1993 table.
const TCVN3: &[(u8, char)] = &[
    (0x01, '\u{00DA}'),
    (0x02, '\u{1EE4}'),
    (0x04, '\u{1EEA}'),
    (0x05, '\u{1EEC}'),
    (0x06, '\u{1EEE}'),
    (0x11, '\u{1EE8}'),
    (0x12, '\u{1EF0}'),
    (0x13, '\u{1EF2}'),
    (0x14, '\u{1EF6}'),
    (0x15, '\u{1EF8}'),
    (0x16, '\u{00DD}'),
    (0x17, '\u{1EF4}'),
    (0x80, '\u{00C0}'),
    (0x81, '\u{1EA2}'),
    (0x82, '\u{00C3}'),
    (0x83, '\u{00C1}'),
    (0x84, '\u{1EA0}'),
    (0x85, '\u{1EB6}'),
    (0x86, '\u{1EAC}'),
    (0x87, '\u{00C8}'),
    (0x88, '\u{1EBA}'),
    (0x89, '\u{1EBC}'),
    (0x8A, '\u{00C9}'),
    (0x8B, '\u{1EB8}'),
    (0x8C, '\u{1EC6}'),
    (0x8D, '\u{00CC}'),
    (0x8E, '\u{1EC8}'),
    (0x8F, '\u{0128}'),
    (0x90, '\u{00CD}'),
    (0x91, '\u{1ECA}'),
    (0x92, '\u{00D2}'),
    (0x93, '\u{1ECE}'),
    (0x94, '\u{00D5}'),
    (0x95, '\u{00D3}'),
    (0x96, '\u{1ECC}'),
    (0x97, '\u{1ED8}'),
    (0x98, '\u{1EDC}'),
    (0x99, '\u{1EDE}'),
    (0x9A, '\u{1EE0}'),
    (0x9B, '\u{1EDA}'),
    (0x9C, '\u{1EE2}'),
    (0x9D, '\u{00D9}'),
    (0x9E, '\u{1EE6}'),
    (0x9F, '\u{0168}'),
    (0xA0, '\u{00A0}'),
    (0xA1, '\u{0102}'),
    (0xA2, '\u{00C2}'),
    (0xA3, '\u{00CA}'),
    (0xA4, '\u{00D4}'),
    (0xA5, '\u{01A0}'),
    (0xA6, '\u{01AF}'),
    (0xA7, '\u{0110}'),
    (0xA8, '\u{0103}'),
    (0xA9, '\u{00E2}'),
    (0xAA, '\u{00EA}'),
    (0xAB, '\u{00F4}'),
    (0xAC, '\u{01A1}'),
    (0xAD, '\u{01B0}'),
    (0xAE, '\u{0111}'),
    (0xAF, '\u{1EB0}'),
    (0xB0, '\u{0300}'),
    (0xB1, '\u{0309}'),
    (0xB2, '\u{0303}'),
    (0xB3, '\u{0301}'),
    (0xB4, '\u{0323}'),
    (0xB5, '\u{00E0}'),
    (0xB6, '\u{1EA3}'),
    (0xB7, '\u{00E3}'),
    (0xB8, '\u{00E1}'),
    (0xB9, '\u{1EA1}'),
    (0xBA, '\u{1EB2}'),
    (0xBB, '\u{1EB1}'),
    (0xBC, '\u{1EB3}'),
    (0xBD, '\u{1EB5}'),
    (0xBE, '\u{1EAF}'),
    (0xBF, '\u{1EB4}'),
    (0xC0, '\u{1EAE}'),
    (0xC1, '\u{1EA6}'),
    (0xC2, '\u{1EA8}'),
    (0xC3, '\u{1EAA}'),
    (0xC4, '\u{1EA4}'),
    (0xC5, '\u{1EC0}'),
    (0xC6, '\u{1EB7}'),
    (0xC7, '\u{1EA7}'),
    (0xC8, '\u{1EA9}'),
    (0xC9, '\u{1EAB}'),
    (0xCA, '\u{1EA5}'),
    (0xCB, '\u{1EAD}'),
    (0xCC, '\u{00E8}'),
    (0xCD, '\u{1EC2}'),
    (0xCE, '\u{1EBB}'),
    (0xCF, '\u{1EBD}'),
    (0xD0, '\u{00E9}'),
    (0xD1, '\u{1EB9}'),
    (0xD2, '\u{1EC1}'),
    (0xD3, '\u{1EC3}'),
    (0xD4, '\u{1EC5}'),
    (0xD5, '\u{1EBF}'),
    (0xD6, '\u{1EC7}'),
    (0xD7, '\u{00EC}'),
    (0xD8, '\u{1EC9}'),
    (0xD9, '\u{1EC4}'),
    (0xDA, '\u{1EBE}'),
    (0xDB, '\u{1ED2}'),
    (0xDC, '\u{0129}'),
    (0xDD, '\u{00ED}'),
    (0xDE, '\u{1ECB}'),
    (0xDF, '\u{00F2}'),
    (0xE0, '\u{1ED4}'),
    (0xE1, '\u{1ECF}'),
    (0xE2, '\u{00F5}'),
    (0xE3, '\u{00F3}'),
    (0xE4, '\u{1ECD}'),
    (0xE5, '\u{1ED3}'),
    (0xE6, '\u{1ED5}'),
    (0xE7, '\u{1ED7}'),
    (0xE8, '\u{1ED1}'),
    (0xE9, '\u{1ED9}'),
    (0xEA, '\u{1EDD}'),
    (0xEB, '\u{1EDF}'),
    (0xEC, '\u{1EE1}'),
    (0xED, '\u{1EDB}'),
    (0xEE, '\u{1EE3}'),
    (0xEF, '\u{00F9}'),
    (0xF0, '\u{1ED6}'),
    (0xF1, '\u{1EE7}'),
    (0xF2, '\u{0169}'),
    (0xF3, '\u{00FA}'),
    (0xF4, '\u{1EE5}'),
    (0xF5, '\u{1EEB}'),
    (0xF6, '\u{1EED}'),
    (0xF7, '\u{1EEF}'),
    (0xF8, '\u{1EE9}'),
    (0xF9, '\u{1EF1}'),
    (0xFA, '\u{1EF3}'),
    (0xFB, '\u{1EF7}'),
    (0xFC, '\u{1EF9}'),
    (0xFD, '\u{00FD}'),
    (0xFE, '\u{1EF5}'),
    (0xFF, '\u{1ED0}'),
];

/// Decodes raw TCVN3 bytes (a legacy plain-text file).
pub fn decode_tcvn3_bytes(bytes: &[u8]) -> String {
    let mut table = [None; 256];
    for (byte, character) in TCVN3 {
        table[usize::from(*byte)] = Some(*character);
    }
    bytes
        .iter()
        .map(|byte| table[usize::from(*byte)].unwrap_or(char::from(*byte)))
        .collect::<String>()
        .nfc()
        .collect()
}

/// The bytes behind a Windows-1252 (or Latin-1) reading of legacy text; `None` when the text
/// holds characters no 8-bit font could have produced (so it is real Unicode).
fn mojibake_bytes(text: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(text.len());
    for character in text.chars() {
        let code = u32::from(character);
        if code <= 0xFF {
            bytes.push(code as u8);
            continue;
        }
        let mut buffer = [0u8; 4];
        let (encoded, _, unmappable) =
            encoding_rs::WINDOWS_1252.encode(character.encode_utf8(&mut buffer));
        if unmappable || encoded.len() != 1 {
            return None;
        }
        bytes.push(encoded[0]);
    }
    Some(bytes)
}

/// Converts text read through Windows-1252 from a TCVN3 font; `None` if it cannot be that.
pub fn convert_tcvn3(text: &str) -> Option<String> {
    mojibake_bytes(text).map(|bytes| decode_tcvn3_bytes(&bytes))
}

const ACUTE: char = '\u{0301}';
const GRAVE: char = '\u{0300}';
const HOOK: char = '\u{0309}';
const TILDE: char = '\u{0303}';
const DOT: char = '\u{0323}';
const CIRCUMFLEX: char = '\u{0302}';
const BREVE: char = '\u{0306}';

/// What a VNI byte (as its Windows-1252 character) does after a vowel: the marks it adds.
fn vni_marks(character: char) -> Option<&'static [char]> {
    Some(match character.to_lowercase().next()? {
        'ù' => &[ACUTE],
        'ø' => &[GRAVE],
        'û' => &[HOOK],
        'õ' => &[TILDE],
        'ï' => &[DOT],
        'â' => &[CIRCUMFLEX],
        'á' => &[CIRCUMFLEX, ACUTE],
        'à' => &[CIRCUMFLEX, GRAVE],
        'å' => &[CIRCUMFLEX, HOOK],
        'ã' => &[CIRCUMFLEX, TILDE],
        'ä' => &[CIRCUMFLEX, DOT],
        'ê' => &[BREVE],
        'é' => &[BREVE, ACUTE],
        'è' => &[BREVE, GRAVE],
        'ú' => &[BREVE, HOOK],
        'ü' => &[BREVE, TILDE],
        'ë' => &[BREVE, DOT],
        _ => return None,
    })
}

/// VNI characters that stand for a whole letter.
fn vni_letter(character: char) -> Option<char> {
    Some(match character {
        'ô' => 'ơ',
        'Ô' => 'Ơ',
        'ö' => 'ư',
        'Ö' => 'Ư',
        'ñ' => 'đ',
        'Ñ' => 'Đ',
        'í' => 'í',
        'Í' => 'Í',
        'ì' => 'ì',
        'Ì' => 'Ì',
        'æ' => 'ỉ',
        'Æ' => 'Ỉ',
        'ó' => 'ĩ',
        'Ó' => 'Ĩ',
        'ò' => 'ị',
        'Ò' => 'Ị',
        'î' => 'ỵ',
        'Î' => 'Ỵ',
        _ => return None,
    })
}

fn is_vni_base(character: char) -> bool {
    matches!(
        character.to_lowercase().next(),
        Some('a' | 'e' | 'o' | 'u' | 'y' | 'i' | 'ơ' | 'ư')
    )
}

/// Converts text read through Windows-1252 from a VNI font; `None` if it cannot be that.
pub fn convert_vni(text: &str) -> Option<String> {
    mojibake_bytes(text)?;
    let mut out = String::with_capacity(text.len());
    let mut previous: Option<char> = None;
    for character in text.chars() {
        let after_vowel = previous.is_some_and(is_vni_base);
        if after_vowel && let Some(marks) = vni_marks(character) {
            out.extend(marks.iter());
            previous = None;
            continue;
        }
        let letter = vni_letter(character).unwrap_or(character);
        out.push(letter);
        previous = Some(letter);
    }
    Some(out.nfc().collect())
}

const TONES: [char; 5] = [ACUTE, GRAVE, HOOK, TILDE, DOT];
const INITIALS: [&str; 27] = [
    "ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];
const FINALS: [&str; 9] = ["ch", "ng", "nh", "c", "m", "n", "p", "t", ""];

/// Whether a word is a well-formed Vietnamese syllable (initial, vowel nucleus, final, one tone).
fn is_syllable(word: &str) -> bool {
    let lower: String = word.to_lowercase();
    let mut tones = 0;
    let base: String = lower
        .nfd()
        .filter(|character| {
            let tone = TONES.contains(character);
            tones += usize::from(tone);
            !tone
        })
        .nfc()
        .collect();
    if tones > 1 || base.is_empty() {
        return false;
    }
    let rest = INITIALS
        .iter()
        .find_map(|initial| base.strip_prefix(initial))
        .unwrap_or(&base);
    let nucleus_len = rest
        .chars()
        .take_while(|character| "aăâeêioôơuưy".contains(*character))
        .count();
    if !(1..=3).contains(&nucleus_len) {
        return false;
    }
    let final_part: String = rest.chars().skip(nucleus_len).collect();
    FINALS.contains(&final_part.as_str())
}

fn syllable_count(text: &str) -> usize {
    text.split(|character: char| !character.is_alphabetic())
        .filter(|word| !word.is_empty() && is_syllable(word))
        .count()
}

/// Which legacy encoding, if any, a run of text is in: the one whose conversion makes clearly
/// more valid Vietnamese syllables than the text already has.
pub fn detect(text: &str) -> Option<LegacyEncoding> {
    if text.is_ascii() {
        return None;
    }
    let words = text
        .split(|character: char| !character.is_alphabetic())
        .filter(|word| !word.is_empty())
        .count();
    let before = syllable_count(text);
    [LegacyEncoding::Tcvn3, LegacyEncoding::Vni]
        .into_iter()
        .filter_map(|encoding| {
            let converted = convert(text, encoding)?;
            let gain = syllable_count(&converted).saturating_sub(before);
            (gain >= 2 && gain * 5 >= words).then_some((gain, encoding))
        })
        .max_by_key(|(gain, _)| *gain)
        .map(|(_, encoding)| encoding)
}

/// Converts a run known to be in `encoding`.
pub fn convert(text: &str, encoding: LegacyEncoding) -> Option<String> {
    match encoding {
        LegacyEncoding::Tcvn3 => convert_tcvn3(text),
        LegacyEncoding::Vni => convert_vni(text),
    }
}

/// Repairs text line by line: each line found to be legacy mojibake is converted. Returns the
/// text and the encoding met most often, if any.
pub fn repair(text: &str) -> (String, Option<LegacyEncoding>) {
    let mut tcvn3 = 0usize;
    let mut vni = 0usize;
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        match detect(line).and_then(|encoding| Some((encoding, convert(line, encoding)?))) {
            Some((encoding, converted)) => {
                match encoding {
                    LegacyEncoding::Tcvn3 => tcvn3 += 1,
                    LegacyEncoding::Vni => vni += 1,
                }
                out.push_str(&converted);
            }
            None => out.push_str(line),
        }
    }
    let found = match (tcvn3, vni) {
        (0, 0) => None,
        (t, v) if t >= v => Some(LegacyEncoding::Tcvn3),
        _ => Some(LegacyEncoding::Vni),
    };
    (out, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes Unicode Vietnamese into TCVN3 bytes (the test's own inverse of the table).
    fn to_tcvn3(text: &str) -> Vec<u8> {
        text.nfc()
            .map(|character| {
                TCVN3
                    .iter()
                    .find(|(_, unicode)| *unicode == character)
                    .map_or(character as u8, |(byte, _)| *byte)
            })
            .collect()
    }

    /// What a Windows-1252 reader shows for those bytes (as Word and PDFs hand them to us).
    fn as_cp1252(bytes: &[u8]) -> String {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    }

    const SENTENCE: &str =
        "Quy trình kiểm soát tài liệu và hồ sơ của Sở Khoa học và Công nghệ tỉnh Bắc Giang";

    #[test]
    fn tcvn3_plain_files_decode_to_unicode() {
        let lowercase = "quy trình đánh giá nội bộ năm hai nghìn mười bốn";
        assert_eq!(decode_tcvn3_bytes(&to_tcvn3(lowercase)), lowercase);
    }

    #[test]
    fn tcvn3_mojibake_from_office_files_is_detected_and_converted() {
        let lowercase = SENTENCE.to_lowercase();
        let mojibake = as_cp1252(&to_tcvn3(&lowercase));
        assert!(
            mojibake.contains('¸') || mojibake.contains('µ'),
            "{mojibake}"
        );
        assert_eq!(detect(&mojibake), Some(LegacyEncoding::Tcvn3));
        assert_eq!(
            convert_tcvn3(&mojibake).as_deref(),
            Some(lowercase.as_str())
        );
    }

    #[test]
    fn vni_mojibake_is_detected_and_converted() {
        let mojibake =
            "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam - Ñoäc laäp - Töï do - Haïnh phuùc";
        assert_eq!(detect(mojibake), Some(LegacyEncoding::Vni));
        assert_eq!(
            convert_vni(mojibake).as_deref(),
            Some("Cộng hòa xã hội chủ nghĩa Việt Nam - Độc lập - Tự do - Hạnh phúc")
        );
        assert_eq!(
            convert_vni("Quyeát ñònh veà vieäc aùp duïng heä thoáng quaûn lyù chaát löôïng")
                .as_deref(),
            Some("Quyết định về việc áp dụng hệ thống quản lý chất lượng")
        );
    }

    #[test]
    fn unicode_vietnamese_and_english_are_never_converted() {
        for text in [
            SENTENCE,
            "Danh sách các cán bộ là công chức",
            "The quality manual describes document control, internal audits and management review.",
            "Müller café naïve – “quoted” text",
            "19/2014/QĐ-TTg ngày 05/3/2014",
        ] {
            assert_eq!(detect(text), None, "{text}");
            assert_eq!(repair(text), (text.to_owned(), None));
        }
    }

    #[test]
    fn only_the_legacy_lines_of_a_mixed_text_are_converted() {
        let legacy = as_cp1252(&to_tcvn3("báo cáo kết quả đánh giá nội bộ"));
        let mixed = format!("Báo cáo năm 2024\n{legacy}\nInternal audit report");
        let (repaired, found) = repair(&mixed);
        assert_eq!(found, Some(LegacyEncoding::Tcvn3));
        assert_eq!(
            repaired,
            "Báo cáo năm 2024\nbáo cáo kết quả đánh giá nội bộ\nInternal audit report"
        );
    }

    #[test]
    fn font_names_identify_the_encoding() {
        assert_eq!(
            LegacyEncoding::from_font_name(".VnTime"),
            Some(LegacyEncoding::Tcvn3)
        );
        assert_eq!(
            LegacyEncoding::from_font_name("VNI-Times"),
            Some(LegacyEncoding::Vni)
        );
        assert_eq!(LegacyEncoding::from_font_name("Times New Roman"), None);
        assert!(is_capitals_font(".VnTimeH"));
        assert!(!is_capitals_font(".VnTime"));
    }
}
