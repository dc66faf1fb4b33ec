//! Settings: language, the districts whose reports the phone holds, server address, videos only on
//! Wi-Fi, sign in / sign out, and the resident's data: download it, delete the account.

use qala_protocol::commands::{
    self as cmd, ChangeServerArgs, DeleteMyAccountArgs, NoArgs, SetDistrictsArgs, SetSettingArgs,
};
use qala_protocol::districts::{AREAS, WHOLE_CITY};
use qala_protocol::{Lang, ReportsOnDeletion, Setting};
use yew::prelude::*;

use super::value_of;
use crate::app::{Ctx, Route};
use crate::hooks::{run, use_call};
use crate::i18n::Arg;

#[function_component]
pub fn Settings() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let i = &ctx.i;
    let error = use_state(|| None::<String>);
    let saved = use_state(|| false);
    let set = {
        let (refresh, error, saved) = (ctx.refresh.clone(), error.clone(), saved.clone());
        Callback::from(move |(key, value): (Setting, String)| {
            let (refresh, error, saved) = (refresh.clone(), error.clone(), saved.clone());
            run::<cmd::SetSetting>(SetSettingArgs { key, value }, move |r| match r {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                    refresh.emit(())
                }
                Err(e) => error.set(Some(e)),
            });
        })
    };
    // Another server: nothing goes there until the resident confirms, when items still wait.
    let pending_server = use_state(|| None::<(String, u32)>);
    let changed = use_state(|| false);
    let change_server = {
        let (refresh, error, pending_server, changed) =
            (ctx.refresh.clone(), error.clone(), pending_server.clone(), changed.clone());
        Callback::from(move |(server, confirmed): (String, bool)| {
            let (refresh, error, pending_server, changed) =
                (refresh.clone(), error.clone(), pending_server.clone(), changed.clone());
            let args = ChangeServerArgs { server: server.clone(), confirmed };
            run::<cmd::ChangeServer>(args, move |r| match r {
                Ok(c) if c.changed => {
                    error.set(None);
                    pending_server.set(None);
                    changed.set(true);
                    refresh.emit(())
                }
                Ok(c) if c.waiting > 0 => pending_server.set(Some((server, c.waiting))),
                Ok(_) => {}
                Err(e) => error.set(Some(e)),
            });
        })
    };
    // The districts followed: their reports are on the phone for "same problem nearby?" and the
    // city feed, offline; the whole city is a choice of its own.
    let followed = use_call::<cmd::Districts>(NoArgs {}, ctx.tick);
    let followed: Vec<String> = followed.as_ref().and_then(|d| d.as_ref().ok()).cloned().unwrap_or_default();
    let whole = followed.iter().any(|d| d == WHOLE_CITY);
    let set_districts = {
        let (refresh, error, saved) = (ctx.refresh.clone(), error.clone(), saved.clone());
        Callback::from(move |districts: Vec<String>| {
            let (refresh, error, saved) = (refresh.clone(), error.clone(), saved.clone());
            run::<cmd::SetDistricts>(SetDistrictsArgs { districts }, move |r| match r {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                    refresh.emit(())
                }
                Err(e) => error.set(Some(e)),
            });
        })
    };
    let toggle = |code: &'static str| {
        let (set, followed) = (set_districts.clone(), followed.clone());
        Callback::from(move |_: Event| {
            let mut next: Vec<String> = followed.iter().filter(|d| *d != WHOLE_CITY).cloned().collect();
            if code == WHOLE_CITY {
                next = if whole { Vec::new() } else { vec![WHOLE_CITY.to_string()] };
            } else if let Some(at) = next.iter().position(|d| d == code) {
                next.remove(at);
            } else {
                next.push(code.to_string());
            }
            set.emit(next)
        })
    };
    let langs = [(Lang::Kk, "Қазақша"), (Lang::Ru, "Русский"), (Lang::En, "English")];
    let sign_out = {
        let refresh = ctx.refresh.clone();
        Callback::from(move |_| {
            let refresh = refresh.clone();
            run::<cmd::SignOut>(NoArgs {}, move |_| refresh.emit(()));
        })
    };
    let sign_in = {
        let go = ctx.go.clone();
        Callback::from(move |_| go.emit(Route::SignIn))
    };
    // My data: a file of everything the server keeps; the account deleted, with a choice of what
    // becomes of my reports, asked for twice.
    let exported = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let export = {
        let (exported, error, busy) = (exported.clone(), error.clone(), busy.clone());
        Callback::from(move |_| {
            let (exported, error, busy) = (exported.clone(), error.clone(), busy.clone());
            busy.set(true);
            run::<cmd::ExportMyData>(NoArgs {}, move |r| {
                busy.set(false);
                match r {
                    Ok(path) => exported.set(Some(path)),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let deleting = use_state(|| false);
    let reports_choice = use_state(|| ReportsOnDeletion::Anonymise);
    let delete = {
        let (refresh, error, deleting, choice, busy) =
            (ctx.refresh.clone(), error.clone(), deleting.clone(), reports_choice.clone(), busy.clone());
        Callback::from(move |_| {
            let (refresh, error, deleting, busy) = (refresh.clone(), error.clone(), deleting.clone(), busy.clone());
            busy.set(true);
            run::<cmd::DeleteMyAccount>(DeleteMyAccountArgs { reports: *choice }, move |r| {
                busy.set(false);
                match r {
                    Ok(()) => {
                        deleting.set(false);
                        refresh.emit(())
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let choose = |c: ReportsOnDeletion| {
        let choice = reports_choice.clone();
        Callback::from(move |_| choice.set(c))
    };
    html! {
        <section class="settings">
            <h1>{i.t("tab-settings")}</h1>
            <h2>{i.t("language")}</h2>
            <div class="langs">
            { for langs.into_iter().map(|(l, name)| {
                let set = set.clone();
                html! { <button id={format!("lang-{}", l.code())} class={classes!("secondary", (i.lang == l).then_some("on"))}
                    onclick={Callback::from(move |_| set.emit((Setting::Lang, l.code().to_string())))}>{name}</button> }
            }) }
            </div>
            <h2>{i.t("districts-followed")}</h2>
            <p class="small muted">{i.t("districts-followed-hint")}</p>
            <label class="check">
                <input id="district-all" type="checkbox" checked={whole} onchange={toggle(WHOLE_CITY)} />
                {i.t("whole-city")}
            </label>
            if !whole {
                <div class="districts">
                { for AREAS.iter().map(|a| html! {
                    <label class="check">
                        <input id={format!("district-{}", a.code)} type="checkbox"
                            checked={followed.iter().any(|d| d == a.code)} onchange={toggle(a.code)} />
                        {a.name(i.lang)}
                    </label>
                }) }
                </div>
            }
            <h2>{i.t("server")}</h2>
            <input id="server" type="url" inputmode="url" autocomplete="off" value={ctx.settings.server.clone()}
                onchange={let c = change_server.clone(); Callback::from(move |e: Event| c.emit((value_of(&e), false)))} />
            if let Some((server, waiting)) = (*pending_server).clone() {
                <div id="server-warning" class="card warn" role="alert">
                    <p>{i.t_args("server-change-waiting", &[("n", Arg::Num(waiting as i64))])}</p>
                    <button id="server-confirm" class="secondary"
                        onclick={let c = change_server.clone(); Callback::from(move |_| c.emit((server.clone(), true)))}>
                        {i.t("server-change-confirm")}
                    </button>
                </div>
            }
            if *changed { <p id="server-changed" class="small muted">{i.t("server-changed")}</p> }
            <label class="check">
                <input id="video-wifi" type="checkbox" checked={ctx.settings.video_wifi_only}
                    onchange={let set = set.clone(); Callback::from(move |e: Event| {
                        use wasm_bindgen::JsCast;
                        let on = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).is_some_and(|i| i.checked());
                        set.emit((Setting::VideoWifiOnly, on.to_string()))
                    })} />
                {i.t("video-wifi-only")}
            </label>
            <h2>{i.t("account")}</h2>
            if ctx.settings.signed_in {
                <button id="sign-out" class="secondary" onclick={sign_out}>{i.t("sign-out")}</button>
            } else {
                <button id="go-sign-in" class="primary" onclick={sign_in}>{i.t("sign-in")}</button>
            }
            if ctx.settings.signed_in {
                <h2>{i.t("my-data")}</h2>
                <button id="export-data" class="secondary" disabled={*busy} onclick={export}>{i.t("export-data")}</button>
                if let Some(path) = &*exported {
                    <p id="exported" class="small muted">{i.t_args("export-saved", &[("path", Arg::Str(path.clone()))])}</p>
                }
                if !*deleting {
                    <button id="delete-account" class="link danger"
                        onclick={let d = deleting.clone(); Callback::from(move |_| d.set(true))}>{i.t("delete-account")}</button>
                } else {
                    <div id="delete-confirm" class="card warn" role="alert">
                        <p>{i.t("delete-account-warning")}</p>
                        <label class="check">
                            <input id="delete-anonymise" type="radio" name="reports"
                                checked={*reports_choice == ReportsOnDeletion::Anonymise} onchange={choose(ReportsOnDeletion::Anonymise)} />
                            {i.t("delete-keep-anonymous")}
                        </label>
                        <label class="check">
                            <input id="delete-withdraw" type="radio" name="reports"
                                checked={*reports_choice == ReportsOnDeletion::Withdraw} onchange={choose(ReportsOnDeletion::Withdraw)} />
                            {i.t("delete-withdraw")}
                        </label>
                        <button id="delete-confirm-button" class="danger" disabled={*busy} onclick={delete}>{i.t("delete-account-confirm")}</button>
                        <button id="delete-cancel" class="link"
                            onclick={let d = deleting.clone(); Callback::from(move |_| d.set(false))}>{i.t("cancel")}</button>
                    </div>
                }
            }
            if *saved { <p class="small muted">{i.t("saved")}</p> }
            if let Some(e) = &*error { <p class="error" role="alert">{e.clone()}</p> }
        </section>
    }
}
