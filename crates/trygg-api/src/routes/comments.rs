//! Comments on a case: internal ones between case workers, and those shared with the reporter,
//! who can add information to their own case this way.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trygg_app::{App, Cases, Comment};
use trygg_domain::text::schema::Prose;
use trygg_domain::{Audience, Description};
use uuid::Uuid;

use crate::auth::Caller;
use crate::problem::{ApiError, Problem};

/// A new comment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentDraft {
    /// `internal` for case workers only; `reporter` is shared with the reporter.
    pub audience: Audience,
    #[schema(value_type = Prose)]
    pub body: String,
}

/// A comment on a case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub at: DateTime<Utc>,
    /// Who wrote it (user id).
    pub author: String,
    pub audience: Audience,
    pub body: String,
}

impl From<Comment> for CommentView {
    fn from(comment: Comment) -> Self {
        CommentView {
            at: comment.at,
            author: comment.author,
            audience: comment.audience,
            body: comment.body,
        }
    }
}

/// Comment on a case.
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/comments",
    tag = "comments",
    request_body = CommentDraft,
    params(("id" = Uuid, Path)),
    responses(
        (status = 201, description = "Added", body = CommentView),
        (status = 403, description = "Internal comments are for case workers", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn add_comment(
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<CommentDraft>,
    app: web::Data<App>,
) -> Result<HttpResponse, ApiError> {
    // A caller who may read no case hears so before anything they sent is judged.
    app.may_read_cases(&caller.0)?;
    let draft = body.into_inner();
    let text = Description::parse(&draft.body)
        .map_err(|message| ApiError::UnprocessableBody(format!("`body` {message}")))?;
    let comment = app
        .comment(
            &caller.0,
            id.into_inner(),
            Cases::Visible,
            draft.audience,
            text,
        )
        .await?;
    Ok(HttpResponse::Created().json(CommentView::from(comment)))
}

/// A case's comments, oldest first: all of them for case workers, those shared with the
/// reporter for the reporter.
#[utoipa::path(
    get,
    path = "/api/v1/incidents/{id}/comments",
    tag = "comments",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The comments the caller may see", body = Vec<CommentView>),
        (status = 404, description = "No such case, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_comments(
    caller: Caller,
    id: web::Path<Uuid>,
    app: web::Data<App>,
) -> Result<web::Json<Vec<CommentView>>, ApiError> {
    let comments = app.read_comments(&caller.0, id.into_inner()).await?;
    Ok(web::Json(
        comments.into_iter().map(CommentView::from).collect(),
    ))
}
