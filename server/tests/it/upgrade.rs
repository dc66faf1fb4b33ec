//! What both backends' upgrade tests share: an answered report written before migration 4, and
//! what the statistics must say of it afterwards. A module of the test binary beside the store suite.

use chrono::{Duration, Utc};
use qala_protocol::*;
use qala_server::store::*;
use uuid::Uuid;

/// A report registered 40 hours ago and answered 10 hours after registration, before its deadline.
pub async fn answered_report(s: &dyn Store) {
    let a = s.resident_for_phone("+77019990001", Utc::now()).await.unwrap();
    let cat = qala_server::app::shipped_catalog().unwrap().1.into_iter().find(|c| c.code == "road_repair").unwrap();
    let new = NewReport {
        id: Uuid::now_v7(),
        category: "road_repair".into(),
        description: "hole".into(),
        location: Location {
            lat: 43.2,
            lon: 76.9,
            accuracy_m: None,
            source: LocationSource::Pin,
            fixed_at: Utc::now(),
        },
        address: None,
        media: vec![],
        created_at: Utc::now(),
    };
    let at = Utc::now() - Duration::hours(40);
    let r = qala_server::domain::reports::register(&new, &cat, at, &Default::default());
    let key = OpKey { op_id: Uuid::now_v7(), user_id: a.user_id, kind: "create_report" };
    s.create_report(&key, a.user_id, r, "ALA").await.unwrap();
    let answer = move |r: &mut Report, _: Uuid| -> Result<(), qala_server::domain::reports::Refusal> {
        r.status = ReportStatus::Done;
        r.answer =
            Some(Answer { text: "ok".into(), media: vec![], agency: "mobility".into(), at: at + Duration::hours(10) });
        Ok(())
    };
    s.mutate_report(None, new.id, &answer).await.unwrap();
}

/// What the statistics say of that report after an upgrade.
pub async fn assert_upgraded(s: &dyn Store) {
    let (rows, times) = s.stats_rows(None, Utc::now()).await.unwrap();
    let c = qala_server::domain::stats::counts(&rows, &times);
    assert_eq!((c.received, c.done), (1, 1));
    assert_eq!(c.median_hours_to_answer, Some(10.0), "the answer time was filled in from the stored report");
    assert_eq!(c.done_on_time_share, Some(1.0));
}

/// Undoes migration 4 (its columns, its index and its record), as a database made before it.
pub const UNDO_4: &[&str] = &[
    "DROP INDEX reports_registered",
    "DROP INDEX reports_stats",
    "ALTER TABLE reports DROP COLUMN answer_secs",
    "ALTER TABLE reports DROP COLUMN answer_on_time",
    "DELETE FROM _sqlx_migrations WHERE version = 4",
];

/// Turns a database back into one made before sqlx's migrator: its history in `schema_migrations`.
pub const LEGACY_HISTORY: &[&str] = &[
    "DROP TABLE _sqlx_migrations",
    "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    "INSERT INTO schema_migrations (version, applied_at) VALUES (1, 'x'), (2, 'x'), (3, 'x'), (4, 'x'), (5, 'x')",
];
