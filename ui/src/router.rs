//! Screens as addresses in the page's history, so that Android's back button and iOS's back swipe
//! go back one screen instead of leaving the app (the webview goes back while it has history), and
//! so that a screen can be linked to (a notification opens `#/report/<id>`).
//!
//! The route lives in the address's fragment (`#/report/<id>`): the app is served from the shell's
//! own scheme, which has no server to answer a deep path. Each history entry's state holds its
//! depth, so the app knows whether going back stays inside it.

use std::cell::Cell;

use uuid::Uuid;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The depth of the entry on show: history entries made by a link (no state of ours) get
    /// this plus one.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Home,
    SignIn,
    NewReport,
    Report(Uuid),
    News,
    Article(Uuid),
    Projects,
    Project(Uuid),
    /// Other residents' reports: the feed and the search.
    City,
    /// One report as the public sees it.
    PublicReport(Uuid),
    Settings,
}

impl Route {
    /// The route's path, as it appears after `#` in the address.
    pub fn path(&self) -> String {
        match self {
            Route::Home => "/".into(),
            Route::SignIn => "/sign-in".into(),
            Route::NewReport => "/new".into(),
            Route::Report(id) => qala_protocol::report_path(*id),
            Route::News => "/news".into(),
            Route::Article(id) => format!("/news/{id}"),
            Route::Projects => "/projects".into(),
            Route::Project(id) => format!("/projects/{id}"),
            Route::City => "/city".into(),
            Route::PublicReport(id) => format!("/city/{id}"),
            Route::Settings => "/settings".into(),
        }
    }

    /// The route of a path; `None` for anything this app did not write.
    pub fn parse(path: &str) -> Option<Route> {
        let path = path.strip_prefix('#').unwrap_or(path);
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let id = |s: &str| s.parse::<Uuid>().ok();
        Some(match parts.as_slice() {
            [""] => Route::Home,
            ["sign-in"] => Route::SignIn,
            ["new"] => Route::NewReport,
            ["report", x] => Route::Report(id(x)?),
            ["news"] => Route::News,
            ["news", x] => Route::Article(id(x)?),
            ["projects"] => Route::Projects,
            ["projects", x] => Route::Project(id(x)?),
            ["city"] => Route::City,
            ["city", x] => Route::PublicReport(id(x)?),
            ["settings"] => Route::Settings,
            _ => return None,
        })
    }

    /// The screen "back" leads to when there is no history to go back in (the app was opened on
    /// this screen, from a notification say).
    pub fn parent(&self) -> Route {
        match self {
            Route::Article(_) => Route::News,
            Route::Project(_) => Route::Projects,
            Route::PublicReport(_) => Route::City,
            _ => Route::Home,
        }
    }
}

/// The route in the address now (Home for an address this app did not write).
pub fn current() -> Route {
    web_sys::window().and_then(|w| w.location().hash().ok()).and_then(|h| Route::parse(&h)).unwrap_or(Route::Home)
}

fn history() -> Option<web_sys::History> {
    web_sys::window().and_then(|w| w.history().ok())
}

/// The depth this app stored in the entry on show, if it made the entry.
fn stored_depth() -> Option<u32> {
    history().and_then(|h| h.state().ok()).and_then(|s| s.as_f64()).map(|d| d as u32)
}

/// How many screens back the history stays inside the app.
pub fn depth() -> u32 {
    stored_depth().unwrap_or_else(|| DEPTH.get())
}

/// Opens a screen on top of this one: back returns here.
pub fn push(route: &Route) {
    let d = depth() + 1;
    if let Some(h) = history() {
        let _ = h.push_state_with_url(&JsValue::from(d), "", Some(&format!("#{}", route.path())));
    }
    DEPTH.set(d);
}

/// Shows a screen in this one's place (after sending a report, the draft screen is done with).
pub fn replace(route: &Route) {
    let d = depth();
    if let Some(h) = history() {
        let _ = h.replace_state_with_url(&JsValue::from(d), "", Some(&format!("#{}", route.path())));
    }
    DEPTH.set(d);
}

/// After the history moved: an entry this app made says its depth; one made by a link or a
/// script setting the address is a new screen on top of the last one, and is marked so.
fn settle_depth() {
    match stored_depth() {
        Some(d) => DEPTH.set(d),
        None => {
            let d = DEPTH.get() + 1;
            if let Some(h) = history() {
                let _ = h.replace_state(&JsValue::from(d), "");
            }
            DEPTH.set(d);
        }
    }
}

/// Goes back one screen.
pub fn back() {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.back();
    }
}

/// Calls `f` with the route whenever the history moves (back, forward, a changed fragment).
pub fn on_change(f: impl Fn(Route) + 'static) {
    let Some(w) = web_sys::window() else { return };
    let cb = Closure::wrap(Box::new(move |_: web_sys::Event| {
        settle_depth();
        f(current())
    }) as Box<dyn FnMut(web_sys::Event)>);
    // Browsers differ on whether a changed fragment fires one or both; handling both is harmless.
    for event in ["popstate", "hashchange"] {
        let _ = w.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    cb.forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_reads_back_from_its_path() {
        let id = Uuid::now_v7();
        for r in [
            Route::Home,
            Route::SignIn,
            Route::NewReport,
            Route::Report(id),
            Route::News,
            Route::Article(id),
            Route::Projects,
            Route::Project(id),
            Route::City,
            Route::PublicReport(id),
            Route::Settings,
        ] {
            assert_eq!(Route::parse(&r.path()), Some(r.clone()), "{}", r.path());
            assert_eq!(Route::parse(&format!("#{}", r.path())), Some(r));
        }
        assert_eq!(Route::parse(""), Some(Route::Home), "an empty fragment is Home");
    }

    #[test]
    fn foreign_paths_are_not_routes() {
        for p in ["/report/not-a-uuid", "/report", "/admin", "/news/1/2", "//evil", "/report/../settings"] {
            assert_eq!(Route::parse(p), None, "{p}");
        }
    }
}
