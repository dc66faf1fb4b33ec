//! New report, in at most five taps from Home: photo or video, location (GPS; else district + address
//! or pasted coordinates — never a dead end), category, an optional description, a preview of what
//! will be public, and send. Photos and videos have buttons of their own: Android's webview opens
//! the video recorder for any capture input that accepts video, so one input for both never reaches
//! the photo camera (on Android the shell opens the camera itself).
//!
//! The location is asked for when the resident taps "use my location", not before: the phone asks
//! for the permission then, in context. The shell watches the position until the fix is good
//! enough and sends each better one, so the accuracy shown improves as the resident waits. Every step is saved in the draft at once, so leaving the screen or a
//! crash loses nothing; sending only queues, it never waits for the network.

use std::rc::Rc;

use qala_protocol::commands::{
    self as cmd, CaptureArgs, DetachArgs, DraftArgs, NearbyArgs, NoArgs, SetAddressArgs, SetCategoryArgs,
    SetDescriptionArgs, SetLocationArgs, SetSettingArgs,
};
use qala_protocol::{Category, DraftView, Located, LocationSource, MediaKind, NearbyReport, Setting};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::{pending, value_of};
use crate::app::{Ctx, Route};
use crate::areas;
use crate::bridge;
use crate::format;
use crate::hooks::{run, use_call};
use crate::i18n::Arg;
use qala_protocol::districts::{self, AREAS};

/// Radius of "same problem nearby?", in metres.
const NEARBY_M: f64 = 300.0;
/// A GPS fix worse than this suggests adding the address.
const POOR_FIX_M: f32 = 100.0;

/// The screen's state, changed only by [`Action`]s (Yew's reducer), so that each callback says what
/// happened rather than which of several handles to set.
#[derive(Clone, Debug, Default, PartialEq)]
struct Screen {
    /// The draft as the shell last saved it.
    draft: Option<DraftView>,
    error: Option<String>,
    /// Updates sent and not answered yet: sending waits for them.
    busy: u32,
    locating: bool,
    /// When the resident asked for the location: fixes from before belong to an earlier watch.
    located_since: f64,
    /// Open reports of the same category nearby.
    nearby: Vec<NearbyReport>,
}

enum Action {
    /// The shell's draft, with nothing to report.
    Loaded(DraftView),
    /// An update went to the shell.
    Sent,
    /// The shell answered an update: the draft as saved, or why not. For a file (`file`), the
    /// reason it could not be used is on the draft, and shown.
    Answered {
        draft: Result<DraftView, String>,
        file: bool,
    },
    /// An update counted as sent will not be answered (a picked file that could not be read).
    Skipped,
    Failed(String),
    Locating {
        since: f64,
    },
    Located,
    Nearby(Vec<NearbyReport>),
}

impl Reducible for Screen {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Loaded(d) => s.draft = Some(d),
            Action::Sent => s.busy += 1,
            Action::Answered { draft, file } => {
                s.busy = s.busy.saturating_sub(1);
                match draft {
                    Ok(d) => {
                        s.error = if file { d.error.clone() } else { None };
                        s.draft = Some(d);
                    }
                    Err(e) => s.error = Some(e),
                }
            }
            Action::Skipped => s.busy = s.busy.saturating_sub(1),
            Action::Failed(e) => s.error = Some(e),
            Action::Locating { since } => {
                s.locating = true;
                s.located_since = since;
            }
            Action::Located => s.locating = false,
            Action::Nearby(n) => s.nearby = n,
        }
        Rc::new(s)
    }
}

/// A change to the draft; the shell answers each with the draft as saved.
enum Edit {
    Location(SetLocationArgs),
    Address(SetAddressArgs),
    Category(SetCategoryArgs),
    Description(SetDescriptionArgs),
    Detach(DetachArgs),
    Capture(CaptureArgs),
}

/// Sends `edit` to the shell; the screen counts it as busy until the answer.
fn send_edit(screen: &UseReducerDispatcher<Screen>, edit: Edit) {
    screen.dispatch(Action::Sent);
    let screen = screen.clone();
    let file = matches!(edit, Edit::Capture(_));
    let done = move |draft: Result<DraftView, String>| screen.dispatch(Action::Answered { draft, file });
    match edit {
        Edit::Location(a) => run::<cmd::SetLocation>(a, done),
        Edit::Address(a) => run::<cmd::SetAddress>(a, done),
        Edit::Category(a) => run::<cmd::SetCategory>(a, done),
        Edit::Description(a) => run::<cmd::SetDescription>(a, done),
        Edit::Detach(a) => run::<cmd::Detach>(a, done),
        Edit::Capture(a) => run::<cmd::Capture>(a, done),
    }
}

