//! The journeys across crates, in one binary (each binary links the server, the phone core and,
//! for the app, Tauri: on two cores linking costs more than running): the phone core against a
//! real server (`phone_*`), with the harness they share (`phone`), and the real app end to end
//! (`app_e2e`). Run one with `cargo test -p qala-journeys --test journeys phone_sync::`.

mod phone;

mod app_e2e;
mod phone_faults;
mod phone_life;
mod phone_rights;
mod phone_scope;
mod phone_sync;
