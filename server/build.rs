//! `sqlx::migrate!` embeds `migrations/` at build time; a new or changed migration file must
//! rebuild the server.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
