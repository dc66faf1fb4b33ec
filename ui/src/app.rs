//! The app frame: which screen shows, the language, the sync indicator that is always visible, and
//! the tab bar. Screens read what they need from [`Ctx`] and navigate with `ctx.go`.

use qala_protocol::{AppEvent, AppSettings, SyncStatus};
use uuid::Uuid;
use yew::prelude::*;

use crate::hooks::{run, use_call};
use crate::i18n::{self, Arg, I18n};
use crate::screens::new_report::NewReport;
use crate::screens::{home::Home, news, projects, report::ReportPage, settings::Settings, sign_in::SignIn};
use crate::{bridge, format};

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
    Settings,
}

/// What every screen may use.
#[derive(Clone, PartialEq)]
pub struct Ctx {
    pub i: I18n,
    pub settings: AppSettings,
    pub status: SyncStatus,
    /// Bumped on every change the shell reports: screens reload when it moves.
    pub tick: u32,
    pub go: Callback<Route>,
    /// Re-reads settings and status (after sign-in, a language change, …).
    pub refresh: Callback<()>,
}

#[function_component]
pub fn App() -> Html {
    let route = use_state(|| Route::Home);
    let tick = use_reducer(Tick::default);
    let progress = use_state(|| None::<(u64, u64)>);
    let settings = use_call::<AppSettings, _>("settings", (), tick.0);
    let status = use_call::<SyncStatus, _>("sync_status", (), tick.0);

    // Shell events: progress moves the bar; anything else reloads the screens.
    {
        let (tick, progress) = (tick.clone(), progress.clone());
        use_effect_with((), move |_| {
            bridge::on_event("qala://sync", move |json| match serde_json::from_str::<AppEvent>(&json) {
                Ok(AppEvent::Progress { sent, total, .. }) => progress.set(Some((sent, total))),
                _ => {
                    progress.set(None);
                    tick.dispatch(());
                }
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
        go: {
            let route = route.clone();
            Callback::from(move |r| route.set(r))
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
    let onclick = {
        let (go, refresh, signed_in) = (ctx.go.clone(), ctx.refresh.clone(), s.signed_in);
        Callback::from(move |_| {
            if signed_in {
                let refresh = refresh.clone();
                run::<()>("sync_now", (), move |_| refresh.emit(()));
            } else {
                go.emit(Route::SignIn);
            }
        })
    };
    html! {
        <button id="sync-bar" class={class} {onclick}>
            <span id="sync-text">{text}</span>
            if failed > 0 { <span class="sync-failed">{i.t_args("sync-failed", &[("n", Arg::Num(failed as i64))])}</span> }
        </button>
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
