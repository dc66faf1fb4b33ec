//! The app frame: which screen shows, the language, the sync indicator that is always visible, and
//! the tab bar. Screens read what they need from [`Ctx`] and navigate with `ctx.go` (a new screen
//! on top), `ctx.replace` (this screen is done with) and `ctx.back`; every move is an entry in the
//! page's history (see `router`), so the phone's back button goes back one screen.
//!
//! The frame also follows the phone's life: it syncs when the app comes back to the foreground
//! and when the network returns, and tells the shell what the network is.

use qala_protocol::commands::{self as cmd, NoArgs, SetNetworkArgs};
use qala_protocol::events::{FIX, OPEN, SYNC};
use qala_protocol::{AppEvent, AppSettings, Fix, NetworkKind, SyncStatus};
use yew::prelude::*;

use crate::hooks::{run, use_call};
use crate::i18n::{self, Arg, I18n};
pub use crate::router::Route;
use crate::screens::new_report::NewReport;
use crate::screens::{city, home::Home, news, projects, report::ReportPage, settings::Settings, sign_in::SignIn};
use crate::{bridge, format, router};

/// What every screen may use.
#[derive(Clone, PartialEq)]
pub struct Ctx {
    pub i: I18n,
    pub settings: AppSettings,
    pub status: SyncStatus,
    /// Bumped on every change the shell reports: screens reload when it moves.
    pub tick: u32,
    pub go: Callback<Route>,
    /// Shows a screen in place of this one (back will not return here).
    pub replace: Callback<Route>,
    /// Back one screen; to the screen's parent when the app was opened on it.
    pub back: Callback<()>,
    /// Re-reads settings and status (after sign-in, a language change, …).
    pub refresh: Callback<()>,
    /// The best fix so far while the shell watches the position, and when it came (ms since the
    /// epoch, as `js_sys::Date::now`).
    pub live_fix: Option<(f32, f64)>,
}

