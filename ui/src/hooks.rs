//! Loading screen data from the shell: one hook that calls a command when its arguments or the
//! app's change counter move, so every screen refreshes after a sync without knowing about syncs.

use qala_protocol::commands::{Args, Command, Output};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::bridge;

/// What a load is: not yet answered, or the answer.
pub type Loaded<T> = Option<Result<T, String>>;

#[hook]
pub fn use_call<C>(args: Args<C>, tick: u32) -> UseStateHandle<Loaded<Output<C>>>
where
    C: Command + 'static,
    Args<C>: PartialEq + Clone + 'static,
    Output<C>: 'static,
{
    let state = use_state(|| None);
    {
        let state = state.clone();
        use_effect_with((args, tick), move |(args, _)| {
            let args = args.clone();
            spawn_local(async move { state.set(Some(bridge::invoke::<C>(&args).await)) });
        });
    }
    state
}

/// Runs command `C` for its effect and reports the outcome to `done`.
pub fn run<C: Command + 'static>(args: Args<C>, done: impl FnOnce(Result<Output<C>, String>) + 'static) {
    spawn_local(async move { done(bridge::invoke::<C>(&args).await) });
}
