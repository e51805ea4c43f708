//! Vietnamese text in PDFs with lopdf, in a font that renders it (DejaVu Sans, subset to the
//! glyphs used and embedded with a ToUnicode map, so the text can be extracted and searched):
//! stamping a line on every page of a PDF (the original content left untouched), and writing a
//! document of paragraphs (the demo province's procedures).

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use subsetter::GlyphRemapper;

/// DejaVu Sans (free licence, see `assets/fonts/DejaVuSans-LICENSE.txt`): full Vietnamese
/// coverage with precomposed glyphs, so no shaping is needed.
const FONT: &[u8] = include_bytes!("assets/fonts/DejaVuSans.ttf");
const FONT_NAME: &[u8] = b"HOSOST+DejaVuSans";
const RESOURCE_NAME: &[u8] = b"HosoStamp";

/// Why a PDF could not be stamped.
#[derive(Debug, thiserror::Error)]
pub enum StampError {
    #[error("the PDF could not be read: {0}")]
    Unreadable(String),
    #[error("the PDF is encrypted")]
    Encrypted,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the stamp font could not be prepared: {0}")]
    Font(String),
}

/// The stamp text laid out in the embedded font.
struct StampText {
    /// Glyph ids in the subset font, big-endian, as `Tj` wants them with Identity-H.
    glyph_bytes: Vec<u8>,
    /// Width of the text at size 1, in text-space units.
    width_per_point: f32,
    widths: Vec<(u16, u32)>,
    to_unicode: Vec<(u16, char)>,
    subset: Vec<u8>,
    ascent: i64,
    descent: i64,
    cap_height: i64,
    bbox: [i64; 4],
    /// Each character's glyph id in the subset and its advance at size 1000.
    glyphs: std::collections::HashMap<char, (u16, f32)>,
}

impl StampText {
    fn layout(line: &str) -> Result<Self, StampError> {
        let face = ttf_parser::Face::parse(FONT, 0)
            .map_err(|error| StampError::Font(error.to_string()))?;
        let units = f32::from(face.units_per_em().max(1));
        let scale = |value: i16| (f32::from(value) * 1000.0 / units).round() as i64;
        let mut remapper = GlyphRemapper::new();
        let mut glyph_bytes = Vec::new();
        let mut widths = Vec::new();
        let mut to_unicode = Vec::new();
        let mut total = 0.0f32;
        let mut glyphs = std::collections::HashMap::new();
        for character in line.chars() {
            let glyph = face
                .glyph_index(character)
                .unwrap_or(ttf_parser::GlyphId(0));
            let new_id = remapper.remap(glyph.0);
            let advance = f32::from(face.glyph_hor_advance(glyph).unwrap_or(0)) * 1000.0 / units;
            total += advance;
            glyphs.insert(character, (new_id, advance));
            glyph_bytes.extend_from_slice(&new_id.to_be_bytes());
            if !widths.iter().any(|(id, _)| *id == new_id) {
                widths.push((new_id, advance.round() as u32));
                to_unicode.push((new_id, character));
            }
        }
        let subset = subsetter::subset(FONT, 0, &remapper)
            .map_err(|error| StampError::Font(format!("{error:?}")))?;
        let bbox = face.global_bounding_box();
        Ok(Self {
            glyph_bytes,
            width_per_point: total / 1000.0,
            widths,
            to_unicode,
            subset,
            ascent: scale(face.ascender()),
            descent: scale(face.descender()),
            cap_height: scale(face.capital_height().unwrap_or(face.ascender())),
            glyphs,
            bbox: [
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ],
        })
    }

