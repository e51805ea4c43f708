//! `renditions`: the PDF made of a word-processor file, by the source's SHA-256.

use sea_orm::entity::prelude::*;

crate::stored_enum! {
    /// Where making a file's PDF stands; stored as its snake_case name.
    pub enum RenditionStatus {
        /// Waiting for its job in the `render` lane.
        Queued,
        /// Being converted.
        Running,
        /// The PDF is stored (`pdf_sha256`).
        Ready,
        /// LibreOffice could not convert the file; the error says why.
        Failed,
        /// LibreOffice is not installed where the job ran.
        Unavailable,
        /// The machine failed while making it (reading the file, storing the PDF); its job
        /// tries again, and asking for it later than ten minutes after queues it again.
        Interrupted,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "renditions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub source_sha256: String,
    pub status: RenditionStatus,
    pub pdf_sha256: Option<String>,
    pub pdf_size: Option<i64>,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
