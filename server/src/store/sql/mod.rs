//! The SQL implementation of the store, written once in SQL that both SQLite (3.39+) and
//! PostgreSQL (12+) accept — `$n` parameters, `ON CONFLICT`, `IS NOT DISTINCT FROM`, `RETURNING` —
//! and compiled by each backend module for its own driver. The files in this folder are not
//! modules on their own: `sqlite/mod.rs` and `postgres/mod.rs` include them, after defining `Db`
//! (the sqlx database), `Tx`, `DbRow`, `DbConnection` and `Backend` (the store type with `read`
//! and `write` pools and a `begin()` that opens a write transaction the backend's way).
//! So a rule about data is written once, and both backends pass one conformance suite.

/// Declares, inside a backend module, the modules of the shared implementation.
macro_rules! sql_store_modules {
    () => {
        mod common {
            include!("../sql/common.rs");
        }
        use common::*;

        mod accounts {
            include!("../sql/accounts.rs");
        }
        mod changes {
            include!("../sql/changes.rs");
        }
        mod civic {
            include!("../sql/civic.rs");
        }
        mod media {
            include!("../sql/media.rs");
        }
        mod meta {
            include!("../sql/meta.rs");
        }
        mod privacy {
            include!("../sql/privacy.rs");
        }
        mod push {
            include!("../sql/push.rs");
        }
        mod quotas {
            include!("../sql/quotas.rs");
        }
        mod reports {
            include!("../sql/reports.rs");
        }
    };
}
pub(crate) use sql_store_modules;
