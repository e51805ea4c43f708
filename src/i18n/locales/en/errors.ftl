# Errors and refusals, by the stable code the API answers with. Arguments are `{ $name }`.

## Signing in and permissions

unauthenticated = sign in first: send a bearer token or the session cookie
invalid_credentials = wrong username or password
session_ended = your session has expired or was signed out: sign in again
forbidden = you do not have permission to do this
too_many_attempts = too many failed attempts; try again in { $seconds } seconds
register_shared = the legal register is shared by every agency: only the coordinating office (or an administrator) changes or decides on a reference; propose the change (POST /legal-refs/{id}/proposals) and they accept or decline it

## Not found, conflicts and rules

not_found = { $what ->
    [agency] agency
    [document] document
    [file] file
    [legal_reference] legal reference
    [proposal] proposal
    [role_grant] role grant
    [user] user
    [version] version
    [version_in_force] version in force on that day
    [internal_audit] internal audit
    [finding] finding
    [checklist_item] checklist item
    [corrective_action] corrective action
    [management_review] management review
    [quality_objective] quality objective
    [announcement] announcement
    [inspection] inspection
    [inspection_minutes] inspection minutes
    [complaint] complaint
    [record] record
    [attachment] attachment
    [series] record series
    [disposal] disposal request
    [assignment] appraiser assignment
    [assessment] assessment
    [criteria_set] criteria set
    [criterion] criterion
    [evidence] evidence
    [fact] fact proposal
    [period] scoring period
    [action] action
   *[other] resource
} not found
no_such_resource = no such resource
method_not_allowed = this method is not allowed on this path
precondition_required = send If-Match with the ETag of what you read
precondition_failed = the document changed since you read it; reload it and apply your change again
already_exists = this already exists (it was created at the same moment by another request)
internal_error = an internal error occurred; quote the request id when reporting it
username_taken = the username { $username } is already taken
agency_code_taken = an agency with code { $code } already exists
document_code_taken = this agency already has a document with code { $code }
legal_ref_exists = { $number } is already in the register
label_taken = this document already has a version labelled { $label }
revision_in_progress = version { $label } is still { $status ->
    [draft] a draft
    [in_review] in review
   *[approved] approved and not yet in force
}; finish or reject it first
already_published = this version is already published and waits for its effective date
invalid_transition = cannot { $action } a version that is { $status ->
    [draft] a draft
    [in_review] in review
    [approved] approved
    [effective] in force
    [superseded] superseded
    [obsolete] obsolete
   *[rejected] rejected
}; { $action ->
    [submit] only a draft can be submitted
    [approve] only a version in review can be approved
    [reject] only a version in review can be rejected
    [publish] only an approved version can be published
   *[withdraw] only an approved or effective version can be withdrawn
}
own_draft = you drafted this version, so someone else must { $action } it
nothing_to_review = only a document with an effective version can be reviewed
not_effective = only the version in force can be acknowledged
not_issued = only issued versions (effective, superseded or obsolete) have stamped copies; download the original
no_pdf_of_type = only PDF files and text documents (DOCX, DOC, ODT) are shown as a PDF or stamped, and this file is { $content_type }; download the original
rendition_pending = the PDF of this document is being made; try again in a minute, or download the original
rendition_failed = no PDF could be made of this document ({ $detail }); download the original
rendition_unavailable = this server cannot make PDFs of text documents (LibreOffice is not installed); download the original
rendition_interrupted = the PDF of this document could not be made just now (the server failed while making it); it will be tried again — download the original
too_large_to_stamp = this PDF is too large to stamp; download the original
cannot_stamp = this PDF cannot be stamped: { $detail }
code_exhausted = no free code near { $base }
upload_lost = the stored copy of this file was removed while it was being recorded; upload it again
agency_closed = { $agency } is { $state ->
    [merged] merged into another agency
   *[inactive] no longer active
}: register new documents with the agency that carries on its work
agency_cycle = an agency cannot be placed under itself or its own sub-agencies
agency_merge_cycle = an agency cannot be merged into itself or into an agency merged into it
cannot_deactivate_self = you cannot deactivate your own account
cannot_revoke_own_admin = you cannot remove your own admin role

## QMS records

