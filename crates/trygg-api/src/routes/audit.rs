//! The access log, for security managers: who read which case, when and how.

use actix_web::web;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trygg_app::{AccessEntry, AccessFilter, AccessPage, App, MAX_PAGE_SIZE};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};

/// Which reads to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Reads of this case.
    case: Option<Uuid>,
    /// Reads by this user (`sub`).
    user: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(minimum = 0)]
    cursor: Option<i64>,
    /// Page size, 1 to 100 (larger values are capped).
    #[param(minimum = 1)]
    limit: Option<i64>,
}

/// One read of one case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// Who read it (`sub`).
    pub user: String,
    pub case: String,
    /// The endpoint the case was read through.
    pub purpose: String,
    /// This entry's link in the hash chain.
    pub hash: String,
}

/// A page of the access log, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<i64>,
}

impl From<AccessEntry> for AuditEntry {
    fn from(entry: AccessEntry) -> Self {
        AuditEntry {
            at: entry.at(),
            user: entry.actor,
            case: entry.incident_id,
            purpose: entry.purpose,
            hash: entry.hash,
        }
    }
}

/// Who read which case: per case, per user, or all.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of the access log", body = AuditPage),
        (status = 403, description = "Only security managers read the access log", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn read_audit_log(
    caller: Caller,
    query: web::Query<AuditQuery>,
    app: web::Data<App>,
) -> Result<web::Json<AuditPage>, ApiError> {
    app.may_audit(&caller.0)?;
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(MAX_PAGE_SIZE);
    if limit < 1 {
        return Err(ApiError::BadRequest("`limit` must be at least 1".into()));
    }
    let limit = limit.min(MAX_PAGE_SIZE);
    if query.cursor.is_some_and(|cursor| cursor < 0) {
        return Err(ApiError::BadRequest(
            "`cursor` is not a cursor this API returned".into(),
        ));
    }
    let filter = AccessFilter {
        incident_id: query.case,
        actor: query.user,
        page: AccessPage::OldestFirst {
            after: query.cursor,
        },
        limit: limit + 1,
    };
    let mut entries = app.access_log(&caller.0, filter).await?;
    let next_cursor = (entries.len() as i64 > limit).then(|| {
        entries.truncate(limit as usize);
        entries.last().map(|entry| entry.seq)
    });
    Ok(web::Json(AuditPage {
        items: entries.into_iter().map(AuditEntry::from).collect(),
        next_cursor: next_cursor.flatten(),
    }))
}