#[function_component]
pub fn App() -> Html {
    let route = use_state(router::current);
    let tick = use_reducer(Tick::default);
    let progress = use_state(|| None::<(u64, u64)>);
    let live_fix = use_state(|| None::<(f32, f64)>);
    let settings = use_call::<cmd::Settings>(NoArgs {}, tick.0);
    let status = use_call::<cmd::GetSyncStatus>(NoArgs {}, tick.0);

    // Shell events: progress moves the bar; anything else reloads the screens.
    {
        let (tick, progress) = (tick.clone(), progress.clone());
        use_effect_with((), move |_| {
            bridge::on_event(SYNC, move |json| match serde_json::from_str::<AppEvent>(&json) {
                Ok(AppEvent::Progress { sent, total, .. }) => progress.set(Some((sent, total))),
                _ => {
                    progress.set(None);
                    tick.dispatch(());
                }
            });
        });
    }
    // Better fixes while the shell watches the position (one listener for the app's life).
    {
        let live_fix = live_fix.clone();
        use_effect_with((), move |_| {
            bridge::on_event(FIX, move |json| {
                if let Ok(Fix { accuracy_m: Some(a), .. }) = serde_json::from_str::<Fix>(&json) {
                    live_fix.set(Some((a, js_sys::Date::now())))
                }
            });
        });
    }
    // The history moves (back button, back swipe): show the screen it moved to.
    {
        let route = route.clone();
        use_effect_with((), move |_| router::on_change(move |r| route.set(r)));
    }
    // A tapped notification: the shell names the screen to open, now or (cold start) once asked.
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let open = {
                let route = route.clone();
                move |path: String| {
                    if let Some(r) = Route::parse(&path)
                        && r != router::current()
                    {
                        router::push(&r);
                        route.set(r);
                    }
                }
            };
            let on_tap = open.clone();
            bridge::on_event(OPEN, move |json| {
                if let Ok(path) = serde_json::from_str::<String>(&json) {
                    run::<cmd::TakeOpened>(NoArgs {}, |_| ());
                    on_tap(path);
                }
            });
            run::<cmd::TakeOpened>(NoArgs {}, move |r| {
                if let Ok(Some(path)) = r {
                    open(path);
                }
            });
        });
    }
    // The phone's life: the network type for "videos only on Wi-Fi", and a sync whenever the app
    // returns to the foreground or the network comes back (there is no background sync on phones).
    {
        let tick = tick.clone();
        use_effect_with((), move |_| {
            let report_network = || {
                run::<cmd::SetNetwork>(SetNetworkArgs { kind: network_kind(&bridge::connection_type()) }, |_| ());
            };
            report_network();
            bridge::on_network_change(report_network);
            bridge::on_foreground(move || {
                let tick = tick.clone();
                run::<cmd::SyncNow>(NoArgs {}, move |_| tick.dispatch(()));
            });
        });
    }

    let settings_v = match &*settings {
        Some(Ok(s)) => s.clone(),
        _ => AppSettings::default(),
    };
    let lang = i18n::pick(settings_v.lang, &bridge::system_language());
    let i = use_memo(lang, |l| I18n::new(*l));
    let ctx = Ctx {
        i: (*i).clone(),
        status: match &*status {
            Some(Ok(s)) => s.clone(),
            _ => SyncStatus::default(),
        },
        settings: settings_v,
        tick: tick.0,
        live_fix: *live_fix,
        go: {
            let route = route.clone();
            Callback::from(move |r: Route| {
                if r != *route {
                    router::push(&r);
                    route.set(r)
                }
            })
        },
        replace: {
            let route = route.clone();
            Callback::from(move |r: Route| {
                router::replace(&r);
                route.set(r)
            })
        },
        back: {
            let route = route.clone();
            Callback::from(move |_| {
                if router::depth() > 0 {
                    router::back();
                } else {
                    let parent = route.parent();
                    router::replace(&parent);
                    route.set(parent)
                }
            })
        },
        refresh: {
            let tick = tick.clone();
            Callback::from(move |_| tick.dispatch(()))
        },
    };

    if !bridge::available() {
        return html! { <main class="outside"><h1>{"Qala"}</h1><p>{ctx.i.t("outside-app")}</p></main> };
    }
    if settings.is_none() {
        return html! { <main class="loading" aria-busy="true"></main> };
    }

    let page = match (*route).clone() {
        Route::Home => html! { <Home /> },
        Route::SignIn => html! { <SignIn /> },
        Route::NewReport => html! { <NewReport /> },
        Route::Report(id) => html! { <ReportPage {id} /> },
        Route::News => html! { <news::NewsList /> },
        Route::Article(id) => html! { <news::Article {id} /> },
        Route::Projects => html! { <projects::ProjectList /> },
        Route::Project(id) => html! { <projects::ProjectPage {id} /> },
        Route::City => html! { <city::City /> },
        Route::PublicReport(id) => html! { <city::PublicReportPage {id} /> },
        Route::Settings => html! { <Settings /> },
    };
    let tab = |r: Route, key: &str, glyph: &str, id: &str| {
        let active = std::mem::discriminant(&*route) == std::mem::discriminant(&r);
        let go = ctx.go.clone();
        html! {
            <button id={id.to_string()} class={classes!("tab", active.then_some("active"))}
                onclick={Callback::from(move |_| go.emit(r.clone()))}>
                <span class="glyph">{glyph.to_string()}</span><span>{ctx.i.t(key)}</span>
            </button>
        }
    };
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            <div class="frame" lang={lang.code()}>
                <SyncBar progress={*progress} />
                <main>{page}</main>
                <nav class="tabs">
                    {tab(Route::Home, "tab-reports", "📋", "tab-home")}
                    {tab(Route::City, "tab-city", "🗺️", "tab-city")}
                    {tab(Route::News, "tab-news", "📰", "tab-news")}
                    {tab(Route::Projects, "tab-projects", "🏙️", "tab-projects")}
                    {tab(Route::Settings, "tab-settings", "⚙️", "tab-settings")}
                </nav>
            </div>
        </ContextProvider<Ctx>>
    }
}

#[derive(Properties, PartialEq)]
struct SyncBarProps {
    progress: Option<(u64, u64)>,
}

