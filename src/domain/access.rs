//! Who may do what on which agency: roles, actions and the one access check every edge uses.

use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{DomainError, DomainResult};
use crate::db::entities::agency;

/// A role a user holds over an agency subtree (DOMAIN.md §2).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// Quản trị hệ thống: users, agencies, configuration.
    Admin,
    /// Cơ quan thường trực (DOST / Chi cục TĐC): criteria, periods, rankings; reads all agencies.
    Coordinator,
    /// Lãnh đạo / người đứng đầu: approves documents, chairs management review.
    AgencyHead,
    /// Thư ký ISO: drafts documents, uploads records, prepares the self-assessment.
    IsoOfficer,
    /// Chuyên gia đánh giá nội bộ: plans audits, logs findings, verifies corrective actions.
    InternalAuditor,
    /// Cán bộ, công chức: reads effective procedures, acknowledges new versions.
    Staff,
    /// Thành viên tổ thẩm định: reviews assigned agencies' self-assessments.
    Appraiser,
}

impl Role {
    /// Roles that make an agency a person's own (duties over agencies, such as coordinating or
    /// appraising, do not).
    pub fn is_membership(self) -> bool {
        matches!(
            self,
            Self::AgencyHead | Self::IsoOfficer | Self::InternalAuditor | Self::Staff
        )
    }

    /// What holders of this role may do within the scope of their grant.
    fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            // Administrators run the system; approving documents and appraising agencies stay
            // with the people the law names (separation of duties).
            Role::Admin => !matches!(action, ApproveDocuments | ApproveRecords | Appraise),
            Role::Coordinator => matches!(
                action,
                ReadDirectory
                    | ReadUsers
                    | ReadAuditLog
                    | ReadRecords
                    | ManageCriteria
                    | ManageLegalRegister
                    | RunInspections
            ),
            Role::AgencyHead => matches!(
                action,
                ReadDirectory
                    | ReadRecords
                    | ApproveDocuments
                    | ApproveRecords
                    | AcknowledgeDocuments
            ),
            Role::IsoOfficer => matches!(
                action,
                ReadDirectory | ReadRecords | EditDocuments | ManageRecords | AcknowledgeDocuments
            ),
            Role::InternalAuditor => matches!(
                action,
                ReadDirectory | ReadRecords | ConductInternalAudits | AcknowledgeDocuments
            ),
            Role::Staff => matches!(action, ReadDirectory | ReadRecords | AcknowledgeDocuments),
            Role::Appraiser => matches!(action, ReadDirectory | ReadRecords | Appraise),
        }
    }
}

/// Something a user may try to do; the access check decides per agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See agencies (names, codes, the tree).
    ReadDirectory,
    /// Create, rename, move and merge agencies.
    ManageAgencies,
    /// See user accounts and their roles.
    ReadUsers,
    /// Create users, change them and grant roles.
    ManageUsers,
    /// Read the audit trail.
    ReadAuditLog,
    /// See the background job queue.
    ViewJobs,
    /// Read an agency's documents and records.
    ReadRecords,
    /// Draft and maintain controlled documents and records.
    EditDocuments,
    /// Approve, reject and publish document versions.
    ApproveDocuments,
    /// Acknowledge having read an effective version.
    AcknowledgeDocuments,
    /// Keep the agency's QMS records: corrective actions, management reviews, objectives,
    /// announcements, complaints, record series.
    ManageRecords,
    /// Sign off management reviews and approve the disposal of records (the agency head).
    ApproveRecords,
    /// Plan internal audits, log findings, verify corrective actions.
    ConductInternalAudits,
    /// Plan and record the province's inspections of agencies (the coordinating office).
    RunInspections,
    /// Manage criteria sets, scoring periods and appraiser assignments.
    ManageCriteria,
    /// Appraise an agency's self-assessment.
    Appraise,
    /// Change or withdraw the legal references every agency shares (adding new ones belongs to
    /// whoever maintains documents).
    ManageLegalRegister,
}

/// One role held by a user: everywhere when `agency_id` is `None`, else over that subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Grant {
    pub role: Role,
    pub agency_id: Option<Uuid>,
}

/// The agency tree as the access check needs it: parents and successors.
#[derive(Debug, Clone, Default)]
pub struct AgencyTree {
    parent: HashMap<Uuid, Option<Uuid>>,
    successor: HashMap<Uuid, Option<Uuid>>,
}

