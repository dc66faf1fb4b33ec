//! The OpenAPI document, generated from the same handlers and types the router uses.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::app::AppState;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Qala API", description = "Sync, uploads, operators and administration of Qala."),
    modifiers(&Bearer),
    paths(
        super::health::healthz,
        super::catalog::catalog,
        super::stats::stats,
        super::auth::otp_request, super::auth::otp_verify, super::auth::staff_login, super::auth::refresh,
        super::auth::logout, super::auth::me,
        super::sync::push, super::sync::pull,
        super::uploads::options, super::uploads::create, super::uploads::offset, super::uploads::append,
        super::media::fetch,
        super::operator::list, super::operator::one, super::operator::assign, super::operator::route,
        super::operator::start,
        super::operator::answer, super::operator::reject,
        super::admin::news_list, super::admin::news_create, super::admin::news_update, super::admin::news_delete,
        super::admin::projects_list, super::admin::project_create, super::admin::project_update,
        super::admin::project_delete, super::admin::comment_hide,
        openapi_json,
    )
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", responses((status = 200, description = "this document")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
