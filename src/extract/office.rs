//! Zip + XML office files: DOCX and PPTX (Office Open XML) and ODT (OpenDocument).
//!
//! Caps: entry count, decompressed bytes read, XML depth. The XML reader never expands entities
//! beyond the five predefined ones and character references, so "billion laughs" has nothing to
//! expand.

use std::{
    collections::HashMap,
    io::{Cursor, Read},
};

use quick_xml::{Reader, events::Event};
use zip::ZipArchive;

use super::{ExtractError, Extracted, Limits, legacy_vn, legacy_vn::LegacyEncoding};

/// An open zip with its caps.
struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    budget: u64,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, ExtractError> {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|error| match error {
            zip::result::ZipError::UnsupportedArchive(message) if message.contains("assword") => {
                ExtractError::Encrypted
            }
            other => ExtractError::Malformed(other.to_string()),
        })?;
        if archive.len() > limits.max_zip_entries {
            return Err(ExtractError::TooLarge(format!(
                "{} entries in the archive (limit {})",
                archive.len(),
                limits.max_zip_entries
            )));
        }
        Ok(Self {
            archive,
            budget: limits.max_decompressed_bytes,
        })
    }

    fn names(&self) -> Vec<String> {
        self.archive
            .file_names()
            .filter_map(|name| name.ok().map(|name| name.into_owned()))
            .collect()
    }

    /// Reads one part as UTF-8, counting its decompressed size against the budget.
    fn read(&mut self, name: &str) -> Result<Option<String>, ExtractError> {
        let mut file = match self.archive.by_name(name) {
            Ok(file) => file,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(zip::result::ZipError::UnsupportedArchive(message))
                if message.contains("assword") =>
            {
                return Err(ExtractError::Encrypted);
            }
            Err(error) => return Err(ExtractError::Malformed(error.to_string())),
        };
        if file.size() > self.budget {
            return Err(ExtractError::TooLarge(
                "the archive decompresses to too much data".into(),
            ));
        }
        let mut bytes = Vec::new();
        (&mut file)
            .take(self.budget + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| ExtractError::Malformed(error.to_string()))?;
        if bytes.len() as u64 > self.budget {
            return Err(ExtractError::TooLarge(
                "the archive decompresses to too much data".into(),
            ));
        }
        self.budget -= bytes.len() as u64;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ExtractError::Malformed(format!("{name} is not UTF-8 XML")))
    }
}