impl AgencyTree {
    /// Loads the whole tree (a province has a few hundred agencies).
    pub async fn load(db: &impl ConnectionTrait) -> DomainResult<Self> {
        let rows = agency::Entity::find().all(db).await?;
        let mut tree = AgencyTree::default();
        for row in rows {
            tree.parent.insert(row.id, row.parent_id);
            tree.successor.insert(row.id, row.successor_id);
        }
        Ok(tree)
    }

    /// Builds a tree from `(id, parent, successor)` triples.
    pub fn from_links(links: impl IntoIterator<Item = (Uuid, Option<Uuid>, Option<Uuid>)>) -> Self {
        let mut tree = AgencyTree::default();
        for (id, parent, successor) in links {
            tree.parent.insert(id, parent);
            tree.successor.insert(id, successor);
        }
        tree
    }

    pub fn contains(&self, id: Uuid) -> bool {
        self.parent.contains_key(&id)
    }

    /// The agency, its parent, its grandparent… up to the root.
    pub fn ancestors_and_self(&self, id: Uuid) -> Vec<Uuid> {
        let mut chain = Vec::new();
        let mut current = Some(id);
        while let Some(agency) = current {
            if chain.contains(&agency) {
                break;
            }
            chain.push(agency);
            current = self.parent.get(&agency).copied().flatten();
        }
        chain
    }

    /// Whether a grant over `root` reaches `target`: `target` lies in `root`'s subtree, or was
    /// merged (via successor links) into an agency of that subtree.
    pub fn covers(&self, root: Uuid, target: Uuid) -> bool {
        let mut seen = HashSet::new();
        let mut current = Some(target);
        while let Some(agency) = current {
            if !seen.insert(agency) {
                return false;
            }
            if self.ancestors_and_self(agency).contains(&root) {
                return true;
            }
            current = self.successor.get(&agency).copied().flatten();
        }
        false
    }

    /// Every agency a grant over `root` reaches.
    pub fn covered_by(&self, root: Uuid) -> HashSet<Uuid> {
        self.parent
            .keys()
            .copied()
            .filter(|id| self.covers(root, *id))
            .collect()
    }

    /// Whether making `new_parent` the parent of `agency` would create a cycle.
    pub fn would_cycle(&self, agency: Uuid, new_parent: Uuid) -> bool {
        self.ancestors_and_self(new_parent).contains(&agency)
    }
}

/// Which agencies an actor may act on for one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgencyScope {
    All,
    Only(HashSet<Uuid>),
}

impl AgencyScope {
    pub fn includes(&self, agency: Uuid) -> bool {
        match self {
            AgencyScope::All => true,
            AgencyScope::Only(set) => set.contains(&agency),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, AgencyScope::Only(set) if set.is_empty())
    }
}

/// Who is acting: a signed-in user with their grants, or the operator's CLI.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub name: String,
    pub grants: Vec<Grant>,
}