record_locked = { $number } is { $status ->
    [closed] closed
    [signed_off] signed off
   *[other] { $status }
} and can no longer be changed
record_transition = cannot move from { $from } to { $to }; from { $from } it may move to: { $allowed }
record_number_taken = this agency already has a record of this kind numbered { $number }
audit_report_required = write the audit report (field "report") before marking the audit reported
audit_nonconformities_open = the audit closes only when every nonconformity's corrective actions are closed; still open: { $findings }
not_an_internal_auditor = user { $user } is not an internal auditor of this agency: only internal auditors lead or join an audit
auditor_not_independent = user { $user } holds the role { $role } in a unit this audit covers: auditors do not audit their own work; choose another internal auditor
finding_required = a corrective action from an internal audit names its finding (finding_id)
finding_only_for_audits = finding_id belongs to corrective actions from an internal audit; use source_record_id for other sources
audit_source_is_finding = a corrective action from an internal audit names its finding in finding_id, not source_record_id
source_record_not_for_other = a corrective action of source "other" comes from no record
action_owner_only = only the owner of this action, or the agency's ISO officer, marks it done
action_already_done = this action is already marked done
chair_not_head = a management review is chaired by a head of the agency (agency_head)
review_chair_only = only the chair of this management review signs it off
announcement_current_exists = the agency's current announcement is { $number }: name it in previous_id, with a reason, to announce again
announcement_not_current = only the current announcement can be replaced
not_in_inspection_plan = this agency is not in the inspection plan: add it to the plan first
disposal_pending = a disposal of this record is already waiting for the head's decision
disposal_decided = this disposal was already { $status ->
    [approved] approved
   *[refused] refused
}
disposal_own_request = you asked for this disposal, so another head of the agency approves it
dispose_with_parent = this record is disposed of with the record it belongs to ({ $parent })
kept_permanently = this kind of record is kept permanently
retention_not_over = this record is kept until { $until }
legal_hold = this record, or one under it, is under legal hold: lift the hold first
series_name_taken = this agency already has a record series named { $name }
verifier_owns_action = the effectiveness of a corrective action is verified by someone who owns none of its actions: ask an internal auditor or ISO officer who does not

## Scoring

criteria_set_invalid = the criteria set has { $count } problem(s): see details.problems
criteria_set_code_taken = a criteria set with code { $code } already exists (a revision needs a code of its own and names the set it supersedes)
criteria_format_unknown = unknown format: expected { $expected }
criteria_code_missing = a code is required
criteria_name_missing = the set needs a name
criteria_title_missing = a title is required
criteria_empty = the set has no criteria
criteria_too_deep = groups nest at most { $max } deep
criteria_too_many = a set has at most { $max } criteria
criteria_code_duplicate = the code { $code } is used twice (first at { $first })
criteria_parent_unknown = no criterion has the code { $parent }
criteria_parent_cycle = this criterion ends up under itself
criteria_fact_unknown = unknown fact { $fact }; known facts: { $allowed }
criteria_per_day_positive = points per day must be above 0
criteria_points_missing = a criterion without sub-criteria needs max_points
criteria_deduction_positive = a deduction takes points off: max_points must be below 0, not { $points }
criteria_points_positive = max_points must be above 0, not { $points } (mark deductions with deduction: true)
criteria_group_sum = the group says { $points } points but its criteria add up to { $children }
criteria_total_differs = max_total is { $max_total } but the criteria add up to { $sum }
criteria_ranks_missing = the set needs its ranks (thresholds)
criteria_rank_duplicate = the rank { $code } is listed twice
criteria_rank_open_not_last = only the lowest rank may have no threshold
criteria_rank_out_of_range = the threshold { $points } lies outside 0 to { $max_total }
criteria_rank_order = the threshold { $points } must be below the one above it ({ $above }): ranks go from highest to lowest without overlap
criteria_supersedes_unknown = no criteria set { $set } to supersede
criteria_not_a_number = { $value } is not a number
criteria_workbook_unreadable = the workbook cannot be read: { $detail }
criteria_workbook_type = a criteria set is imported from an XLSX workbook or a JSON file, not { $type }
criteria_json_unreadable = the JSON file cannot be read as a criteria set: { $detail }
no_such_criteria_set = there is no criteria set { $value }
period_agencies_one_way = choose the agencies either by agency_ids or by subtree (and kinds), not both or neither
period_without_agencies = the period has no agencies
period_appraisal_before_self = the appraisal deadline cannot come before the self-assessment deadline
period_transition = a period cannot go from { $from } to { $to }
period_not_running = the period is { $status }: this is done while self-assessment or appraisal runs
period_closed = the period is { $status }: it can no longer change
period_not_all_submitted = { $count } assessment(s) are not submitted: { $agencies }; finalise with force: true to rank them at zero points
assessment_locked = the assessment is { $status } (period { $period_status }): it cannot be changed now
assessment_not_submitted = only a submitted assessment of a running period can be reopened (it is { $status })
assessment_unscored = { $count } criteria have no score yet: { $codes }
assessment_late_note = submitted { $days } day(s) late
criterion_is_group = { $code } is a group: its score is the sum of its criteria
score_out_of_bounds = the score must lie between { $min } and { $max }
evidence_already_linked = this is already linked to the criterion
evidence_version_not_issued = a { $status } version is not evidence: link a version that was issued
document_not_effective = the document has no version in force
appraisal_not_assigned = you are not assigned to appraise this assessment
appraisal_needs_submission = only a submitted assessment is appraised (it is { $status })
appraiser_role_missing = { $user } does not hold the appraiser role over this agency
appraiser_own_agency = { $user } belongs to this agency, one above it or one under it: nobody appraises their own agency
appraiser_already_assigned = this appraiser is already assigned to the assessment
sample_swap_invalid = swap an agency of the sample for one outside it
sample_swap_kind = swap a provincial agency for a provincial one and a commune for a commune
year_out_of_range = the year must lie between 2000 and 2100
must_be_positive = must be 1 or more

