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

/// Undoes migration 6 (scopes: the change log's buckets, the reports' districts), as a database
/// made before it: public rows without a bucket of their district, reports without a district.
pub const UNDO_6: &[&str] = &[
    "DROP INDEX reports_district_registered",
    "DROP INDEX reports_leaving",
    "DROP INDEX reports_unfiled",
    "DROP INDEX changes_bucket_live",
    "DROP INDEX changes_bucket",
    "DROP INDEX changes_entity",
    "CREATE INDEX changes_entity ON changes(kind, entity_id, owner)",
    "ALTER TABLE reports DROP COLUMN in_scope",
    "ALTER TABLE reports DROP COLUMN settled_at",
    "ALTER TABLE reports DROP COLUMN district",
    "ALTER TABLE changes DROP COLUMN bucket",
    "DELETE FROM _sqlx_migrations WHERE version = 6",
];

/// What scoped pulls see of that report after the upgrade: filed under its district (Bostandyk,
/// nearest to 43.2, 76.9), settled (answered) and so in the public scope until the window ends.
pub async fn assert_filed(s: &dyn Store) {
    use qala_protocol::scope;
    let reader = s.resident_for_phone("+77019990002", Utc::now()).await.unwrap();
    let pull = |districts: Vec<String>| {
        let positions = scope::positions(None, scope::buckets(reader.user_id, &districts).unwrap()).unwrap();
        async move {
            match s.pull(positions, 100).await.unwrap() {
                Pulled::Page(p) => p.rows.into_iter().filter(|r| r.kind == "public_report").count(),
                Pulled::Gone => panic!("gone"),
            }
        }
    };
    assert_eq!(pull(vec!["bostandyk".into()]).await, 1, "filed under its district");
    assert_eq!(pull(vec!["medeu".into()]).await, 0);
    assert_eq!(s.leave_public_scope(Utc::now() + Duration::seconds(1), 10).await.unwrap(), 1, "settled when answered");
}

/// Turns a database back into one made before sqlx's migrator: its history in `schema_migrations`
/// (which ended at migration 5, so migration 6 is undone first).
pub fn legacy_history() -> Vec<&'static str> {
    let undo = UNDO_7.iter().chain(UNDO_6).filter(|s| !s.starts_with("DELETE FROM _sqlx_migrations"));
    undo.chain(LEGACY_HISTORY).copied().collect()
}

/// Undoes migration 7 (sign-in: codes sent again, known devices, the SMS budget, refresh
/// families, staff failures per address), as a database made before it.
pub const UNDO_7: &[&str] = &[
    "DROP INDEX reports_personal",
    "DROP INDEX report_media_report",
    "DROP INDEX sessions_expiry",
    "DROP INDEX known_devices_seen",
    "ALTER TABLE reports DROP COLUMN personal_cleared",
    "DROP INDEX reports_unpublished",
    "DROP INDEX comments_author",
    "DROP INDEX comment_flags_user",
    "DROP INDEX media_owner",
    "ALTER TABLE reports DROP COLUMN published",
    "ALTER TABLE otp_requests DROP COLUMN known",
    "ALTER TABLE sessions DROP COLUMN replaced_at",
    "DROP INDEX login_failures_at",
    "DROP INDEX login_failures_login_addr",
    "CREATE INDEX login_failures_login ON login_failures(login, at)",
    "ALTER TABLE login_failures DROP COLUMN addr",
    "DROP INDEX sessions_user_device",
    "DROP INDEX sessions_family",
    "ALTER TABLE sessions DROP COLUMN state",
    "ALTER TABLE sessions DROP COLUMN generation",
    "ALTER TABLE sessions DROP COLUMN family",
    "DROP TABLE sms_budget",
    "DROP TABLE known_devices",
    "CREATE INDEX otp_requests_device ON otp_requests(device_id, at)",
    "DROP TABLE otp_codes",
    "CREATE TABLE otp_codes (phone TEXT PRIMARY KEY, device_id TEXT NOT NULL, code_hash TEXT NOT NULL,
       expires_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)",
    "DELETE FROM _sqlx_migrations WHERE version = 7",
];

/// Turns a database at migration 5 back into one made before sqlx's migrator.
const LEGACY_HISTORY: &[&str] = &[
    "DROP TABLE _sqlx_migrations",
    "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    "INSERT INTO schema_migrations (version, applied_at) VALUES (1, 'x'), (2, 'x'), (3, 'x'), (4, 'x'), (5, 'x')",
];
