//! Scoring against a criteria set (DOMAIN.md §5): `criteria_sets` (imported, never edited: the
//! criteria tree and the rank thresholds as JSON), `scoring_periods` (a set, a year, the
//! agencies, deadlines, a status and the on-site sample's seed), `assessments` (one per agency
//! and period), `assessment_scores` (per criterion: self score and note, appraised score and
//! comment, the fact proposal's fate), `evidence_links` (pinned to a version, a record, an
//! attachment) and `appraiser_assignments`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CriteriaSets {
    Table,
    Id,
    Code,
    CodeKey,
    Name,
    NameEn,
    IssuedBy,
    MaxTotal,
    Ranks,
    Criteria,
    SupersedesId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ScoringPeriods {
    Table,
    Id,
    CriteriaSetId,
    Year,
    Name,
    Status,
    SelfAssessmentDue,
    AppraisalDue,
    Selection,
    SampleSeed,
    Revision,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Assessments {
    Table,
    Id,
    PeriodId,
    AgencyId,
    Status,
    SubmittedAt,
    SubmittedBy,
    LateDays,
    Sampled,
    SampleNote,
    NotSubmitted,
    Total,
    RankCode,
    Revision,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssessmentScores {
    Table,
    Id,
    AssessmentId,
    CriterionCode,
    SelfScore,
    Note,
    AppraisedScore,
    AppraisalComment,
    FactState,
    FactNote,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EvidenceLinks {
    Table,
    Id,
    AssessmentId,
    CriterionCode,
    TargetKind,
    DocumentId,
    VersionId,
    RecordId,
    FileId,
    Page,
    Note,
    CarriedFrom,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AppraiserAssignments {
    Table,
    Id,
    AssessmentId,
    UserId,
    AssignedBy,
    AssignedAt,
}

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CriteriaSets::Table)
                    .col(pk_uuid(CriteriaSets::Id))
                    .col(string_len(CriteriaSets::Code, 100))
                    .col(string_len(CriteriaSets::CodeKey, 100).unique_key())
                    .col(string_len(CriteriaSets::Name, 500))
                    .col(string_len_null(CriteriaSets::NameEn, 500))
                    .col(text_null(CriteriaSets::IssuedBy))
                    .col(double(CriteriaSets::MaxTotal))
                    .col(text(CriteriaSets::Ranks))
                    .col(text(CriteriaSets::Criteria))
                    .col(uuid_null(CriteriaSets::SupersedesId))
                    .col(uuid_null(CriteriaSets::CreatedBy))
                    .col(timestamp_with_time_zone(CriteriaSets::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_criteria_sets_supersedes")
                            .from(CriteriaSets::Table, CriteriaSets::SupersedesId)
                            .to(CriteriaSets::Table, CriteriaSets::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ScoringPeriods::Table)
                    .col(pk_uuid(ScoringPeriods::Id))
                    .col(uuid(ScoringPeriods::CriteriaSetId))
                    .col(integer(ScoringPeriods::Year))
                    .col(string_len(ScoringPeriods::Name, 300))
                    .col(string_len(ScoringPeriods::Status, 32))
                    .col(date(ScoringPeriods::SelfAssessmentDue))
                    .col(date(ScoringPeriods::AppraisalDue))
                    .col(text(ScoringPeriods::Selection))
                    .col(big_integer_null(ScoringPeriods::SampleSeed))
                    .col(integer(ScoringPeriods::Revision))
                    .col(uuid_null(ScoringPeriods::CreatedBy))
                    .col(timestamp_with_time_zone(ScoringPeriods::CreatedAt))
                    .col(timestamp_with_time_zone(ScoringPeriods::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_scoring_periods_set")
                            .from(ScoringPeriods::Table, ScoringPeriods::CriteriaSetId)
                            .to(CriteriaSets::Table, CriteriaSets::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_scoring_periods_year")
                    .table(ScoringPeriods::Table)
                    .col(ScoringPeriods::Year)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Assessments::Table)
                    .col(pk_uuid(Assessments::Id))
                    .col(uuid(Assessments::PeriodId))
                    .col(uuid(Assessments::AgencyId))
                    .col(string_len(Assessments::Status, 32))
                    .col(timestamp_with_time_zone_null(Assessments::SubmittedAt))
                    .col(uuid_null(Assessments::SubmittedBy))
                    .col(integer_null(Assessments::LateDays))
                    .col(boolean(Assessments::Sampled).default(false))
                    .col(text_null(Assessments::SampleNote))
                    .col(boolean(Assessments::NotSubmitted).default(false))
                    .col(double_null(Assessments::Total))
                    .col(string_len_null(Assessments::RankCode, 64))
                    .col(integer(Assessments::Revision))
                    .col(timestamp_with_time_zone(Assessments::CreatedAt))
                    .col(timestamp_with_time_zone(Assessments::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assessments_period")
                            .from(Assessments::Table, Assessments::PeriodId)
                            .to(ScoringPeriods::Table, ScoringPeriods::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assessments_agency")
                            .from(Assessments::Table, Assessments::AgencyId)
                            .to(Agencies::Table, Agencies::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assessments_period_agency")
                    .table(Assessments::Table)
                    .col(Assessments::PeriodId)
                    .col(Assessments::AgencyId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assessments_agency")
                    .table(Assessments::Table)
                    .col(Assessments::AgencyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssessmentScores::Table)
                    .col(pk_uuid(AssessmentScores::Id))
                    .col(uuid(AssessmentScores::AssessmentId))
                    .col(string_len(AssessmentScores::CriterionCode, 64))
                    .col(double_null(AssessmentScores::SelfScore))
                    .col(text_null(AssessmentScores::Note))
                    .col(double_null(AssessmentScores::AppraisedScore))
                    .col(text_null(AssessmentScores::AppraisalComment))
                    .col(string_len_null(AssessmentScores::FactState, 16))
                    .col(text_null(AssessmentScores::FactNote))
                    .col(uuid_null(AssessmentScores::UpdatedBy))
                    .col(timestamp_with_time_zone(AssessmentScores::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assessment_scores_assessment")
                            .from(AssessmentScores::Table, AssessmentScores::AssessmentId)
                            .to(Assessments::Table, Assessments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assessment_scores_criterion")
                    .table(AssessmentScores::Table)
                    .col(AssessmentScores::AssessmentId)
                    .col(AssessmentScores::CriterionCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Targets carry no foreign key: a disposed record or attachment leaves its link behind
        // (with what it was), which carrying forward reports.
        manager
            .create_table(
                Table::create()
                    .table(EvidenceLinks::Table)
                    .col(pk_uuid(EvidenceLinks::Id))
                    .col(uuid(EvidenceLinks::AssessmentId))
                    .col(string_len(EvidenceLinks::CriterionCode, 64))
                    .col(string_len(EvidenceLinks::TargetKind, 32))
                    .col(uuid_null(EvidenceLinks::DocumentId))
                    .col(uuid_null(EvidenceLinks::VersionId))
                    .col(uuid_null(EvidenceLinks::RecordId))
                    .col(uuid_null(EvidenceLinks::FileId))
                    .col(integer_null(EvidenceLinks::Page))
                    .col(text_null(EvidenceLinks::Note))
                    .col(uuid_null(EvidenceLinks::CarriedFrom))
                    .col(uuid_null(EvidenceLinks::CreatedBy))
                    .col(timestamp_with_time_zone(EvidenceLinks::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_evidence_links_assessment")
                            .from(EvidenceLinks::Table, EvidenceLinks::AssessmentId)
                            .to(Assessments::Table, Assessments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_evidence_links_criterion")
                    .table(EvidenceLinks::Table)
                    .col(EvidenceLinks::AssessmentId)
                    .col(EvidenceLinks::CriterionCode)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppraiserAssignments::Table)
                    .col(pk_uuid(AppraiserAssignments::Id))
                    .col(uuid(AppraiserAssignments::AssessmentId))
                    .col(uuid(AppraiserAssignments::UserId))
                    .col(uuid_null(AppraiserAssignments::AssignedBy))
                    .col(timestamp_with_time_zone(AppraiserAssignments::AssignedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_appraiser_assignments_assessment")
                            .from(
                                AppraiserAssignments::Table,
                                AppraiserAssignments::AssessmentId,
                            )
                            .to(Assessments::Table, Assessments::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_appraiser_assignments_user")
                            .from(AppraiserAssignments::Table, AppraiserAssignments::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_appraiser_assignments_pair")
                    .table(AppraiserAssignments::Table)
                    .col(AppraiserAssignments::AssessmentId)
                    .col(AppraiserAssignments::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_appraiser_assignments_user")
                    .table(AppraiserAssignments::Table)
                    .col(AppraiserAssignments::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AppraiserAssignments::Table.into_iden(),
            EvidenceLinks::Table.into_iden(),
            AssessmentScores::Table.into_iden(),
            Assessments::Table.into_iden(),
            ScoringPeriods::Table.into_iden(),
            CriteriaSets::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
