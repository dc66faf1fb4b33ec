//! Loading screen data from the shell: one hook that calls a command when its arguments or the
//! app's change counter move, so every screen refreshes after a sync without knowing about syncs.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::bridge;

/// What a load is: not yet answered, or the answer.
pub type Loaded<T> = Option<Result<T, String>>;

#[hook]
pub fn use_call<T, A>(cmd: &'static str, args: A, tick: u32) -> UseStateHandle<Loaded<T>>
where
    T: DeserializeOwned + 'static,
    A: Serialize + PartialEq + Clone + 'static,
{
    let state = use_state(|| None);
    {
        let state = state.clone();
        use_effect_with((args, tick), move |(args, _)| {
            let args = args.clone();
            spawn_local(async move { state.set(Some(bridge::call(cmd, args).await)) });
        });
    }
    state
}

/// Runs a command for its effect and reports the outcome to `done`.
pub fn run<T: DeserializeOwned + 'static>(
    cmd: &'static str,
    args: impl Serialize + 'static,
    done: impl FnOnce(Result<T, String>) + 'static,
) {
    spawn_local(async move { done(bridge::call(cmd, args).await) });
}