#[function_component]
pub fn NewReport() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let i = ctx.i.clone();
    let draft = use_call::<cmd::CurrentDraft>(NoArgs {}, 0);
    let cats = use_call::<cmd::Categories>(NoArgs {}, ctx.tick);
    let screen = use_reducer(Screen::default);
    let dispatch = screen.dispatcher();

    // The draft from the shell, then every update the shell answers with. Without a GPS, a new
    // draft starts in the district chosen last time (one tap fewer; the resident sees and can change it).
    {
        let dispatch = dispatch.clone();
        let last_area = (!ctx.settings.can_locate).then(|| ctx.settings.last_area.clone()).flatten();
        use_effect_with(draft.as_ref().and_then(|d| d.as_ref().ok()).cloned(), move |d| {
            if let Some(d) = d {
                dispatch.dispatch(Action::Loaded(d.clone()));
                if d.location.is_none()
                    && let Some(a) = last_area.as_deref().and_then(districts::find)
                {
                    send_edit(&dispatch, Edit::Location(area_location(d.id, a)));
                }
            }
        });
    }
    // Same problem nearby? Asked when both a category and a location are known.
    {
        let dispatch = dispatch.clone();
        let key = screen.draft.as_ref().and_then(|d| Some((d.category.clone()?, d.location.clone()?)));
        use_effect_with(key.map(|(c, l)| (c, l.lat.to_bits(), l.lon.to_bits())), move |k| {
            if let Some((category, lat, lon)) = k.clone() {
                let (lat, lon) = (f64::from_bits(lat), f64::from_bits(lon));
                let args = NearbyArgs { category, lat, lon, radius_m: NEARBY_M };
                run::<cmd::Nearby>(args, move |r| dispatch.dispatch(Action::Nearby(r.unwrap_or_default())));
            } else {
                dispatch.dispatch(Action::Nearby(vec![]));
            }
        });
    }

    if let Some(p) = pending(&ctx, &draft) {
        return p;
    }
    let Some(d) = screen.draft.clone() else { return html! {} };
    let busy = screen.busy;
    let cats: Vec<Category> = cats.as_ref().and_then(|c| c.as_ref().ok()).cloned().unwrap_or_default();

    // Sends one update to the shell; the answer is the draft as saved.
    let update = {
        let dispatch = dispatch.clone();
        Callback::from(move |edit: Edit| send_edit(&dispatch, edit))
    };

    // Files from the picker (camera on phones): bytes go to the shell, which prepares them.
    let on_files = {
        let (dispatch, id) = (dispatch.clone(), d.id);
        Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(files) = input.files() else { return };
            let files: Vec<web_sys::File> = (0..files.length()).filter_map(|n| files.get(n)).collect();
            input.set_value("");
            // Busy from the tap, for every file: sending waits until the last one is in the draft.
            for _ in &files {
                dispatch.dispatch(Action::Sent);
            }
            let dispatch = dispatch.clone();
            spawn_local(async move {
                for f in files {
                    let bytes = match wasm_bindgen_futures::JsFuture::from(f.array_buffer()).await {
                        Ok(buf) => js_sys::Uint8Array::new(&buf),
                        Err(_) => {
                            dispatch.dispatch(Action::Skipped);
                            continue;
                        }
                    };
                    let draft = id.to_string();
                    let answer = bridge::invoke_file::<cmd::Attach>(bytes, &[("draft", &draft)]).await;
                    dispatch.dispatch(Action::Answered { draft: answer, file: true });
                }
            });
        })
    };

    // The phone's own camera (Android): the shell opens it and attaches what it returns.
    let native = {
        let (update, id) = (update.clone(), d.id);
        Callback::from(move |kind: MediaKind| update.emit(Edit::Capture(CaptureArgs { draft: id, kind })))
    };

    let locate = {
        let (update, dispatch, id, i) = (update.clone(), dispatch.clone(), d.id, i.clone());
        Callback::from(move |_| {
            dispatch.dispatch(Action::Locating { since: js_sys::Date::now() });
            let (update, dispatch, i) = (update.clone(), dispatch.clone(), i.clone());
            run::<cmd::Locate>(NoArgs {}, move |r| {
                dispatch.dispatch(Action::Located);
                match r {
                    Ok(Located::Found { fix: f }) => update.emit(Edit::Location(SetLocationArgs {
                        draft: id,
                        lat: f.lat,
                        lon: f.lon,
                        accuracy_m: f.accuracy_m,
                        source: LocationSource::Gps,
                    })),
                    Ok(Located::Denied) => dispatch.dispatch(Action::Failed(i.t("location-denied"))),
                    Ok(Located::NoFix) | Err(_) => dispatch.dispatch(Action::Failed(i.t("no-fix"))),
                }
            });
        })
    };

    let on_area = {
        let (update, id) = (update.clone(), d.id);
        Callback::from(move |e: Event| {
            let code = value_of(&e);
            if let Some(a) = districts::find(&code) {
                run::<cmd::SetSetting>(SetSettingArgs { key: Setting::LastArea, value: a.code.into() }, |_| ());
                update.emit(Edit::Location(area_location(id, a)));
            }
        })
    };
    let on_coords = {
        let (update, dispatch, id, i) = (update.clone(), dispatch.clone(), d.id, i.clone());
        Callback::from(move |e: Event| {
            let text = value_of(&e);
            if text.trim().is_empty() {
                return;
            }
            match format::parse_coordinates(&text) {
                Some((lat, lon)) => update.emit(Edit::Location(SetLocationArgs {
                    draft: id,
                    lat,
                    lon,
                    accuracy_m: None,
                    source: LocationSource::Pin,
                })),
                None => dispatch.dispatch(Action::Failed(i.t("coords-invalid"))),
            }
        })
    };
    let on_address = {
        let (update, id) = (update.clone(), d.id);
        Callback::from(move |e: Event| update.emit(Edit::Address(SetAddressArgs { draft: id, address: value_of(&e) })))
    };
    let on_description = {
        let (update, id) = (update.clone(), d.id);
        Callback::from(move |e: Event| {
            update.emit(Edit::Description(SetDescriptionArgs { draft: id, text: value_of(&e) }))
        })
    };

    // Sent or discarded, the draft screen is done with: the next screen takes its place, so back
    // does not return to an empty draft.
    let send = {
        let (replace, dispatch, refresh, id) = (ctx.replace.clone(), dispatch.clone(), ctx.refresh.clone(), d.id);
        Callback::from(move |_| {
            let (replace, dispatch, refresh) = (replace.clone(), dispatch.clone(), refresh.clone());
            run::<cmd::Submit>(DraftArgs { draft: id }, move |r| match r {
                Ok(report) => {
                    refresh.emit(());
                    replace.emit(Route::Report(report))
                }
                Err(e) => dispatch.dispatch(Action::Failed(e)),
            });
        })
    };
    let discard = {
        let (replace, id) = (ctx.replace.clone(), d.id);
        Callback::from(move |_| {
            let replace = replace.clone();
            run::<cmd::DiscardDraft>(DraftArgs { draft: id }, move |_| replace.emit(Route::Home));
        })
    };

    // Which district the location stands for, if it came from one.
    let area_code = d.location.as_ref().filter(|l| l.source == LocationSource::Address).and_then(|l| {
        AREAS.iter().find(|a| (a.lat - l.lat).abs() < 1e-9 && (a.lon - l.lon).abs() < 1e-9).map(|a| a.code)
    });
    let location_text = match &d.location {
        None => i.t("location-none"),
        Some(l) => match l.source {
            LocationSource::Gps => match l.accuracy_m {
                Some(acc) => i.t_args("location-gps", &[("n", Arg::Num(acc.round() as i64))]),
                None => i.t("location-gps-unknown"),
            },
            LocationSource::Address => area_code
                .and_then(districts::find)
                .map(|a| a.name(i.lang).to_string())
                .unwrap_or_else(|| i.t("location-address")),
            _ => format!("{:.5}, {:.5}", l.lat, l.lon),
        },
    };
    let poor_fix = d
        .location
        .as_ref()
        .is_some_and(|l| l.source == LocationSource::Gps && l.accuracy_m.unwrap_or(f32::MAX) > POOR_FIX_M);
    let missing: Vec<String> = [
        (d.location.is_none(), "need-location"),
        (d.category.is_none(), "need-category"),
        (
            d.location.as_ref().is_some_and(|l| l.source == LocationSource::Address) && d.address.is_none(),
            "need-address",
        ),
    ]
    .into_iter()
    .filter(|(m, _)| *m)
    .map(|(_, k)| i.t(k))
    .collect();
    let ready = missing.is_empty() && busy == 0;

    let media = d.media.iter().map(|m| {
        let (update, draft, media) = (update.clone(), d.id, m.id);
        let remove = Callback::from(move |_| update.emit(Edit::Detach(DetachArgs { draft, media })));
        let preview = match m.kind {
            qala_protocol::MediaKind::Photo => html! { <img src={bridge::media_url(&m.id)} alt="" /> },
            qala_protocol::MediaKind::Video => html! { <video src={bridge::media_url(&m.id)} muted=true /> },
        };
        html! { <div class="thumb">{preview}<button class="remove" aria-label={i.t("remove")} onclick={remove}>{"✕"}</button></div> }
    }).collect::<Html>();

    let grid = cats.iter().filter(|c| c.active).map(|c| {
        let (update, draft, code) = (update.clone(), d.id, c.code.clone());
        let selected = d.category.as_deref() == Some(&c.code);
        html! {
            <button id={format!("cat-{}", c.code)} class={classes!("cat", selected.then_some("selected"))} aria-pressed={selected.to_string()}
                onclick={Callback::from(move |_| update.emit(Edit::Category(SetCategoryArgs { draft, code: code.clone() })))}>
                <span class="glyph">{areas::icon(&c.icon)}</span><span>{c.name.get(i.lang).to_string()}</span>
            </button>
        }
    }).collect::<Html>();

    let same = if screen.nearby.is_empty() {
        html! {}
    } else {
        let now = format::now();
        html! {
            <section class="card nearby" id="nearby">
                <h3>{i.t("same-problem")}</h3>
                <p class="small muted">{i.t("same-problem-hint")}</p>
                <ul class="list">
                { for screen.nearby.iter().map(|n| {
                    let (due, overdue) = format::deadline(&i, n.report.status, n.report.deadline, now);
                    html! {
                        <li class="row small">
                            <span>{n.report.registration_number.clone()}{" · "}{format::distance(n.distance_m)}</span>
                            <span class={format::status_class(n.report.status)}>{i.t(format::status_key(n.report.status))}</span>
                            <span class={classes!("due", overdue.then_some("overdue"))}>{due}</span>
                        </li>
                    }
                }) }
                </ul>
                <button id="same-discard" class="secondary" onclick={discard.clone()}>{i.t("same-discard")}</button>
            </section>
        }
    };

    let area_options = AREAS
        .iter()
        .map(|a| {
            html! {
                <option value={a.code} selected={area_code == Some(a.code)}>{a.name(i.lang)}</option>
            }
        })
        .collect::<Html>();

    html! {
        <section class="new-report">
            <h1>{i.t("report-problem")}</h1>

            <h2>{"1. "}{i.t("step-photo")}</h2>
            <div class="thumbs">{media}</div>
            <div class="capture">
                if ctx.settings.native_camera {
                    <button id="take-photo" class="add-media" disabled={busy > 0} onclick={let n = native.clone(); Callback::from(move |_| n.emit(MediaKind::Photo))}>
                        <span class="glyph">{"📷"}</span><span>{i.t("take-photo")}</span>
                    </button>
                    <button id="record-video" class="add-media" disabled={busy > 0} onclick={let n = native.clone(); Callback::from(move |_| n.emit(MediaKind::Video))}>
                        <span class="glyph">{"🎥"}</span><span>{i.t("record-video")}</span>
                    </button>
                } else {
                    <label class="add-media">
                        <span class="glyph">{"📷"}</span><span>{i.t("take-photo")}</span>
                        <input id="photo-input" type="file" accept="image/*" capture="environment" onchange={on_files.clone()} />
                    </label>
                    <label class="add-media">
                        <span class="glyph">{"🎥"}</span><span>{i.t("record-video")}</span>
                        <input id="video-input" type="file" accept="video/*" capture="environment" onchange={on_files.clone()} />
                    </label>
                }
                <label class="add-media">
                    <span class="glyph">{"🖼️"}</span><span>{i.t("from-gallery")}</span>
                    <input id="media-input" type="file" accept="image/*,video/*" multiple=true onchange={on_files} />
                </label>
            </div>

            <h2>{"2. "}{i.t("step-location")}</h2>
            <p id="location-text" class={classes!("location", d.location.is_none().then_some("missing"))}>{"📍 "}{location_text.clone()}</p>
            if ctx.settings.can_locate {
                <button id="locate" class="secondary" onclick={locate} disabled={screen.locating}>{i.t("use-my-location")}</button>
                if screen.locating {
                    <p id="locating" class="small muted" role="status">{match ctx.live_fix {
                        Some((acc, at)) if at >= screen.located_since => {
                            i.t_args("locating-accuracy", &[("n", Arg::Num(acc.round() as i64))])
                        }
                        _ => i.t("locating"),
                    }}</p>
                }
            } else {
                <p class="small muted">{i.t("no-gps-hint")}</p>
            }
            if poor_fix { <p class="small warn">{i.t("poor-fix")}</p> }
            <label for="area">{i.t("district")}</label>
            <select id="area" onchange={on_area}>
                <option value="" selected={area_code.is_none()} disabled=true>{i.t("choose-district")}</option>
                {area_options}
            </select>
            <label for="address">{i.t("address")}</label>
            <input id="address" type="text" placeholder={i.t("address-placeholder")} value={d.address.clone().unwrap_or_default()} onchange={on_address} />
            <label for="coords">{i.t("coordinates")}</label>
            <input id="coords" type="text" inputmode="decimal" placeholder="43.2389, 76.8897" onchange={on_coords} />

            <h2>{"3. "}{i.t("step-category")}</h2>
            if cats.is_empty() { <p class="muted">{i.t("categories-after-sync")}</p> }
            <div class="grid" id="categories">{grid}</div>

            <h2>{"4. "}{i.t("step-description")}</h2>
            <textarea id="description" rows="3" maxlength="4000" placeholder={i.t("description-placeholder")}
                value={d.description.clone()} onchange={on_description} />

            {same}

            <section class="card preview" id="preview">
                <h3>{i.t("public-preview")}</h3>
                <p><strong>{d.category.as_deref().map(|c| super::category_name(&cats, c, &ctx)).unwrap_or_else(|| "—".into())}</strong></p>
                if !d.description.is_empty() { <p>{d.description.clone()}</p> }
                <p class="small">{"📍 "}{d.address.clone().unwrap_or_else(|| location_text.clone())}</p>
                <p class="small">{i.t_args("preview-media", &[("n", Arg::Num(d.media.len() as i64))])}</p>
                <p class="small muted">{i.t("preview-private")}</p>
            </section>

            if let Some(e) = &screen.error { <p class="error" role="alert" id="draft-error">{e.clone()}</p> }
            if !missing.is_empty() { <p class="small muted" id="missing">{i.t("still-needed")}{" "}{missing.join(", ")}</p> }
            <div class="actions">
                <button id="send" class="big primary" disabled={!ready} onclick={send}>{i.t("send")}</button>
                <button id="discard" class="link" onclick={discard}>{i.t("discard")}</button>
            </div>
        </section>
    }
}

