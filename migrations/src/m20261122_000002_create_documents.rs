//! Controlled documents: documents, versions, blobs, legal references, reviews, acknowledgements.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agencies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Blobs {
    Table,
    Sha256,
    Size,
    ContentType,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    AgencyId,
    Code,
    CodeKey,
    Title,
    Kind,
    OwnerId,
    ReviewIntervalMonths,
    NextReviewOn,
    Tags,
    Status,
    UpdateRequiredBy,
    UpdateReason,
    ObsoleteReason,
    Revision,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DocumentVersions {
    Table,
    Id,
    DocumentId,
    Seq,
    Label,
    Status,
    ChangeSummary,
    DraftedBy,
    SubmittedAt,
    ApprovedBy,
    ApprovedAt,
    RejectedBy,
    RejectedAt,
    RejectReason,
    PublishedBy,
    PublishedAt,
    EffectiveFrom,
    EffectiveTo,
    ObsoleteReason,
    BlobSha256,
    OriginalFilename,
    Size,
    ContentType,
    ExtractionStatus,
    ExtractionMethod,
    ExtractionPages,
    ExtractionLegacyEncoding,
    ExtractionError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LegalRefs {
    Table,
    Id,
    Number,
    NumberKey,
    Title,
    IssuedOn,
    EffectiveOn,
    Status,
    StatusEffectiveOn,
    ReplacedBy,
    Revision,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DocumentLegalRefs {
    Table,
    DocumentId,
    LegalRefId,
}

#[derive(DeriveIden)]
enum DocumentReviews {
    Table,
    Id,
    DocumentId,
    Verdict,
    Note,
    ReviewedBy,
    ReviewedAt,
}

#[derive(DeriveIden)]
enum Acknowledgements {
    Table,
    VersionId,
    UserId,
    AcknowledgedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Blobs::Table)
                    .col(string_len(Blobs::Sha256, 64).primary_key())
                    .col(big_integer(Blobs::Size))
                    .col(string_len(Blobs::ContentType, 128))
                    .col(timestamp_with_time_zone(Blobs::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LegalRefs::Table)
                    .col(pk_uuid(LegalRefs::Id))
                    .col(string_len(LegalRefs::Number, 100))
                    .col(string_len_uniq(LegalRefs::NumberKey, 100))
                    .col(string_len(LegalRefs::Title, 500))
                    .col(date_null(LegalRefs::IssuedOn))
                    .col(date_null(LegalRefs::EffectiveOn))
                    .col(string_len(LegalRefs::Status, 16))
                    .col(date_null(LegalRefs::StatusEffectiveOn))
                    .col(uuid_null(LegalRefs::ReplacedBy))
                    .col(integer(LegalRefs::Revision))
                    .col(timestamp_with_time_zone(LegalRefs::CreatedAt))
                    .col(timestamp_with_time_zone(LegalRefs::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_legal_refs_replaced_by",
                        (LegalRefs::Table, LegalRefs::ReplacedBy),
                        (LegalRefs::Table, LegalRefs::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(pk_uuid(Documents::Id))
                    .col(uuid(Documents::AgencyId))
                    .col(string_len(Documents::Code, 100))
                    .col(string_len(Documents::CodeKey, 100))
                    .col(string_len(Documents::Title, 500))
                    .col(string_len(Documents::Kind, 32))
                    .col(uuid_null(Documents::OwnerId))
                    .col(integer(Documents::ReviewIntervalMonths))
                    .col(date_null(Documents::NextReviewOn))
                    .col(text(Documents::Tags))
                    .col(string_len(Documents::Status, 16))
                    .col(date_null(Documents::UpdateRequiredBy))
                    .col(text_null(Documents::UpdateReason))
                    .col(text_null(Documents::ObsoleteReason))
                    .col(integer(Documents::Revision))
                    .col(uuid_null(Documents::CreatedBy))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .col(timestamp_with_time_zone(Documents::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_documents_agency",
                        (Documents::Table, Documents::AgencyId),
                        (Agencies::Table, Agencies::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_documents_owner",
                        (Documents::Table, Documents::OwnerId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_agency_code")
                    .table(Documents::Table)
                    .col(Documents::AgencyId)
                    .col(Documents::CodeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_status")
                    .table(Documents::Table)
                    .col(Documents::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DocumentVersions::Table)
                    .col(pk_uuid(DocumentVersions::Id))
                    .col(uuid(DocumentVersions::DocumentId))
                    .col(integer(DocumentVersions::Seq))
                    .col(string_len(DocumentVersions::Label, 32))
                    .col(string_len(DocumentVersions::Status, 16))
                    .col(text_null(DocumentVersions::ChangeSummary))
                    .col(uuid_null(DocumentVersions::DraftedBy))
                    .col(timestamp_with_time_zone_null(DocumentVersions::SubmittedAt))
                    .col(uuid_null(DocumentVersions::ApprovedBy))
                    .col(timestamp_with_time_zone_null(DocumentVersions::ApprovedAt))
                    .col(uuid_null(DocumentVersions::RejectedBy))
                    .col(timestamp_with_time_zone_null(DocumentVersions::RejectedAt))
                    .col(text_null(DocumentVersions::RejectReason))
                    .col(uuid_null(DocumentVersions::PublishedBy))
                    .col(timestamp_with_time_zone_null(DocumentVersions::PublishedAt))
                    .col(date_null(DocumentVersions::EffectiveFrom))
                    .col(date_null(DocumentVersions::EffectiveTo))
                    .col(text_null(DocumentVersions::ObsoleteReason))
                    .col(string_len(DocumentVersions::BlobSha256, 64))
                    .col(string_len(DocumentVersions::OriginalFilename, 255))
                    .col(big_integer(DocumentVersions::Size))
                    .col(string_len(DocumentVersions::ContentType, 128))
                    .col(string_len(DocumentVersions::ExtractionStatus, 16))
                    .col(string_len_null(DocumentVersions::ExtractionMethod, 32))
                    .col(integer_null(DocumentVersions::ExtractionPages))
                    .col(string_len_null(
                        DocumentVersions::ExtractionLegacyEncoding,
                        16,
                    ))
                    .col(text_null(DocumentVersions::ExtractionError))
                    .col(timestamp_with_time_zone(DocumentVersions::CreatedAt))
                    .col(timestamp_with_time_zone(DocumentVersions::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_versions_document",
                        (DocumentVersions::Table, DocumentVersions::DocumentId),
                        (Documents::Table, Documents::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_versions_blob",
                        (DocumentVersions::Table, DocumentVersions::BlobSha256),
                        (Blobs::Table, Blobs::Sha256),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_versions_document_seq")
                    .table(DocumentVersions::Table)
                    .col(DocumentVersions::DocumentId)
                    .col(DocumentVersions::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_versions_document_label")
                    .table(DocumentVersions::Table)
                    .col(DocumentVersions::DocumentId)
                    .col(DocumentVersions::Label)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One effective version per document, guarded by the database itself (same syntax on
        // SQLite and PostgreSQL).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_versions_one_effective ON document_versions (document_id) WHERE status = 'effective'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DocumentLegalRefs::Table)
                    .col(uuid(DocumentLegalRefs::DocumentId))
                    .col(uuid(DocumentLegalRefs::LegalRefId))
                    .primary_key(
                        Index::create()
                            .col(DocumentLegalRefs::DocumentId)
                            .col(DocumentLegalRefs::LegalRefId),
                    )
                    .foreign_key(&mut fk(
                        "fk_document_legal_refs_document",
                        (DocumentLegalRefs::Table, DocumentLegalRefs::DocumentId),
                        (Documents::Table, Documents::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_document_legal_refs_ref",
                        (DocumentLegalRefs::Table, DocumentLegalRefs::LegalRefId),
                        (LegalRefs::Table, LegalRefs::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_document_legal_refs_ref")
                    .table(DocumentLegalRefs::Table)
                    .col(DocumentLegalRefs::LegalRefId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DocumentReviews::Table)
                    .col(pk_uuid(DocumentReviews::Id))
                    .col(uuid(DocumentReviews::DocumentId))
                    .col(string_len(DocumentReviews::Verdict, 16))
                    .col(text(DocumentReviews::Note))
                    .col(uuid_null(DocumentReviews::ReviewedBy))
                    .col(timestamp_with_time_zone(DocumentReviews::ReviewedAt))
                    .foreign_key(&mut fk(
                        "fk_document_reviews_document",
                        (DocumentReviews::Table, DocumentReviews::DocumentId),
                        (Documents::Table, Documents::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Acknowledgements::Table)
                    .col(uuid(Acknowledgements::VersionId))
                    .col(uuid(Acknowledgements::UserId))
                    .col(timestamp_with_time_zone(Acknowledgements::AcknowledgedAt))
                    .primary_key(
                        Index::create()
                            .col(Acknowledgements::VersionId)
                            .col(Acknowledgements::UserId),
                    )
                    .foreign_key(&mut fk(
                        "fk_acknowledgements_version",
                        (Acknowledgements::Table, Acknowledgements::VersionId),
                        (DocumentVersions::Table, DocumentVersions::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_acknowledgements_user",
                        (Acknowledgements::Table, Acknowledgements::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Acknowledgements::Table.into_iden(),
            DocumentReviews::Table.into_iden(),
            DocumentLegalRefs::Table.into_iden(),
            DocumentVersions::Table.into_iden(),
            Documents::Table.into_iden(),
            LegalRefs::Table.into_iden(),
            Blobs::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