/// What the walker reports to a format's handler.
enum Node<'e> {
    Open(&'e quick_xml::events::BytesStart<'e>),
    Close(&'e str),
    /// An empty element: opened and closed at once.
    Leaf(&'e quick_xml::events::BytesStart<'e>),
    Text(&'e str),
}

/// Walks an XML document, enforcing the depth cap; text comes with entities resolved.
fn walk(xml: &str, limits: &Limits, mut handle: impl FnMut(Node<'_>)) -> Result<(), ExtractError> {
    let mut reader = Reader::from_str(xml);
    let mut depth = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|error| ExtractError::Malformed(format!("XML: {error}")))?;
        match event {
            Event::Start(start) => {
                depth += 1;
                if depth > limits.max_xml_depth {
                    return Err(ExtractError::TooLarge(format!(
                        "XML nested deeper than {}",
                        limits.max_xml_depth
                    )));
                }
                handle(Node::Open(&start));
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                handle(Node::Close(end.local_name().as_ref()));
            }
            Event::Empty(start) => handle(Node::Leaf(&start)),
            Event::Text(text) => {
                let content = text.xml10_content();
                handle(Node::Text(&content));
            }
            Event::CData(data) => {
                let content: &str = data.as_ref();
                handle(Node::Text(content));
            }
            Event::GeneralRef(reference) => {
                let character = match reference.resolve_char_ref() {
                    Ok(Some(character)) => Some(character),
                    _ => match reference.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        // Declared entities are never expanded.
                        _ => None,
                    },
                };
                if let Some(character) = character {
                    let mut buffer = [0u8; 4];
                    handle(Node::Text(character.encode_utf8(&mut buffer)));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn attribute(start: &quick_xml::events::BytesStart<'_>, local: &str) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.local_name().as_ref() == local)
        .map(|attribute| attribute.value.to_string())
}

/// Text of one run in a font that may be a legacy Vietnamese one.
fn decode_run(text: &str, font: Option<&str>, found: &mut Option<LegacyEncoding>) -> String {
    let Some(font) = font else {
        return text.to_owned();
    };
    let Some(encoding) = LegacyEncoding::from_font_name(font) else {
        return text.to_owned();
    };
    match legacy_vn::convert(text, encoding) {
        Some(converted) => {
            *found = Some(encoding);
            if legacy_vn::is_capitals_font(font) {
                converted.to_uppercase()
            } else {
                converted
            }
        }
        None => text.to_owned(),
    }
}

/// Word 2007+ documents: paragraphs of runs; runs in `.Vn…`/`VNI-…` fonts are converted.
pub fn docx(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, limits)?;
    let xml = package
        .read("word/document.xml")?
        .ok_or_else(|| ExtractError::Malformed("no word/document.xml".into()))?;
    let mut out = String::new();
    let mut run = String::new();
    let mut font: Option<String> = None;
    let mut in_text = false;
    let mut found = None;
    walk(&xml, limits, |node| match node {
        Node::Open(start) => match start.local_name().as_ref() {
            "r" => {
                run.clear();
                font = None;
            }
            "t" => in_text = true,
            _ => {}
        },
        Node::Leaf(start) => match start.local_name().as_ref() {
            "rFonts" => {
                font = attribute(start, "ascii").or_else(|| attribute(start, "hAnsi"));
            }
            "tab" => run.push('\t'),
            "br" | "cr" => run.push('\n'),
            _ => {}
        },
        Node::Text(text) if in_text => run.push_str(text),
        Node::Text(_) => {}
        Node::Close(name) => match name {
            "t" => in_text = false,
            "r" => {
                out.push_str(&decode_run(&run, font.as_deref(), &mut found));
                run.clear();
            }
            "p" => out.push('\n'),
            "tc" => out.push('\t'),
            _ => {}
        },
    })?;
    let mut extracted = Extracted::single(out, "docx");
    extracted.legacy_encoding = found;
    Ok(extracted)
}

/// PowerPoint 2007+: one page per slide.
pub fn pptx(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, limits)?;
    let mut slides: Vec<(u32, String)> = package
        .names()
        .into_iter()
        .filter_map(|name| {
            let number = name
                .strip_prefix("ppt/slides/slide")?
                .strip_suffix(".xml")?
                .parse()
                .ok()?;
            Some((number, name))
        })
        .collect();
    slides.sort();
    let mut pages = Vec::new();
    for (_, name) in slides {
        let Some(xml) = package.read(&name)? else {
            continue;
        };
        let mut out = String::new();
        let mut in_text = false;
        walk(&xml, limits, |node| match node {
            Node::Open(start) if start.local_name().as_ref() == "t" => in_text = true,
            Node::Close("t") => in_text = false,
            Node::Close("p") => out.push('\n'),
            Node::Text(text) if in_text => out.push_str(text),
            _ => {}
        })?;
        pages.push(out);
    }
    if pages.is_empty() {
        return Err(ExtractError::Malformed("no slides".into()));
    }
    Ok(Extracted {
        pages,
        method: "pptx",
        legacy_encoding: None,
        pages_without_text: Vec::new(),
        warnings: Vec::new(),
    })
}

/// OpenDocument text: paragraphs and headings; spans whose automatic style uses a legacy font
/// are converted.
pub fn odt(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, limits)?;
    let xml = package
        .read("content.xml")?
        .ok_or_else(|| ExtractError::Malformed("no content.xml".into()))?;
    let mut style_fonts: HashMap<String, String> = HashMap::new();
    let mut current_style: Option<String> = None;
    let mut out = String::new();
    let mut span_fonts: Vec<Option<String>> = Vec::new();
    let mut span_text = String::new();
    let mut in_body = false;
    let mut found = None;
    walk(&xml, limits, |node| match node {
        Node::Open(start) | Node::Leaf(start) if !in_body => match start.local_name().as_ref() {
            "style" => current_style = attribute(start, "name"),
            "text-properties" => {
                if let (Some(style), Some(font)) = (&current_style, attribute(start, "font-name")) {
                    style_fonts.insert(style.clone(), font);
                }
            }
            "body" => in_body = true,
            _ => {}
        },
        Node::Open(start) => {
            if start.local_name().as_ref() == "span" {
                out.push_str(&span_text);
                span_text.clear();
                let font = attribute(start, "style-name")
                    .and_then(|style| style_fonts.get(&style).cloned());
                span_fonts.push(font);
            }
        }
        Node::Leaf(start) => match start.local_name().as_ref() {
            "s" => {
                let count = attribute(start, "c")
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1usize);
                span_text.push_str(&" ".repeat(count.min(100)));
            }
            "tab" => span_text.push('\t'),
            "line-break" => span_text.push('\n'),
            _ => {}
        },
        Node::Text(text) if in_body => span_text.push_str(text),
        Node::Text(_) => {}
        Node::Close(name) => match name {
            "span" => {
                let font = span_fonts.pop().flatten();
                out.push_str(&decode_run(&span_text, font.as_deref(), &mut found));
                span_text.clear();
            }
            "p" | "h" => {
                out.push_str(&span_text);
                span_text.clear();
                out.push('\n');
            }
            _ => {}
        },
    })?;
    out.push_str(&span_text);
    let mut extracted = Extracted::single(out, "odt");
    extracted.legacy_encoding = found;
    Ok(extracted)
}
