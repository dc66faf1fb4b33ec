//! The `qala:` scheme: `qala://localhost/<media id>` answers with the media file's bytes — the
//! phone's own copy, or the server's (fetched once with the resident's session and kept, so an
//! answer's photo report stays visible offline). The page never sees a token or a file path.

use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, UriSchemeContext, UriSchemeResponder};
use uuid::Uuid;

use crate::state::AppState;

pub fn serve<R: tauri::Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let id = request.uri().path().trim_matches('/').rsplit('/').next().and_then(|s| s.parse::<Uuid>().ok());
    tauri::async_runtime::spawn(async move {
        let Some(id) = id else {
            return responder.respond(status(StatusCode::BAD_REQUEST, "not a media id"));
        };
        let engine = app.state::<AppState>().engine();
        let response = match engine.media(id).await {
            Ok((bytes, content_type)) => Response::builder()
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CACHE_CONTROL, "private, max-age=31536000, immutable")
                .body(bytes)
                .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR, "response")),
            Err(qala_core::CoreError::Offline(_)) => status(StatusCode::SERVICE_UNAVAILABLE, "offline"),
            Err(qala_core::CoreError::SignedOut) => status(StatusCode::UNAUTHORIZED, "signed out"),
            Err(e) => status(StatusCode::NOT_FOUND, &e.to_string()),
        };
        responder.respond(response);
    });
}

fn status(code: StatusCode, text: &str) -> Response<Vec<u8>> {
    Response::builder().status(code).body(text.as_bytes().to_vec()).unwrap_or_default()
}