## Files

unsupported_media_type = { $reason }; accepted: PDF, DOC, DOCX, XLS, XLSX, ODT, ODS, PPT, PPTX, TXT, CSV, HTML, MD, PNG, JPEG, TIFF
file_too_large = the file is larger than the limit of { $limit } bytes
upload_failed = the upload broke off before the end of the file: { $detail }
hash_mismatch = the file's SHA-256 is { $actual }, not the expected { $expected }
file_empty = the file is empty
file_unreadable = the file could not be read: { $detail }
not_multipart = send the file as multipart/form-data with a field named "{ $field }" ({ $detail })
form_unreadable = the form could not be read: { $detail }
form_field_unexpected = unexpected form field "{ $field }"; send { $expected }
form_without_file = the form has no file
too_many_files = at most { $max } files in one form
choose_a_person = choose someone from the list
choose_a_verdict = say whether it worked

## Invalid input (the field is named beside the reason)

invalid_field = { $field }: { $reason }
request_unreadable = { $detail }
must_not_be_empty = must not be empty
too_long = must be at most { $max } characters
too_long_bytes = must be at most { $max } bytes
too_short = must be at least { $min } characters
control_characters = must not contain control characters
code_length = must be 1 to { $max } characters
code_characters = may contain only ASCII letters, digits, '.', '_' and '-'
one_of = must be one of { $allowed }
between = must be between { $min } and { $max }
too_many = at most { $max } items
not_an_email = is not an email address
no_such_user = no such user
no_such_agency = no agency with id or code "{ $value }"
role_needs_agency = the role { $role } must be granted over an agency
sort_fields = must be { $allowed }, optionally prefixed with -
from_after_to = must not be after `to`
search_query_empty = type something to search for, e.g. q=quy trình or q=QT-01
not_before_today = must be today ({ $today }) or later
import_not_in_future = an imported version is in force from today or an earlier day; publish later ones in hoso
change_summary_required = describe what changed: it is required from the second version on
legal_number_format = expected number/year/TYPE-ISSUER, e.g. 19/2014/QĐ-TTg
legal_number_digits = the number before the first / must be letters and digits
legal_number_year = "{ $value }" is not a year
legal_number_type_issuer = the last part must be TYPE-ISSUER, e.g. QĐ-TTg
replaced_by_unknown = must name another legal reference in the register
status_day_required = give the day the new status takes effect
legal_refs_unknown = not in the legal register: { $numbers } (add them first)
import_no_issue_date = an earlier issue of { $code } is in force from the day it was issued, and its text gives none ("Ngày ban hành: dd/mm/yyyy" or "…, ngày d tháng m năm yyyy")
import_out_of_order = this issue would be in force from { $day }, but the issue in force began on { $current }: a document's issues are imported oldest first, each from its own issue day
proposal_changes_nothing = the proposal would change nothing: the reference already reads so
proposal_decided = this proposal was already { $status ->
    [accepted] accepted
   *[declined] declined
}
not_before_day = must not be before { $other } ({ $day })
iso_clause_unknown = "{ $value }" is not a clause of ISO 9001:2015 (e.g. 7.5.3, 8.5.1, 10.2); GET /api/v1/iso-clauses lists them
owner_and_due_together = give both owner_id and due_on for a decision that calls for an action, or neither
not_in_future = must not be in the future
not_a_web_address = must be a web address starting with https:// or http://
complaint_result_required = write the result of the handling before closing the complaint
reannouncement_reason = say why the agency announces again (a new scope, a new edition, a merger)
cross_site_request = a page of another site may not change anything here
wrong_current_password = the current password is not right
