//! Builders: agencies with their people, users with roles, documents and issued versions.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{PASSWORD, TestApp, id_of, pdf_with_pages};

impl TestApp {
    /// Creates an agency as the admin; returns its id.
    pub async fn agency(&self, code: &str, kind: &str, parent: Option<&str>) -> String {
        let response = self
            .post(
                "/api/v1/agencies",
                &self.admin_token,
                json!({"code": code, "name": format!("Cơ quan {code}"), "kind": kind, "parent_id": parent}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        id_of(&response)
    }

    /// Creates a user holding `role` over `agency` (id or code, or everywhere); returns a token.
    pub async fn user_with_role(&self, username: &str, role: &str, agency: Option<&str>) -> String {
        let created = self
            .post(
                "/api/v1/users",
                &self.admin_token,
                json!({"username": username, "display_name": format!("Người dùng {username}"), "password": PASSWORD}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let granted = self
            .post(
                &format!("/api/v1/users/{}/roles", id_of(&created)),
                &self.admin_token,
                json!({"role": role, "agency_id": agency}),
            )
            .await;
        assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.text);
        self.login(username, PASSWORD).await
    }
}

/// An agency with an ISO officer, an agency head and a staff member, as tokens.
pub struct Agency {
    pub id: String,
    pub officer: String,
    pub head: String,
    pub staff: String,
}

impl TestApp {
    pub async fn staffed_agency(&self, code: &str) -> Agency {
        self.staffed_agency_in(code, "department", None).await
    }

    /// A staffed agency of `kind` under `parent`.
    pub async fn staffed_agency_in(&self, code: &str, kind: &str, parent: Option<&str>) -> Agency {
        let id = self.agency(code, kind, parent).await;
        let lower = code.to_lowercase();
        Agency {
            officer: self
                .user_with_role(&format!("thuky-{lower}"), "iso_officer", Some(&id))
                .await,
            head: self
                .user_with_role(&format!("lanhdao-{lower}"), "agency_head", Some(&id))
                .await,
            staff: self
                .user_with_role(&format!("canbo-{lower}"), "staff", Some(&id))
                .await,
            id,
        }
    }

    /// Registers a procedure as the agency's ISO officer; returns its id.
    pub async fn document(&self, agency: &Agency, code: &str, title: &str) -> String {
        self.document_of_kind(agency, code, title, "procedure")
            .await
    }

    /// Registers a document of `kind` as the agency's ISO officer; returns its id.
    pub async fn document_of_kind(
        &self,
        agency: &Agency,
        code: &str,
        title: &str,
        kind: &str,
    ) -> String {
        let created = self
            .post(
                "/api/v1/documents",
                &agency.officer,
                json!({"agency_id": agency.id, "code": code, "title": title, "kind": kind}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        id_of(&created)
    }

    /// Uploads, submits, approves and publishes a version from `effective_from`; returns its id.
    pub async fn issue_version(
        &self,
        agency: &Agency,
        document_id: &str,
        text: &str,
        summary: Option<&str>,
        effective_from: chrono::NaiveDate,
    ) -> String {
        self.issue_file(
            agency,
            document_id,
            ("quy-trinh.pdf", &pdf_with_pages(&[text])),
            summary,
            effective_from,
        )
        .await
    }

    /// Like [`TestApp::issue_version`] with a file of the caller's: (name, bytes).
    pub async fn issue_file(
        &self,
        agency: &Agency,
        document_id: &str,
        (filename, bytes): (&str, &[u8]),
        summary: Option<&str>,
        effective_from: chrono::NaiveDate,
    ) -> String {
        let uploaded = self
            .upload(&agency.officer, document_id, filename, bytes, summary)
            .await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
        let version = id_of(&uploaded);
        for (token, step, body) in [
            (&agency.officer, "submit", None),
            (&agency.head, "approve", None),
            (
                &agency.head,
                "publish",
                Some(json!({"effective_from": effective_from})),
            ),
        ] {
            let response = self
                .call(
                    Method::POST,
                    &format!("/api/v1/versions/{version}/{step}"),
                    Some(token),
                    Some(body.unwrap_or_else(|| json!({}))),
                )
                .await;
            assert_eq!(response.status, StatusCode::OK, "{step}: {}", response.text);
        }
        version
    }
}