    /// Adds the Type0 font with its CID font, descriptor, subset and ToUnicode map.
    fn add_font(&self, doc: &mut Document) -> ObjectId {
        let mut file = Stream::new(
            Dictionary::from_iter([("Length1", Object::Integer(self.subset.len() as i64))]),
            self.subset.clone(),
        );
        // Compression is an optimisation; an uncompressed font is still valid.
        let _ = file.compress();
        let file_id = doc.add_object(file);
        let descriptor_id = doc.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"FontDescriptor".to_vec())),
            ("FontName", Object::Name(FONT_NAME.to_vec())),
            ("Flags", Object::Integer(32)),
            (
                "FontBBox",
                Object::Array(
                    self.bbox
                        .iter()
                        .map(|value| Object::Integer(*value))
                        .collect(),
                ),
            ),
            ("ItalicAngle", Object::Integer(0)),
            ("Ascent", Object::Integer(self.ascent)),
            ("Descent", Object::Integer(self.descent)),
            ("CapHeight", Object::Integer(self.cap_height)),
            ("StemV", Object::Integer(80)),
            ("FontFile2", Object::Reference(file_id)),
        ]));
        let mut widths = Vec::new();
        for (glyph, width) in &self.widths {
            widths.push(Object::Integer(i64::from(*glyph)));
            widths.push(Object::Array(vec![Object::Integer(i64::from(*width))]));
        }
        let cid_font_id = doc.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"CIDFontType2".to_vec())),
            ("BaseFont", Object::Name(FONT_NAME.to_vec())),
            (
                "CIDSystemInfo",
                Object::Dictionary(Dictionary::from_iter([
                    (
                        "Registry",
                        Object::String(b"Adobe".to_vec(), StringFormat::Literal),
                    ),
                    (
                        "Ordering",
                        Object::String(b"Identity".to_vec(), StringFormat::Literal),
                    ),
                    ("Supplement", Object::Integer(0)),
                ])),
            ),
            ("FontDescriptor", Object::Reference(descriptor_id)),
            ("DW", Object::Integer(1000)),
            ("W", Object::Array(widths)),
            ("CIDToGIDMap", Object::Name(b"Identity".to_vec())),
        ]));
        let mut to_unicode = Stream::new(Dictionary::new(), self.to_unicode_cmap().into_bytes());
        let _ = to_unicode.compress();
        let to_unicode_id = doc.add_object(to_unicode);
        doc.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"Type0".to_vec())),
            ("BaseFont", Object::Name(FONT_NAME.to_vec())),
            ("Encoding", Object::Name(b"Identity-H".to_vec())),
            (
                "DescendantFonts",
                Object::Array(vec![Object::Reference(cid_font_id)]),
            ),
            ("ToUnicode", Object::Reference(to_unicode_id)),
        ]))
    }

    fn to_unicode_cmap(&self) -> String {
        let mut entries = String::new();
        for chunk in self.to_unicode.chunks(100) {
            entries.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (glyph, character) in chunk {
                let mut units = [0u16; 2];
                let hex: String = character
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|unit| format!("{unit:04X}"))
                    .collect();
                entries.push_str(&format!("<{glyph:04X}> <{hex}>\n"));
            }
            entries.push_str("endbfchar\n");
        }
        format!(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n{entries}\
             endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        )
    }
}

impl StampText {
    /// A line's glyphs as `Tj` hex, and its width at size 1.
    fn encode(&self, line: &str) -> (String, f32) {
        let mut hex = String::with_capacity(line.len() * 4);
        let mut width = 0.0;
        for character in line.chars() {
            let (glyph, advance) = self.glyphs.get(&character).copied().unwrap_or((0, 0.0));
            hex.push_str(&format!("{glyph:04X}"));
            width += advance / 1000.0;
        }
        (hex, width)
    }
}

