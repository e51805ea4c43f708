//! Files hoso writes for people to take away: a ZIP streamed from stored blobs (the dossier of
//! an assessment) and spreadsheets of results. They know no domain: the domain says what goes
//! in.

pub mod docx;
pub mod zip_stream;
