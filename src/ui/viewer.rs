//! The PDF viewer: a document version, a record's attachment or a piece of evidence shown in
//! the page with pdf.js (vendored), opened at the page a search matched with the words searched
//! for highlighted. Word-processor files are shown through the PDF LibreOffice made of them;
//! while it is being made, or when it cannot be, the page says so and offers the original.
//! Without scripts the page links to the PDF, which the browser shows itself at that page.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    assets,
    page::{Chrome, Tr, Viewer},
};
use crate::{
    AppState,
    db::entities::file,
    domain::{
        DomainError, documents::versions, files::renditions, records::attachments,
        scoring::evidence_files,
    },
    i18n::{Lang, Message},
    web::{
        error::{AppError, AppResult},
        extract::{ApiPath, ApiQuery},
    },
};

/// `?page=3&q=kiểm soát`: where to open and what to highlight.
#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    pub page: Option<u32>,
    #[serde(default)]
    pub q: String,
}

/// The words of a search worth highlighting: operators, quotes, words excluded (`-nháp`) and
/// one-letter words left out.
fn terms_of(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = query
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '(' | ')' | '+' | ':'))
        .filter(|word| !word.starts_with('-'))
        .map(|word| word.trim_end_matches('*'))
        .filter(|word| word.chars().count() > 1 && !matches!(*word, "AND" | "OR" | "NOT"))
        .map(str::to_owned)
        .collect();
    terms.sort();
    terms.dedup();
    terms.truncate(20);
    terms
}

/// Whether a file of this type opens in the viewer: a PDF, or a text document LibreOffice
/// makes a PDF of. (The viewer itself goes by the type found in the bytes at upload.)
pub fn viewable_type(content_type: &str) -> bool {
    content_type == "application/pdf" || crate::render::is_convertible(content_type)
}

/// Whether a file of this name is likely to open in the viewer (for hits, which carry only
/// the name).
pub fn viewable(filename: &str) -> bool {
    mime_guess::from_path(filename)
        .first_raw()
        .is_some_and(viewable_type)
}

/// The viewer's address `base` opened at `page` with `q` highlighted.
pub fn address(base: &str, page: Option<u32>, q: &str) -> String {
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    if let Some(page) = page {
        params.append_pair("page", &page.to_string());
    }
    if !q.trim().is_empty() {
        params.append_pair("q", q.trim());
    }
    let params = params.finish();
    match params.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{params}"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "viewer.html")]
struct ViewerPage {
    chrome: Chrome,
    t: Tr,
    title: String,
    /// Where the viewer's file belongs (the document, the record, the criterion).
    back: Option<(String, String)>,
    original: String,
    filename: String,
    /// The PDF to show, or why there is none.
    pdf: Result<PdfViewer, String>,
    /// The PDF was made from a text document by LibreOffice.
    rendition: bool,
    pending: bool,
}

/// What the viewer (`pdf_viewer.html`, `viewer.mjs`) needs to show one PDF.
pub struct PdfViewer {
    /// The PDF's address.
    pub src: String,
    /// The page to open at (1-based).
    pub page: u32,
    /// The words to highlight, as a JSON list.
    pub terms_json: String,
    pub pdfjs: String,
    pub worker: String,
    pub script: String,
    /// "Page {page} of {pages}", "{hits} matches", "Page {page}", for the script to fill.
    pub pages_text: String,
    pub hits_text: String,
    pub page_text: String,
}

impl PdfViewer {
    /// The viewer of the PDF at `src`, opened at `page` with `query`'s words highlighted.
    pub fn new(src: String, page: u32, query: &str, lang: Lang) -> Self {
        let urls = assets::urls();
        let slot = |code: &'static str, names: &[&'static str]| {
            names
                .iter()
                .fold(Message::new(code), |message, name| {
                    message.arg(name, format!("{{{name}}}"))
                })
                .render(lang)
        };
        Self {
            src,
            page: page.max(1),
            terms_json: serde_json::to_string(&terms_of(query)).unwrap_or_else(|_| "[]".into()),
            pdfjs: urls.pdfjs.clone(),
            worker: urls.pdfjs_worker.clone(),
            script: urls.viewer.clone(),
            pages_text: slot("viewer_pages", &["page", "pages"]),
            hits_text: slot("viewer_hits", &["hits"]),
            page_text: slot("viewer_page", &["page"]),
        }
    }
}

/// What a page shows of a file: the viewer of its PDF, or why there is none yet in the reader's
/// words.
pub struct Shown {
    pub pdf: Result<PdfViewer, String>,
    /// The PDF was made from a text document.
    pub rendition: bool,
    /// The PDF is being made (a reload will show it).
    pub pending: bool,
}

