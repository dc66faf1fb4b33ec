//! Sign in: phone number, then the code from the SMS. Capture works without it; sending does not.

use qala_protocol::commands::{self as cmd, RequestCodeArgs, SignInArgs};
use qala_protocol::normalize_phone;
use yew::prelude::*;

use super::input_value;
use crate::app::{Ctx, Route};
use crate::hooks::run;

#[function_component]
pub fn SignIn() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let i = &ctx.i;
    let phone = use_state(String::new);
    let code = use_state(String::new);
    let sent = use_state(|| false);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);

    let request = {
        let (phone, sent, busy, error, i) = (phone.clone(), sent.clone(), busy.clone(), error.clone(), ctx.i.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(normal) = normalize_phone(&phone) else {
                error.set(Some(i.t("phone-invalid")));
                return;
            };
            busy.set(true);
            let (sent, busy, error) = (sent.clone(), busy.clone(), error.clone());
            run::<cmd::RequestCode>(RequestCodeArgs { phone: normal }, move |r| {
                busy.set(false);
                match r {
                    Ok(()) => {
                        error.set(None);
                        sent.set(true)
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let verify = {
        let (phone, code, busy, error, replace, refresh) =
            (phone.clone(), code.clone(), busy.clone(), error.clone(), ctx.replace.clone(), ctx.refresh.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            busy.set(true);
            let (busy, error, replace, refresh) = (busy.clone(), error.clone(), replace.clone(), refresh.clone());
            let phone = normalize_phone(&phone).unwrap_or_default();
            run::<cmd::SignIn>(SignInArgs { phone, code: code.trim().to_string() }, move |r| {
                busy.set(false);
                match r {
                    Ok(()) => {
                        refresh.emit(());
                        replace.emit(Route::Home)
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <section class="sign-in">
            <h1>{i.t("sign-in")}</h1>
            <p class="muted">{i.t("sign-in-why")}</p>
            if !*sent {
                <form onsubmit={request}>
                    <label for="phone">{i.t("phone")}</label>
                    <input id="phone" type="tel" inputmode="tel" autocomplete="tel" placeholder="+7 700 000 00 00"
                        value={(*phone).clone()} oninput={let p = phone.clone(); Callback::from(move |e| p.set(input_value(&e)))} />
                    <button id="send-code" class="primary" type="submit" disabled={*busy}>{i.t("send-code")}</button>
                </form>
            } else {
                <form onsubmit={verify}>
                    <p>{i.t_args("code-sent", &[("number", crate::i18n::Arg::Str((*phone).clone()))])}</p>
                    <label for="code">{i.t("code")}</label>
                    <input id="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8"
                        value={(*code).clone()} oninput={let c = code.clone(); Callback::from(move |e| c.set(input_value(&e)))} />
                    <button id="verify" class="primary" type="submit" disabled={*busy}>{i.t("sign-in")}</button>
                    <button type="button" class="link" onclick={let s = sent.clone(); Callback::from(move |_| s.set(false))}>{i.t("change-number")}</button>
                </form>
            }
            if let Some(e) = &*error { <p class="error" role="alert" id="sign-in-error">{e.clone()}</p> }
        </section>
    }
}