impl Actor {
    /// The agencies the person works in (by a membership role), each once.
    pub fn own_agencies(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .grants
            .iter()
            .filter(|grant| grant.role.is_membership())
            .filter_map(|grant| grant.agency_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The operator at the server's console (`hoso user add`, bootstrap): full rights.
    pub fn system(name: &str) -> Self {
        Actor {
            user_id: None,
            name: name.to_owned(),
            grants: vec![Grant {
                role: Role::Admin,
                agency_id: None,
            }],
        }
    }

    /// May the actor do `action` on `agency` (or, with `None`, system-wide)?
    pub fn can(&self, action: Action, agency: Option<Uuid>, tree: &AgencyTree) -> bool {
        self.grants.iter().any(|grant| {
            grant.role.allows(action)
                && match (grant.agency_id, agency) {
                    (None, _) => true,
                    (Some(_), None) => false,
                    (Some(root), Some(target)) => tree.covers(root, target),
                }
        })
    }

    /// [`Actor::can`], as a `Forbidden` error when not.
    pub fn require(
        &self,
        action: Action,
        agency: Option<Uuid>,
        tree: &AgencyTree,
    ) -> DomainResult<()> {
        if self.can(action, agency, tree) {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    /// The agencies on which the actor may do `action`, for filtering lists inside queries.
    pub fn scope(&self, action: Action, tree: &AgencyTree) -> AgencyScope {
        let mut agencies = HashSet::new();
        for grant in self.grants.iter().filter(|grant| grant.role.allows(action)) {
            match grant.agency_id {
                None => return AgencyScope::All,
                Some(root) => agencies.extend(tree.covered_by(root)),
            }
        }
        AgencyScope::Only(agencies)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|grant| grant.role == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Uuid, Uuid, Uuid, Uuid, Uuid) {
        (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        )
    }

    fn actor(role: Role, agency: Option<Uuid>) -> Actor {
        Actor {
            user_id: Some(Uuid::now_v7()),
            name: "t".into(),
            grants: vec![Grant {
                role,
                agency_id: agency,
            }],
        }
    }

    #[test]
    fn a_grant_reaches_the_whole_subtree_but_not_siblings() {
        let (province, dost, branch, commune, _) = ids();
        let tree = AgencyTree::from_links([
            (province, None, None),
            (dost, Some(province), None),
            (branch, Some(dost), None),
            (commune, Some(province), None),
        ]);
        let officer = actor(Role::IsoOfficer, Some(dost));
        assert!(officer.can(Action::EditDocuments, Some(branch), &tree));
        assert!(!officer.can(Action::EditDocuments, Some(commune), &tree));
        assert!(!officer.can(Action::EditDocuments, Some(province), &tree));
        assert!(!officer.can(Action::ApproveDocuments, Some(dost), &tree));
    }

    #[test]
    fn a_successor_sees_the_agencies_merged_into_it() {
        let (province, old_commune, new_commune, _, _) = ids();
        let tree = AgencyTree::from_links([
            (province, None, None),
            (new_commune, Some(province), None),
            (old_commune, Some(province), Some(new_commune)),
        ]);
        let staff = actor(Role::Staff, Some(new_commune));
        assert!(staff.can(Action::ReadRecords, Some(old_commune), &tree));
        let old_staff = actor(Role::Staff, Some(old_commune));
        assert!(!old_staff.can(Action::ReadRecords, Some(new_commune), &tree));
    }

    #[test]
    fn coordinators_read_everything_but_change_nothing() {
        let (province, dost, _, _, _) = ids();
        let tree = AgencyTree::from_links([(province, None, None), (dost, Some(province), None)]);
        let coordinator = actor(Role::Coordinator, None);
        assert!(coordinator.can(Action::ReadAuditLog, Some(dost), &tree));
        assert!(coordinator.can(Action::ReadUsers, None, &tree));
        assert!(!coordinator.can(Action::ManageUsers, None, &tree));
        assert!(!coordinator.can(Action::ManageAgencies, Some(dost), &tree));
        assert_eq!(
            coordinator.scope(Action::ReadRecords, &tree),
            AgencyScope::All
        );
    }

    #[test]
    fn an_agency_scoped_grant_never_allows_system_wide_actions() {
        let (province, _, _, _, _) = ids();
        let tree = AgencyTree::from_links([(province, None, None)]);
        let local_admin = actor(Role::Admin, Some(province));
        assert!(local_admin.can(Action::ManageAgencies, Some(province), &tree));
        assert!(!local_admin.can(Action::ManageUsers, None, &tree));
    }

    #[test]
    fn only_agency_heads_approve_documents_not_administrators() {
        let (agency, _, _, _, _) = ids();
        let tree = AgencyTree::from_links([(agency, None, None)]);
        assert!(!actor(Role::Admin, None).can(Action::ApproveDocuments, Some(agency), &tree));
        assert!(actor(Role::AgencyHead, Some(agency)).can(
            Action::ApproveDocuments,
            Some(agency),
            &tree
        ));
        assert!(!actor(Role::IsoOfficer, Some(agency)).can(
            Action::ApproveDocuments,
            Some(agency),
            &tree
        ));
    }

    #[test]
    fn cycles_in_the_tree_are_detected() {
        let (a, b, c, _, _) = ids();
        let tree =
            AgencyTree::from_links([(a, None, None), (b, Some(a), None), (c, Some(b), None)]);
        assert!(tree.would_cycle(a, c));
        assert!(!tree.would_cycle(c, a));
    }

    #[test]
    fn role_ids_round_trip() {
        use crate::names::Named;
        for &role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