/// An A4 PDF of a title and paragraphs in DejaVu Sans, wrapped to the page and paged as
/// needed: real, searchable Vietnamese text.
pub fn text_pdf(title: &str, paragraphs: &[&str]) -> Result<Vec<u8>, StampError> {
    const WIDTH: f32 = 595.0;
    const HEIGHT: f32 = 842.0;
    const MARGIN: f32 = 64.0;
    const SIZE: f32 = 11.0;
    const TITLE_SIZE: f32 = 15.0;
    let everything: String = std::iter::once(title)
        .chain(paragraphs.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let text = StampText::layout(&everything)?;
    // Lines: (size, text), a blank line between paragraphs.
    let mut lines: Vec<(f32, String)> = vec![(TITLE_SIZE, title.to_owned()), (SIZE, String::new())];
    let room = WIDTH - 2.0 * MARGIN;
    for paragraph in paragraphs {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && text.encode(&candidate).1 * SIZE > room {
                lines.push((SIZE, std::mem::replace(&mut line, word.to_owned())));
            } else {
                line = candidate;
            }
        }
        lines.push((SIZE, line));
        lines.push((SIZE, String::new()));
    }
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = text.add_font(&mut doc);
    let resources_id = doc.add_object(Dictionary::from_iter([(
        "Font",
        Object::Dictionary(Dictionary::from_iter([(
            RESOURCE_NAME.to_vec(),
            Object::Reference(font_id),
        )])),
    )]));
    let per_page = ((HEIGHT - 2.0 * MARGIN) / (SIZE * 1.5)) as usize;
    let mut kids = Vec::new();
    for chunk in lines.chunks(per_page.max(1)) {
        let mut operations = String::new();
        let mut y = HEIGHT - MARGIN;
        for (size, line) in chunk {
            let (hex, _) = text.encode(line);
            if !hex.is_empty() {
                operations.push_str(&format!(
                    "BT /{} {size:.1} Tf {MARGIN:.1} {y:.1} Td <{hex}> Tj ET\n",
                    String::from_utf8_lossy(RESOURCE_NAME)
                ));
            }
            y -= size * 1.5;
        }
        let content_id = doc.add_object(Stream::new(Dictionary::new(), operations.into_bytes()));
        let page_id = doc.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Page".to_vec())),
            ("Parent", Object::Reference(pages_id)),
            ("Contents", Object::Reference(content_id)),
        ]));
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(Dictionary::from_iter([
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(kids)),
            ("Count", Object::Integer(count)),
            ("Resources", Object::Reference(resources_id)),
            (
                "MediaBox",
                Object::Array(vec![0.into(), 0.into(), WIDTH.into(), HEIGHT.into()]),
            ),
        ])),
    );
    let catalog_id = doc.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Catalog".to_vec())),
        ("Pages", Object::Reference(pages_id)),
    ]));
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|error| StampError::Unreadable(error.to_string()))?;
    Ok(out)
}

/// Returns a copy of `pdf` with `line` drawn in red at the foot of every page.
pub fn stamp_pdf(pdf: &[u8], line: &str) -> Result<Vec<u8>, StampError> {
    let mut doc =
        Document::load_mem(pdf).map_err(|error| StampError::Unreadable(error.to_string()))?;
    if doc.is_encrypted() {
        return Err(StampError::Encrypted);
    }
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if pages.is_empty() {
        return Err(StampError::NoPages);
    }
    let text = StampText::layout(line)?;
    let font_id = text.add_font(&mut doc);
    for page_id in pages {
        stamp_page(&mut doc, page_id, font_id, &text)?;
    }
    let mut out = Vec::with_capacity(pdf.len() + text.subset.len() + 4096);
    doc.save_to(&mut out)
        .map_err(|error| StampError::Unreadable(error.to_string()))?;
    Ok(out)
}

fn stamp_page(
    doc: &mut Document,
    page_id: ObjectId,
    font_id: ObjectId,
    text: &StampText,
) -> Result<(), StampError> {
    let [left, bottom, right, _top] = media_box(doc, page_id);
    let resources = page_resources_with_font(doc, page_id, font_id);
    let available = (right - left - 48.0).max(50.0);
    let size = (available / text.width_per_point.max(0.1)).min(9.0);
    let x = left + 24.0;
    let y = bottom + 12.0;
    let width = text.width_per_point * size;
    let hex: String = text
        .glyph_bytes
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect();
    let operations = format!(
        "Q\nq\n0.75 0 0 RG 0.75 0 0 rg 0.6 w\n{:.2} {:.2} {:.2} {:.2} re S\nBT /{} {:.2} Tf {:.2} {:.2} Td <{}> Tj ET\nQ\n",
        x - 3.0,
        y - 3.5,
        width + 6.0,
        size + 5.0,
        String::from_utf8_lossy(RESOURCE_NAME),
        size,
        x,
        y,
        hex
    );
    let open_id = doc.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
    let stamp_id = doc.add_object(Stream::new(Dictionary::new(), operations.into_bytes()));
    let page = doc
        .get_dictionary_mut(page_id)
        .map_err(|error| StampError::Unreadable(error.to_string()))?;
    let mut contents = vec![Object::Reference(open_id)];
    match page.get(b"Contents") {
        Ok(Object::Reference(id)) => contents.push(Object::Reference(*id)),
        Ok(Object::Array(items)) => contents.extend(items.iter().cloned()),
        _ => {}
    }
    contents.push(Object::Reference(stamp_id));
    page.set("Contents", Object::Array(contents));
    page.set("Resources", Object::Dictionary(resources));
    Ok(())
}