/// A draft's location from a district: its centre, its radius as the accuracy, marked as an address.
fn area_location(draft: Uuid, a: &districts::Area) -> SetLocationArgs {
    SetLocationArgs { draft, lat: a.lat, lon: a.lon, accuracy_m: Some(a.radius_m), source: LocationSource::Address }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(error: Option<&str>) -> DraftView {
        DraftView {
            id: Uuid::nil(),
            category: None,
            description: String::new(),
            location: None,
            address: None,
            media: vec![],
            error: error.map(Into::into),
        }
    }

    fn after(actions: Vec<Action>) -> Screen {
        actions.into_iter().fold(Rc::new(Screen::default()), Reducible::reduce).as_ref().clone()
    }

    #[test]
    fn sending_waits_for_every_answer() {
        let s = after(vec![Action::Sent, Action::Sent, Action::Answered { draft: Ok(draft(None)), file: false }]);
        assert_eq!(s.busy, 1);
        let s = after(vec![Action::Sent, Action::Answered { draft: Err("x".into()), file: false }]);
        assert_eq!((s.busy, s.error.as_deref()), (0, Some("x")));
        assert_eq!(after(vec![Action::Answered { draft: Err("late".into()), file: true }]).busy, 0, "never below 0");
        let s = after(vec![Action::Sent, Action::Sent, Action::Skipped]);
        assert_eq!((s.busy, s.error), (1, None), "an unreadable file frees its place quietly");
    }

    #[test]
    fn a_refused_file_shows_its_reason_and_the_next_edit_clears_it() {
        let s = after(vec![Action::Sent, Action::Answered { draft: Ok(draft(Some("not a photo"))), file: true }]);
        assert_eq!(s.error.as_deref(), Some("not a photo"));
        let s = after(vec![
            Action::Answered { draft: Ok(draft(Some("not a photo"))), file: true },
            Action::Answered { draft: Ok(draft(Some("not a photo"))), file: false },
        ]);
        assert_eq!(s.error, None);
    }

    #[test]
    fn locating_keeps_when_it_started() {
        let s = after(vec![Action::Locating { since: 42.0 }]);
        assert!(s.locating && s.located_since == 42.0);
        let s = after(vec![Action::Locating { since: 42.0 }, Action::Located]);
        assert!(!s.locating && s.located_since == 42.0);
    }
}