/// The sync indicator: signed out, offline, N waiting, uploading x %, or last synced. Tapping it
/// syncs now (or opens sign-in).
#[function_component]
fn SyncBar(p: &SyncBarProps) -> Html {
    let ctx = use_context::<Ctx>().expect("inside the frame");
    let s = &ctx.status;
    let i = &ctx.i;
    let waiting = s.queued_ops + s.pending_uploads;
    let (class, text) = if !s.signed_in {
        (
            "sync warn",
            if waiting > 0 {
                i.t_args("sync-signed-out-waiting", &[("n", Arg::Num(waiting as i64))])
            } else {
                i.t("sync-signed-out")
            },
        )
    } else if let Some((sent, total)) = p.progress {
        ("sync busy", i.t_args("sync-uploading", &[("percent", Arg::Num(format::percent(sent, total)))]))
    } else if s.last_error.is_some() && waiting > 0 {
        ("sync warn", i.t_args("sync-offline-waiting", &[("n", Arg::Num(waiting as i64))]))
    } else if s.last_error.is_some() {
        ("sync warn", i.t("sync-offline"))
    } else if waiting > 0 {
        ("sync busy", i.t_args("sync-waiting", &[("n", Arg::Num(waiting as i64))]))
    } else if let Some(t) = s.last_success {
        ("sync ok", i.t_args("sync-last", &[("time", Arg::Str(format::datetime(t)))]))
    } else {
        ("sync", i.t("sync-never"))
    };
    let failed = s.failed_uploads + s.rejected_ops;
    let send_anyway = {
        let refresh = ctx.refresh.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            let refresh = refresh.clone();
            run::<cmd::SendVideosNow>(NoArgs {}, move |_| refresh.emit(()));
        })
    };
    let onclick = {
        let (go, refresh, signed_in) = (ctx.go.clone(), ctx.refresh.clone(), s.signed_in);
        Callback::from(move |_| {
            if signed_in {
                let refresh = refresh.clone();
                run::<cmd::SyncNow>(NoArgs {}, move |_| refresh.emit(()));
            } else {
                go.emit(Route::SignIn);
            }
        })
    };
    html! {
        <div class="sync-area">
            <button id="sync-bar" class={class} {onclick}>
                <span id="sync-text">{text}</span>
                if failed > 0 { <span class="sync-failed">{i.t_args("sync-failed", &[("n", Arg::Num(failed as i64))])}</span> }
            </button>
            if s.waiting_for_wifi > 0 {
                <div id="wifi-wait" class="wifi-wait" role="status">
                    <span>{i.t_args("wifi-waiting", &[("n", Arg::Num(s.waiting_for_wifi as i64))])}</span>
                    <button id="send-anyway" class="secondary" onclick={send_anyway}>{i.t("send-anyway")}</button>
                </div>
            }
        </div>
    }
}

/// The network as the webview's Network Information API names it (`navigator.connection.type`).
/// WebKitGTK has no such API (an empty name): the shell treats a desktop as unmetered anyway.
pub fn network_kind(name: &str) -> NetworkKind {
    match name {
        "wifi" | "ethernet" | "wimax" => NetworkKind::Unmetered,
        "cellular" | "bluetooth" => NetworkKind::Cellular,
        _ => NetworkKind::Unknown,
    }
}

/// The change counter: every event from the shell moves it by one.
#[derive(Default, PartialEq)]
struct Tick(u32);

impl Reducible for Tick {
    type Action = ();
    fn reduce(self: std::rc::Rc<Self>, _: ()) -> std::rc::Rc<Self> {
        std::rc::Rc::new(Tick(self.0.wrapping_add(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_types_map_to_what_the_wifi_setting_needs() {
        assert_eq!(network_kind("wifi"), NetworkKind::Unmetered);
        assert_eq!(network_kind("ethernet"), NetworkKind::Unmetered);
        assert_eq!(network_kind("cellular"), NetworkKind::Cellular);
        for unknown in ["", "none", "unknown", "other", "WIFI"] {
            assert_eq!(network_kind(unknown), NetworkKind::Unknown, "{unknown:?}");
        }
    }
}
