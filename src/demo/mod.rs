//! `hoso demo` and `hoso serve --demo`: a living demo province loaded into an empty database,
//! so a newcomer sees a real system in one command. Tỉnh Minh Hòa (a fictional province) has
//! two departments and two communes, people in every role, procedures written by hoso itself
//! as PDF and DOCX with Vietnamese text, versions at every status, an internal audit with its
//! findings and corrective actions (one overdue), a management review waiting for signature,
//! announcements, last year's published ranking and this year's self-assessments under way.
//!
//! Everything goes through the JSON API as the person who would do it, so the demo obeys the
//! same rules as everyone; only the province, its agencies and its people are created by the
//! operator, as `hoso user add` does.

mod api;
mod documents;
mod records;
mod scoring;

use anyhow::Context;
use sea_orm::{EntityTrait, PaginatorTrait};

use axum::Router;

use crate::{
    AppState,
    db::entities::agency,
    domain::{
        Actor, Role,
        agencies::{self, AgencyKind, NewAgency},
        auth::{self, ClientInfo},
        passwords::random_password,
        users::{self, NewRoleGrant, NewUser},
    },
};
use api::Api;

/// A person of the demo, with the password printed once.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub agency: String,
    pub password: String,
}

/// What the demo loaded: its people (to sign in with) and a count of what they made.
#[derive(Debug, Default)]
pub struct Report {
    pub accounts: Vec<Account>,
    pub documents: usize,
    pub records: usize,
}

impl Report {
    /// The accounts as a table for the terminal.
    pub fn accounts_table(&self) -> String {
        let mut out = String::new();
        for account in &self.accounts {
            out.push_str(&format!(
                "  {:<16} {:<22} {:<20} {}\n",
                account.username, account.password, account.role, account.agency
            ));
        }
        out
    }
}

/// An agency of the demo with its people's tokens.
pub(crate) struct Office {
    pub id: String,
    pub code: &'static str,
    pub name: &'static str,
    pub commune: bool,
    pub officer: String,
    pub head: String,
    pub head_id: uuid::Uuid,
    pub auditor: String,
    pub auditor_id: uuid::Uuid,
    pub staff: String,
    pub staff_id: uuid::Uuid,
}

/// The people and places, made by the operator.
struct People {
    accounts: Vec<Account>,
    coordinator: String,
    appraiser: String,
    appraiser_id: uuid::Uuid,
    offices: Vec<Office>,
}

const OFFICES: [(&str, &str, bool); 4] = [
    ("SKHCN", "Sở Khoa học và Công nghệ", false),
    ("STP", "Sở Tư pháp", false),
    ("XAP", "UBND xã An Phú", true),
    ("XBM", "UBND xã Bình Minh", true),
];

/// Whether the database holds no agency yet (nothing but its first administrator).
pub async fn is_empty(state: &AppState) -> anyhow::Result<bool> {
    Ok(agency::Entity::find().count(&state.db).await? == 0)
}

/// Loads the demo province into an empty database, through `router` (the app's own).
/// Refuses a database with agencies.
pub async fn load(state: &AppState, router: Router) -> anyhow::Result<Report> {
    if !is_empty(state).await? {
        anyhow::bail!("the database already holds agencies: the demo loads into an empty one only");
    }
    let api = Api::new(router);
    let people = people(state).await?;
    let mut report = Report {
        accounts: people.accounts.clone(),
        ..Report::default()
    };
    for office in &people.offices {
        report.documents += documents::load(&api, office).await?;
    }
    for office in people.offices.iter().filter(|office| !office.commune) {
        report.records += records::load(&api, office).await?;
    }
    scoring::load(
        &api,
        &people.coordinator,
        &people.appraiser,
        people.appraiser_id,
        &people.offices,
    )
    .await?;
    Ok(report)
}

