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

use qala_protocol::{Category, DraftView, Located, LocationSource, MediaKind, NearbyReport};
use serde_json::json;
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::{pending, value_of};
use crate::app::{Ctx, Route};
use crate::areas::{self, AREAS};
use crate::bridge;
use crate::format;
use crate::hooks::{run, use_call};
use crate::i18n::Arg;

/// Radius of "same problem nearby?", in metres.
const NEARBY_M: f64 = 300.0;
/// A GPS fix worse than this suggests adding the address.
const POOR_FIX_M: f32 = 100.0;

#[function_component]
pub fn NewReport() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let i = ctx.i.clone();
    let draft = use_call::<DraftView, _>("current_draft", (), 0);
    let cats = use_call::<Vec<Category>, _>("categories", (), ctx.tick);
    let current = use_state(|| None::<DraftView>);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| 0u32);
    let locating = use_state(|| false);
    // When the resident asked for the location: fixes from before belong to an earlier watch.
    let located_since = use_state(|| 0.0f64);
    let nearby = use_state(Vec::<NearbyReport>::new);

    // The draft from the shell, then every update the shell answers with. Without a GPS, a new
    // draft starts in the district chosen last time (one tap fewer; the resident sees and can change it).
    {
        let current = current.clone();
        let last_area = (!ctx.settings.can_locate).then(|| ctx.settings.last_area.clone()).flatten();
        use_effect_with(draft.as_ref().and_then(|d| d.as_ref().ok()).cloned(), move |d| {
            if let Some(d) = d {
                current.set(Some(d.clone()));
                if d.location.is_none()
                    && let Some(a) = last_area.as_deref().and_then(areas::find)
                {
                    run::<DraftView>("set_location", area_location(d.id, a), move |r| {
                        if let Ok(d) = r {
                            current.set(Some(d))
                        }
                    });
                }
            }
        });
    }
    // Same problem nearby? Asked when both a category and a location are known.
    {
        let nearby = nearby.clone();
        let key = current.as_ref().and_then(|d| Some((d.category.clone()?, d.location.clone()?)));
        use_effect_with(key.map(|(c, l)| (c, l.lat.to_bits(), l.lon.to_bits())), move |k| {
            if let Some((category, lat, lon)) = k.clone() {
                let (lat, lon) = (f64::from_bits(lat), f64::from_bits(lon));
                run::<Vec<NearbyReport>>(
                    "nearby",
                    json!({ "category": category, "lat": lat, "lon": lon, "radius_m": NEARBY_M }),
                    move |r| nearby.set(r.unwrap_or_default()),
                );
            } else {
                nearby.set(vec![]);
            }
        });
    }

    if let Some(p) = pending(&ctx, &draft) {
        return p;
    }
    let Some(d) = (*current).clone() else { return html! {} };
    let cats: Vec<Category> = cats.as_ref().and_then(|c| c.as_ref().ok()).cloned().unwrap_or_default();

    // Sends one update to the shell; the answer is the draft as saved.
    let update = {
        let (current, error, busy) = (current.clone(), error.clone(), busy.clone());
        Callback::from(move |(cmd, args): (&'static str, serde_json::Value)| {
            let (current, error, busy) = (current.clone(), error.clone(), busy.clone());
            busy.set(*busy + 1);
            run::<DraftView>(cmd, args, move |r| {
                busy.set(busy.saturating_sub(1));
                match r {
                    Ok(d) => {
                        error.set(None);
                        current.set(Some(d))
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };

    // Files from the picker (camera on phones): bytes go to the shell, which prepares them.
    let on_files = {
        let (current, error, busy, id) = (current.clone(), error.clone(), busy.clone(), d.id);
        Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(files) = input.files() else { return };
            let files: Vec<web_sys::File> = (0..files.length()).filter_map(|n| files.get(n)).collect();
            input.set_value("");
            let (current, error, busy) = (current.clone(), error.clone(), busy.clone());
            busy.set(*busy + 1);
            spawn_local(async move {
                for f in files {
                    let bytes = match wasm_bindgen_futures::JsFuture::from(f.array_buffer()).await {
                        Ok(buf) => js_sys::Uint8Array::new(&buf),
                        Err(_) => continue,
                    };
                    let draft = id.to_string();
                    match bridge::call_bytes::<DraftView>("attach", bytes, &[("draft", &draft)]).await {
                        Ok(d) => {
                            error.set(d.error.clone());
                            current.set(Some(d))
                        }
                        Err(e) => error.set(Some(e)),
                    }
                }
                busy.set(busy.saturating_sub(1));
            });
        })
    };

    // The phone's own camera (Android): the shell opens it and attaches what it returns.
    let native = {
        let (current, error, busy, id) = (current.clone(), error.clone(), busy.clone(), d.id);
        Callback::from(move |kind: MediaKind| {
            let (current, error, busy) = (current.clone(), error.clone(), busy.clone());
            busy.set(*busy + 1);
            run::<DraftView>("capture", json!({ "draft": id, "kind": kind }), move |r| {
                busy.set(busy.saturating_sub(1));
                match r {
                    Ok(d) => {
                        error.set(d.error.clone());
                        current.set(Some(d))
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };

    let locate = {
        let (update, locating, located_since, error, id, i) =
            (update.clone(), locating.clone(), located_since.clone(), error.clone(), d.id, i.clone());
        Callback::from(move |_| {
            locating.set(true);
            located_since.set(js_sys::Date::now());
            let (update, locating, error, i) = (update.clone(), locating.clone(), error.clone(), i.clone());
            run::<Located>("locate", (), move |r| {
                locating.set(false);
                match r {
                    Ok(Located::Found { fix: f }) => update.emit((
                        "set_location",
                        json!({ "draft": id, "lat": f.lat, "lon": f.lon, "accuracy_m": f.accuracy_m, "source": LocationSource::Gps }),
                    )),
                    Ok(Located::Denied) => error.set(Some(i.t("location-denied"))),
                    Ok(Located::NoFix) | Err(_) => error.set(Some(i.t("no-fix"))),
                }
            });
        })
    };

    let on_area = {
        let (update, id) = (update.clone(), d.id);
        Callback::from(move |e: Event| {
            let code = value_of(&e);
            if let Some(a) = areas::find(&code) {
                run::<()>("set_setting", json!({ "key": "last_area", "value": a.code }), |_| ());
                update.emit(("set_location", area_location(id, a)));
            }
        })
    };
    let on_coords = {
        let (update, error, id, i) = (update.clone(), error.clone(), d.id, i.clone());
        Callback::from(move |e: Event| {
            let text = value_of(&e);
            if text.trim().is_empty() {
                return;
            }
            match format::parse_coordinates(&text) {
                Some((lat, lon)) => update.emit((
                    "set_location",
                    json!({ "draft": id, "lat": lat, "lon": lon, "accuracy_m": null, "source": LocationSource::Pin }),
                )),
                None => error.set(Some(i.t("coords-invalid"))),
            }
        })
    };
    let on_address = {
        let (update, id) = (update.clone(), d.id);
        Callback::from(move |e: Event| update.emit(("set_address", json!({ "draft": id, "address": value_of(&e) }))))
    };
    let on_description = {
        let (update, id) = (update.clone(), d.id);
        Callback::from(move |e: Event| update.emit(("set_description", json!({ "draft": id, "text": value_of(&e) }))))
    };

    // Sent or discarded, the draft screen is done with: the next screen takes its place, so back
    // does not return to an empty draft.
    let send = {
        let (replace, error, refresh, id) = (ctx.replace.clone(), error.clone(), ctx.refresh.clone(), d.id);
        Callback::from(move |_| {
            let (replace, error, refresh) = (replace.clone(), error.clone(), refresh.clone());
            run::<Uuid>("submit", json!({ "draft": id }), move |r| match r {
                Ok(report) => {
                    refresh.emit(());
                    replace.emit(Route::Report(report))
                }
                Err(e) => error.set(Some(e)),
            });
        })
    };
    let discard = {
        let (replace, id) = (ctx.replace.clone(), d.id);
        Callback::from(move |_| {
            let replace = replace.clone();
            run::<()>("discard_draft", json!({ "draft": id }), move |_| replace.emit(Route::Home));
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
                .and_then(areas::find)
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
    let ready = missing.is_empty() && *busy == 0;

    let media = d.media.iter().map(|m| {
        let (update, draft, media) = (update.clone(), d.id, m.id);
        let remove = Callback::from(move |_| update.emit(("detach", json!({ "draft": draft, "media": media }))));
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
                onclick={Callback::from(move |_| update.emit(("set_category", json!({ "draft": draft, "code": code.clone() }))))}>
                <span class="glyph">{areas::icon(&c.icon)}</span><span>{c.name.get(i.lang).to_string()}</span>
            </button>
        }
    }).collect::<Html>();

    let same = if nearby.is_empty() {
        html! {}
    } else {
        let now = format::now();
        html! {
            <section class="card nearby" id="nearby">
                <h3>{i.t("same-problem")}</h3>
                <p class="small muted">{i.t("same-problem-hint")}</p>
                <ul class="list">
                { for nearby.iter().map(|n| {
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
                    <button id="take-photo" class="add-media" disabled={*busy > 0} onclick={let n = native.clone(); Callback::from(move |_| n.emit(MediaKind::Photo))}>
                        <span class="glyph">{"📷"}</span><span>{i.t("take-photo")}</span>
                    </button>
                    <button id="record-video" class="add-media" disabled={*busy > 0} onclick={let n = native.clone(); Callback::from(move |_| n.emit(MediaKind::Video))}>
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
                <button id="locate" class="secondary" onclick={locate} disabled={*locating}>{i.t("use-my-location")}</button>
                if *locating {
                    <p id="locating" class="small muted" role="status">{match ctx.live_fix {
                        Some((acc, at)) if at >= *located_since => {
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

            if let Some(e) = &*error { <p class="error" role="alert" id="draft-error">{e.clone()}</p> }
            if !missing.is_empty() { <p class="small muted" id="missing">{i.t("still-needed")}{" "}{missing.join(", ")}</p> }
            <div class="actions">
                <button id="send" class="big primary" disabled={!ready} onclick={send}>{i.t("send")}</button>
                <button id="discard" class="link" onclick={discard}>{i.t("discard")}</button>
            </div>
        </section>
    }
}

/// A draft's location from a district: its centre, its radius as the accuracy, marked as an address.
fn area_location(draft: Uuid, a: &areas::Area) -> serde_json::Value {
    json!({ "draft": draft, "lat": a.lat, "lon": a.lon, "accuracy_m": a.radius_m, "source": LocationSource::Address })
}
