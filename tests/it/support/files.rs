//! Files for tests: uploads through the multipart endpoint, and small real PDFs.

use axum::{
    body::Body,
    http::{Request, header},
};

use super::{TestApp, TestResponse};

impl TestApp {
    /// Uploads a file as a new version through the multipart endpoint.
    pub async fn upload(
        &self,
        token: &str,
        document_id: &str,
        filename: &str,
        bytes: &[u8],
        change_summary: Option<&str>,
    ) -> TestResponse {
        let fields: Vec<(&str, &str)> = change_summary
            .map(|summary| ("change_summary", summary))
            .into_iter()
            .collect();
        self.upload_to(
            token,
            &format!("/api/v1/documents/{document_id}/versions"),
            filename,
            bytes,
            &fields,
        )
        .await
    }

    /// Posts a multipart form of text `fields` and one `file` to `path`.
    pub async fn upload_to(
        &self,
        token: &str,
        path: &str,
        filename: &str,
        bytes: &[u8],
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let boundary = "hoso-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("a valid request");
        self.send(request).await
    }
}

/// A small real PDF, one page per text, written with lopdf in the standard Helvetica font.
pub fn pdf_with_pages(pages: &[&str]) -> Vec<u8> {
    use lopdf::{Dictionary, Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids = Vec::new();
    for text in pages {
        let content = format!("BT /F1 14 Tf 72 760 Td ({text}) Tj ET");
        let content_id = doc.add_object(Stream::new(Dictionary::new(), content.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("the fixture PDF is written");
    out
}
