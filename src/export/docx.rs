//! A minimal Word document (DOCX, Office Open XML): a title and paragraphs, the shape most
//! agency procedures arrive in. Written with the zip crate and escaped XML text; Word,
//! LibreOffice and hoso's own extractor open it.

use std::io::{Cursor, Write};

use zip::{ZipWriter, write::SimpleFileOptions};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const RELATIONSHIPS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(character),
        }
    }
    out
}

/// A DOCX of `title` (bold, larger) and `paragraphs`.
pub fn docx(title: &str, paragraphs: &[&str]) -> std::io::Result<Vec<u8>> {
    let mut body = format!(
        r#"<w:p><w:r><w:rPr><w:b/><w:sz w:val="30"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        escape(title)
    );
    for paragraph in paragraphs {
        body.push_str(&format!(
            r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            escape(paragraph)
        ));
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELATIONSHIPS),
        ("word/document.xml", document.as_str()),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extractor_reads_the_vietnamese_text_back() {
        let bytes = docx(
            "Quy trình kiểm soát tài liệu",
            &["Mục đích: thống nhất cách ban hành <tài liệu> & hồ sơ."],
        )
        .unwrap();
        let text = crate::extract::extract(
            &bytes,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &crate::extract::Limits::default(),
        )
        .unwrap()
        .text();
        assert!(text.contains("Quy trình kiểm soát tài liệu"), "{text}");
        assert!(text.contains("<tài liệu> & hồ sơ"), "{text}");
    }
}
