//! Word 97–2003 (.doc) natively: the text is assembled from the piece table (CLX) of the compound
//! file, pieces being 8-bit (Windows-1252) or UTF-16. [MS-DOC] §2.4.1.

use std::io::{Cursor, Read};

use super::{ExtractError, Extracted, Limits};

/// Largest stream read from the compound file.
const MAX_STREAM: u64 = 256 * 1024 * 1024;

fn malformed(message: &str) -> ExtractError {
    ExtractError::Malformed(format!("Word 97-2003: {message}"))
}

fn read_stream(
    file: &mut cfb::CompoundFile<Cursor<&[u8]>>,
    name: &str,
) -> Result<Vec<u8>, ExtractError> {
    let stream = file
        .open_stream(name)
        .map_err(|_| malformed(&format!("no {name} stream")))?;
    let mut bytes = Vec::new();
    stream
        .take(MAX_STREAM + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| malformed(&error.to_string()))?;
    if bytes.len() as u64 > MAX_STREAM {
        return Err(ExtractError::TooLarge("a Word stream is too large".into()));
    }
    Ok(bytes)
}

fn u16_at(bytes: &[u8], offset: usize) -> Result<u16, ExtractError> {
    bytes
        .get(offset..offset + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(|| malformed("truncated"))
}

fn u32_at(bytes: &[u8], offset: usize) -> Result<u32, ExtractError> {
    bytes
        .get(offset..offset + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| malformed("truncated"))
}

pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|error| malformed(&error.to_string()))?;
    let word = read_stream(&mut file, "WordDocument")?;
    if u16_at(&word, 0)? != 0xA5EC {
        return Err(malformed("not a Word document (wrong FIB signature)"));
    }
    let flags = u16_at(&word, 0x0A)?;
    if flags & 0x0100 != 0 {
        return Err(ExtractError::Encrypted);
    }
    let table_name = if flags & 0x0200 != 0 {
        "1Table"
    } else {
        "0Table"
    };
    let table = read_stream(&mut file, table_name)?;
    // FibRgFcLcb97 starts at 154; fcClx/lcbClx are its 34th pair.
    let fc_clx = u32_at(&word, 0x01A2)? as usize;
    let lcb_clx = u32_at(&word, 0x01A6)? as usize;
    let clx = table
        .get(fc_clx..fc_clx.saturating_add(lcb_clx))
        .ok_or_else(|| malformed("the piece table lies outside the table stream"))?;
    let pieces = piece_table(clx)?;
    let mut text = String::new();
    for (start_cp, end_cp, fc) in pieces {
        let count = end_cp.saturating_sub(start_cp) as usize;
        let compressed = fc & 0x4000_0000 != 0;
        if compressed {
            let offset = ((fc & 0x3FFF_FFFF) / 2) as usize;
            let piece = word
                .get(offset..offset.saturating_add(count))
                .ok_or_else(|| malformed("a text piece lies outside the document"))?;
            text.push_str(
                &encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(piece)
                    .0,
            );
        } else {
            let offset = fc as usize;
            let piece = word
                .get(offset..offset.saturating_add(count * 2))
                .ok_or_else(|| malformed("a text piece lies outside the document"))?;
            let units: Vec<u16> = piece
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect();
            text.push_str(&String::from_utf16_lossy(&units));
        }
        if text.len() > limits.max_text_bytes {
            return Err(ExtractError::TooLarge(format!(
                "more than {} bytes of text",
                limits.max_text_bytes
            )));
        }
    }
    Ok(Extracted::single(clean_word_text(&text), "doc"))
}

/// The (start CP, end CP, fc) of each piece in a CLX.
fn piece_table(clx: &[u8]) -> Result<Vec<(u32, u32, u32)>, ExtractError> {
    let mut offset = 0usize;
    // Skip Prc entries (property modifiers).
    while clx.get(offset) == Some(&0x01) {
        let size = u16_at(clx, offset + 1)? as usize;
        offset += 3 + size;
    }
    if clx.get(offset) != Some(&0x02) {
        return Err(malformed("no piece table"));
    }
    let lcb = u32_at(clx, offset + 1)? as usize;
    let plc = clx
        .get(offset + 5..offset + 5 + lcb)
        .ok_or_else(|| malformed("truncated piece table"))?;
    // n+1 CPs (4 bytes) and n PCDs (8 bytes): lcb = 4(n+1) + 8n.
    if lcb < 4 || !(lcb - 4).is_multiple_of(12) {
        return Err(malformed("inconsistent piece table"));
    }
    let count = (lcb - 4) / 12;
    let mut pieces = Vec::with_capacity(count);
    for index in 0..count {
        let start = u32_at(plc, index * 4)?;
        let end = u32_at(plc, (index + 1) * 4)?;
        let pcd = 4 * (count + 1) + index * 8;
        let fc = u32_at(plc, pcd + 2)?;
        pieces.push((start, end, fc));
    }
    Ok(pieces)
}

/// Word's special characters: paragraph and cell marks, breaks, and field codes (the code
/// between 0x13 and 0x14 is dropped, its result kept).
fn clean_word_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_code = Vec::new();
    for character in raw.chars() {
        match character {
            '\u{13}' => in_code.push(true),
            '\u{14}' => {
                if let Some(last) = in_code.last_mut() {
                    *last = false;
                }
            }
            '\u{15}' => {
                in_code.pop();
            }
            _ if in_code.last() == Some(&true) => {}
            '\r' | '\u{0B}' => out.push('\n'),
            '\u{07}' => out.push('\t'),
            '\u{0C}' => out.push('\n'),
            c if c.is_control() && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}