async fn person(
    app: &AppState,
    accounts: &mut Vec<Account>,
    (username, display_name): (&str, &str),
    (role, agency_id, agency_name): (Role, Option<uuid::Uuid>, &str),
) -> anyhow::Result<(String, uuid::Uuid)> {
    let operator = Actor::system("demo");
    let password = random_password();
    let created = users::create_user(
        &app.db,
        &operator,
        NewUser {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            email: None,
            password: password.clone(),
        },
    )
    .await
    .with_context(|| format!("creating {username}"))?;
    users::grant_role(
        &app.db,
        &operator,
        created.id,
        NewRoleGrant {
            role,
            agency_id: agency_id.map(|id| id.to_string()),
        },
    )
    .await
    .with_context(|| format!("granting {username} a role"))?;
    let client = ClientInfo {
        ip: "demo".to_owned(),
        user_agent: Some("hoso demo".to_owned()),
    };
    let session = auth::login(&app.db, &app.config, username, &password, &client)
        .await
        .with_context(|| format!("signing {username} in"))?;
    let role_name: &'static str = role.into();
    accounts.push(Account {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        role: role_name,
        agency: agency_name.to_owned(),
        password,
    });
    Ok((session.token, created.id))
}

async fn people(app: &AppState) -> anyhow::Result<People> {
    let operator = Actor::system("demo");
    let db = &app.db;
    let province = agencies::create_agency(
        db,
        &operator,
        NewAgency {
            code: "MINHHOA".to_owned(),
            name: "UBND tỉnh Minh Hòa".to_owned(),
            kind: AgencyKind::Province,
            parent_id: None,
        },
    )
    .await?;
    let mut accounts = Vec::new();
    let (coordinator, _) = person(
        app,
        &mut accounts,
        ("dieuphoi", "Trần Thị Thu (Chi cục TĐC)"),
        (Role::Coordinator, Some(province.id), &province.name),
    )
    .await?;
    let (appraiser, appraiser_id) = person(
        app,
        &mut accounts,
        ("thamdinh", "Lê Văn Hùng (Tổ thẩm định)"),
        (Role::Appraiser, Some(province.id), &province.name),
    )
    .await?;
    let mut offices = Vec::new();
    for (code, name, commune) in OFFICES {
        let agency = agencies::create_agency(
            db,
            &operator,
            NewAgency {
                code: code.to_owned(),
                name: name.to_owned(),
                kind: if commune {
                    AgencyKind::Commune
                } else {
                    AgencyKind::Department
                },
                parent_id: Some(province.id.to_string()),
            },
        )
        .await?;
        let lower = code.to_lowercase();
        let at = |role| (role, Some(agency.id), name);
        let (officer, _) = person(
            app,
            &mut accounts,
            (
                &format!("thuky.{lower}"),
                &format!("Nguyễn Thị Mai ({code})"),
            ),
            at(Role::IsoOfficer),
        )
        .await?;
        let (head, head_id) = person(
            app,
            &mut accounts,
            (
                &format!("lanhdao.{lower}"),
                &format!("Phạm Văn Quang ({code})"),
            ),
            at(Role::AgencyHead),
        )
        .await?;
        let (auditor, auditor_id) = person(
            app,
            &mut accounts,
            (
                &format!("danhgia.{lower}"),
                &format!("Võ Thị Hạnh ({code})"),
            ),
            at(Role::InternalAuditor),
        )
        .await?;
        let (staff, staff_id) = person(
            app,
            &mut accounts,
            (
                &format!("canbo.{lower}"),
                &format!("Đặng Minh Tuấn ({code})"),
            ),
            at(Role::Staff),
        )
        .await?;
        offices.push(Office {
            id: agency.id.to_string(),
            code,
            name,
            commune,
            officer,
            head,
            head_id,
            auditor,
            auditor_id,
            staff,
            staff_id,
        });
    }
    Ok(People {
        accounts,
        coordinator,
        appraiser,
        appraiser_id,
        offices,
    })
}