/// The page's effective resources (own or inherited) as a new dictionary, with the stamp font
/// added, so shared resource objects of other pages are never modified.
fn page_resources_with_font(doc: &Document, page_id: ObjectId, font_id: ObjectId) -> Dictionary {
    let (direct, referenced) = doc
        .get_page_resources(page_id)
        .unwrap_or((None, Vec::new()));
    let mut resources = match (direct, referenced.first()) {
        (Some(dictionary), _) => dictionary.clone(),
        (None, Some(id)) => doc.get_dictionary(*id).cloned().unwrap_or_default(),
        (None, None) => Dictionary::new(),
    };
    let mut fonts = match resources.get(b"Font") {
        Ok(Object::Dictionary(fonts)) => fonts.clone(),
        Ok(Object::Reference(id)) => doc.get_dictionary(*id).cloned().unwrap_or_default(),
        _ => Dictionary::new(),
    };
    fonts.set(RESOURCE_NAME.to_vec(), Object::Reference(font_id));
    resources.set("Font", Object::Dictionary(fonts));
    resources
}

/// The page's MediaBox (inherited from the page tree if need be), A4 when absent or broken.
fn media_box(doc: &Document, page_id: ObjectId) -> [f32; 4] {
    let mut current = Some(page_id);
    let mut depth = 0;
    while let Some(id) = current {
        depth += 1;
        let Ok(node) = doc.get_dictionary(id) else {
            break;
        };
        if let Ok(boxed) = node.get_deref(b"MediaBox", doc).and_then(Object::as_array)
            && boxed.len() == 4
        {
            let values: Vec<f32> = boxed
                .iter()
                .filter_map(|value| match value {
                    Object::Integer(number) => Some(*number as f32),
                    Object::Real(number) => Some(*number),
                    _ => None,
                })
                .collect();
            if let [a, b, c, d] = values[..] {
                return [a.min(c), b.min(d), a.max(c), b.max(d)];
            }
        }
        current = node.get(b"Parent").and_then(Object::as_reference).ok();
        if depth > 64 {
            break;
        }
    }
    [0.0, 0.0, 595.0, 842.0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_pdf_carries_its_vietnamese_words_as_extractable_text() {
        let long = "Mục đích: quy định thống nhất cách soạn thảo, phê duyệt, ban hành tài liệu. "
            .repeat(120);
        let pdf = text_pdf("Quy trình kiểm soát tài liệu", &[&long, "Phạm vi áp dụng"]).unwrap();
        let extracted =
            crate::extract::extract(&pdf, "application/pdf", &crate::extract::Limits::default())
                .unwrap();
        assert!(
            extracted.pages.len() >= 2,
            "long text runs onto a second page"
        );
        let text = extracted.text();
        assert!(text.contains("Quy trình kiểm soát tài liệu"), "{text}");
        assert!(text.contains("Phạm vi áp dụng"), "{text}");
    }

    #[test]
    fn the_stamp_text_lays_out_vietnamese_in_the_embedded_font() {
        let text = StampText::layout("BẢN CÓ KIỂM SOÁT · Hiệu lực từ 01/01/2026").unwrap();
        assert_eq!(
            text.glyph_bytes.len(),
            2 * "BẢN CÓ KIỂM SOÁT · Hiệu lực từ 01/01/2026".chars().count()
        );
        assert!(
            text.widths.iter().all(|(glyph, _)| *glyph != 0),
            "every letter has a glyph"
        );
        assert!(text.subset.len() < FONT.len() / 5, "the font is subset");
    }

    #[test]
    fn garbage_is_not_a_pdf() {
        assert!(matches!(
            stamp_pdf(b"not a pdf at all", "x"),
            Err(StampError::Unreadable(_))
        ));
    }
}