/// The viewer of `row` (whose address in the API is `api`, `…/file`) opened at `page` with
/// `q`'s words marked, through the PDF of a text document when it is one.
pub async fn shown(
    state: &AppState,
    row: &file::Model,
    api: &str,
    page: u32,
    q: &str,
    lang: Lang,
) -> AppResult<Shown> {
    match renditions::pdf_of(&state.db, row, state.config.job_max_attempts).await {
        Ok(pdf) => Ok(Shown {
            pdf: Ok(PdfViewer::new(
                format!("{api}?pdf=true&inline=true"),
                page,
                q,
                lang,
            )),
            rendition: pdf.rendition,
            pending: false,
        }),
        Err(DomainError::Conflict(message)) => Ok(Shown {
            pending: message.code() == "rendition_pending",
            pdf: Err(message.render(lang)),
            rendition: false,
        }),
        Err(error) => Err(AppError::from(error)),
    }
}

/// The file's viewer page: `api` is the file's address in the API (`…/file`).
async fn show(
    state: &AppState,
    viewer: &Viewer,
    row: &file::Model,
    api: String,
    back: Option<(String, String)>,
    query: ViewQuery,
) -> AppResult<Response> {
    let t = viewer.t();
    let Shown {
        pdf,
        rendition,
        pending,
    } = shown(
        state,
        row,
        &api,
        query.page.unwrap_or(1),
        &query.q,
        viewer.lang,
    )
    .await?;
    let page = ViewerPage {
        chrome: viewer.chrome(row.original_filename.clone()),
        t,
        title: row.original_filename.clone(),
        back,
        original: api,
        filename: row.original_filename.clone(),
        pdf,
        rendition,
        pending,
    };
    // Not there yet is no error of the reader's: the page answers 200 and says so.
    let status = match &page.pdf {
        Ok(_) => StatusCode::OK,
        Err(_) if page.pending => StatusCode::OK,
        Err(_) => StatusCode::CONFLICT,
    };
    Ok((status, page).into_response())
}

/// `GET /versions/{id}/view`
pub async fn version_view(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> AppResult<Response> {
    let (version, document, row) =
        versions::readable_version_file(&state.db, &viewer.actor, id).await?;
    let back = (
        format!("/documents/{}", document.id),
        format!(
            "{} — {} ({} {})",
            document.code,
            document.title,
            viewer.t().get("version_label"),
            version.label
        ),
    );
    let api = format!("/api/v1/versions/{id}/file");
    show(&state, &viewer, &row, api, Some(back), query).await
}

/// `GET /attachments/{id}/view`
pub async fn attachment_view(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> AppResult<Response> {
    let (row, record) = attachments::readable_attachment(&state.db, &viewer.actor, id).await?;
    let back = (format!("/records/{}", record.id), record.title.clone());
    let api = format!("/api/v1/attachments/{id}/file");
    show(&state, &viewer, &row, api, Some(back), query).await
}

/// `GET /assessments/{id}/evidence/{link}/view`
pub async fn evidence_view(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, link)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> AppResult<Response> {
    let (evidence, row) = evidence_files::readable_file(&state.db, &viewer.actor, id, link).await?;
    let back = (
        format!("/assessments/{id}/criteria/{}", evidence.criterion_code),
        evidence.criterion_code.clone(),
    );
    let api = format!("/api/v1/assessments/{id}/evidence/{link}/file");
    show(&state, &viewer, &row, api, Some(back), query).await
}

#[cfg(test)]
mod tests {
    use super::terms_of;

    #[test]
    fn pdfs_and_text_documents_open_in_the_viewer() {
        assert!(super::viewable("Quy trình.pdf"));
        assert!(super::viewable("QT-01.docx"));
        assert!(super::viewable("cu.doc"));
        assert!(!super::viewable("bang-diem.xlsx"));
        assert_eq!(
            super::address("/versions/1/view", Some(3), " kiểm soát "),
            "/versions/1/view?page=3&q=ki%E1%BB%83m+so%C3%A1t"
        );
        assert_eq!(super::address("/a/view", None, ""), "/a/view");
    }

    #[test]
    fn the_words_searched_for_are_highlighted_without_operators() {
        assert_eq!(
            terms_of("\"kiểm soát\" tài-liệu -nháp OR a quy*"),
            vec!["kiểm", "quy", "soát", "tài-liệu"]
        );
        assert!(terms_of("  ").is_empty());
    }
}
