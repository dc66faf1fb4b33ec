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

/// The error answers any operation can give, whatever its handler documents itself: the edge
/// (408 too slow, 503 overloaded), the extractors (400 unreadable, 413 too large, 415 wrong type,
/// 422 wrong shape), the limits (429), and for operations that need a session, 401 and 403 (a
/// role the operation is not for). All carry the one error body — but HEAD answers, which have
/// no body — so a client (and the API fuzzer) can rely on the document for every reply.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
        let error = |what: &str, head: bool| {
            if head {
                return RefOr::T(ResponseBuilder::new().description(what).build());
            }
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"))))
                            .build(),
                    )
                    .build(),
            )
        };
        let common = [
            ("400", "the request cannot be read"),
            ("408", "the request took too long"),
            ("413", "the body is too large"),
            ("415", "the body has the wrong content type"),
            ("422", "the input breaks a rule"),
            ("429", "too many requests; see Retry-After"),
            ("503", "the server is busy; see Retry-After"),
        ];
        for item in doc.paths.paths.values_mut() {
            let ops = [
                (&mut item.get, false),
                (&mut item.put, false),
                (&mut item.post, false),
                (&mut item.delete, false),
                (&mut item.options, false),
                (&mut item.head, true),
                (&mut item.patch, false),
            ];
            for (op, head) in ops {
                let Some(op) = op else { continue };
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let responses = &mut op.responses.responses;
                for (code, what) in common {
                    responses.entry(code.to_string()).or_insert_with(|| error(what, head));
                }
                if secured {
                    responses.entry("401".to_string()).or_insert_with(|| error("no valid session", head));
                    responses.entry("403".to_string()).or_insert_with(|| error("not for this role", head));
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Qala API", description = "Sync, uploads, operators and administration of Qala."),
    modifiers(&Bearer, &CommonErrors),
    paths(
        super::health::healthz,
        super::catalog::catalog,
        super::stats::stats,
        super::auth::otp_request, super::auth::otp_verify, super::auth::staff_login, super::auth::refresh,
        super::auth::logout, super::auth::me, super::auth::export, super::auth::anonymise, super::auth::delete_me,
        super::sync::push, super::sync::pull,
        super::uploads::options, super::uploads::create, super::uploads::offset, super::uploads::append,
        super::media::fetch,
        super::operator::list, super::operator::one, super::operator::assign, super::operator::route,
        super::operator::start,
        super::operator::answer, super::operator::reject, super::operator::redact,
        super::public::feed, super::public::report,
        super::admin::news::news_list, super::admin::news::news_create, super::admin::news::news_update,
        super::admin::news::news_delete,
        super::admin::projects::projects_list, super::admin::projects::project_create,
        super::admin::projects::project_update, super::admin::projects::project_delete,
        super::admin::comments::comments_for_review, super::admin::comments::comment_hide,
        super::admin::comments::comment_restore,
        super::admin::catalog::agency_put, super::admin::catalog::category_put,
        super::admin::staff::staff_list, super::admin::staff::staff_create, super::admin::staff::staff_password,
        super::admin::staff::staff_disable,
        super::admin::holidays::holidays_list, super::admin::holidays::holiday_put,
        super::admin::holidays::holiday_delete,
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
