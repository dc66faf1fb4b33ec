//! Pull pages are exact at their boundaries: nothing skipped, nothing repeated, even when changes
//! arrive between pages.

use std::collections::BTreeSet;

use crate::common::*;
use qala_protocol::*;

/// A resident whose own log holds exactly `n` report changes after the public catalogue.
async fn setup(n: usize, tag: u32) -> (TestServer, Client, String) {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(tag)).await;
    let (_, cursor) = c.pull_all("", 1000).await;
    let ops: Vec<Op> = (0..n).map(|_| create_op(new_report("sidewalks", vec![]))).collect();
    for chunk in ops.chunks(100) {
        c.push(chunk.to_vec()).await;
    }
    (server, c, cursor)
}

/// Each report writes two rows: the author's view and the public view.
fn seqs(changes: &[Change]) -> Vec<i64> {
    changes.iter().map(|c| c.seq).collect()
}

async fn page_through(c: &Client, cursor: &str, limit: u32) -> (Vec<Change>, usize) {
    let mut cursor = cursor.to_string();
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        let p = c.pull_page(&cursor, limit).await;
        pages += 1;
        assert!(p.changes.len() <= limit as usize);
        if p.has_more {
            assert_eq!(p.changes.len(), limit as usize, "a short page never claims more");
        }
        all.extend(p.changes);
        cursor = p.next_cursor;
        if !p.has_more {
            return (all, pages);
        }
    }
}

fn assert_exact(changes: &[Change], expected: usize) {
    let s = seqs(changes);
    assert_eq!(s.len(), expected, "count");
    assert!(s.windows(2).all(|w| w[0] < w[1]), "strictly increasing, so no repeats");
    assert_eq!(s.iter().collect::<BTreeSet<_>>().len(), expected);
}

#[tokio::test]
async fn exact_page_size() {
    // 5 reports = 10 rows, page of 10: one full page, and has_more is false.
    let (_s, c, cursor) = setup(5, 30).await;
    let p = c.pull_page(&cursor, 10).await;
    assert_eq!(p.changes.len(), 10);
    assert!(!p.has_more, "exactly one page: nothing more");
    let empty = c.pull_page(&p.next_cursor, 10).await;
    assert!(empty.changes.is_empty());
    assert_eq!(empty.next_cursor, p.next_cursor, "an empty page keeps the cursor");
}

#[tokio::test]
async fn page_plus_one() {
    let (_s, c, cursor) = setup(5, 31).await;
    let (all, pages) = page_through(&c, &cursor, 9).await;
    assert_eq!(pages, 2);
    assert_exact(&all, 10);
}

#[tokio::test]
async fn several_exact_pages() {
    let (_s, c, cursor) = setup(15, 32).await;
    let (all, pages) = page_through(&c, &cursor, 10).await;
    assert_eq!(pages, 3);
    assert_exact(&all, 30);
    let (all, _) = page_through(&c, &cursor, 1).await;
    assert_exact(&all, 30);
}

#[tokio::test]
async fn changes_arriving_between_pages_are_neither_skipped_nor_repeated() {
    let (server, c, start) = setup(10, 33).await;
    let other = Client::resident(&server, &phone(34)).await;
    let mut cursor = start.clone();
    let mut seen = Vec::new();
    let mut round = 0;
    loop {
        let p = c.pull_page(&cursor, 7).await;
        seen.extend(p.changes);
        cursor = p.next_cursor;
        // Between pages: my own new report, and someone else's (whose public view I also see).
        if round < 4 {
            c.push(vec![create_op(new_report("sidewalks", vec![]))]).await;
            other.push(vec![create_op(new_report("sidewalks", vec![]))]).await;
        }
        round += 1;
        if !p.has_more && round > 4 {
            break;
        }
    }
    // 10 + 4 of mine (2 rows each) + 4 of theirs (public row only).
    assert_exact(&seen, 20 + 8 + 4);
    // A fresh reader from the same start sees exactly the same rows.
    let (again, _) = c.pull_all(&start, 1000).await;
    assert_eq!(seqs(&again), seqs(&seen));
    // Other people's full reports never reach me.
    assert_eq!(seen.iter().filter(|c| c.kind == EntityKind::Report).count(), 14);
}

#[tokio::test]
async fn bad_cursors_and_limits_are_422() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(35)).await;
    for q in ["cursor=-1", "limit=0", "limit=1001", "cursor=abc"] {
        let r = c.get(&format!("/sync/pull?{q}")).await;
        assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{q}");
    }
}

#[tokio::test]
async fn a_cursor_older_than_the_retention_window_gets_410_and_starts_over() {
    let server = TestServer::start_with(&["--demo"]);
    let pw = add_staff(server.dir.path(), "chief", "admin", None);
    let resident = Client::resident(&server, &phone(36)).await;
    let (before, cursor) = resident.pull_all("", 1000).await;
    let news = before
        .iter()
        .find_map(|c| match &c.entity {
            Some(Entity::News(n)) => Some(n.id),
            _ => None,
        })
        .unwrap();
    // A deletion lands in the log after this phone's cursor…
    let admin = Client::staff(&server, "chief", &pw).await;
    let r = admin.request(reqwest::Method::DELETE, &format!("/admin/news/{news}")).send().await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::NO_CONTENT);
    // …and a server keeping tombstones for 0 days prunes it at start.
    let dir = server.stop();
    let again = TestServer::start_in(dir, &["--retention-days", "0"]);
    again.wait_log(|v| v["message"] == "change log compacted", std::time::Duration::from_secs(10));
    let c = Client { base: again.api(""), ..resident };
    let r = c.get(&format!("/sync/pull?cursor={cursor}")).await;
    assert_eq!(r.status(), reqwest::StatusCode::GONE);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "gone");
    // Starting over from 0 gives the current state, without the deleted news.
    let (fresh, _) = c.pull_all("", 1000).await;
    assert!(!fresh.iter().any(|c| c.id == news.to_string()));
    assert_eq!(fresh.iter().filter(|c| c.kind == EntityKind::News).count(), 2);
}

/// A report at the centre of `district`, pushed by `c`.
async fn report_in(c: &Client, district: &str) -> uuid::Uuid {
    let d = districts::find(district).unwrap();
    let mut r = new_report("sidewalks", vec![]);
    r.location.lat = d.lat;
    r.location.lon = d.lon;
    let id = r.id;
    c.push(vec![create_op(r)]).await;
    id
}

#[tokio::test]
async fn scoped_pages_are_exact_across_buckets_snapshots_and_a_district_added_midway() {
    let server = TestServer::start();
    let author = Client::resident(&server, &phone(37)).await;
    let reader = Client::resident(&server, &phone(38)).await;
    for d in ["medeu", "almaly", "turksib", "medeu", "almaly"] {
        report_in(&author, d).await;
    }
    // Pages of 2 through a snapshot of two districts, while reports arrive between pages.
    let mut cursor = String::new();
    let mut seen: Vec<Change> = Vec::new();
    let mut scope = vec!["medeu"];
    for round in 0.. {
        let p = reader.pull_page_in(&cursor, &scope, 2).await;
        assert!(p.changes.len() <= 2);
        assert!(p.changes.windows(2).all(|w| w[0].seq < w[1].seq), "a page is ordered");
        seen.extend(p.changes);
        cursor = p.next_cursor;
        if round < 3 {
            report_in(&author, ["medeu", "turksib", "almaly"][round]).await;
        }
        if round == 1 {
            scope.push("almaly");
        }
        if !p.has_more && round >= 3 {
            break;
        }
    }
    // Every public report of Medeu and Almaly exactly once; nothing of Turksib; no deletion.
    let public: Vec<&Change> = seen.iter().filter(|c| c.kind == EntityKind::PublicReport).collect();
    let ids: BTreeSet<&str> = public.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), public.len(), "no report twice");
    assert_eq!(public.len(), 2 + 2 + 2, "two of Medeu and two of Almaly, and one more of each arriving");
    for c in &public {
        let Some(Entity::PublicReport(r)) = &c.entity else { panic!("a deletion in a snapshot") };
        assert!(r.district == "medeu" || r.district == "almaly", "{}", r.district);
    }
    // What the reader holds now is what a new phone of the same scope gets at once.
    let (fresh, _) = reader.pull_all_in("", &["medeu", "almaly"], 1000).await;
    let fresh_ids: BTreeSet<&str> =
        fresh.iter().filter(|c| c.kind == EntityKind::PublicReport).map(|c| c.id.as_str()).collect();
    assert_eq!(fresh_ids, ids);
}

#[tokio::test]
async fn hostile_scopes_and_cursors_are_422() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(39)).await;
    let long = "city:1,".repeat(300);
    let many: String = (0..70).map(|i| format!("x{i}:1")).collect::<Vec<_>>().join(",");
    for (q, field) in [
        ("districts=atlantis".to_string(), "districts"),
        (format!("districts={}", (0..40).map(|i| format!("x{i}")).collect::<Vec<_>>().join(",")), "districts"),
        (format!("districts={}", "a".repeat(2000)), "districts"),
        (format!("cursor={long}"), "cursor"),
        (format!("cursor={many}"), "cursor"),
        ("cursor=city:1:2:3".to_string(), "cursor"),
        ("cursor=city:1,city:2".to_string(), "cursor"),
    ] {
        let r = c.get(&format!("/sync/pull?{q}")).await;
        assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["field"], field, "{q}");
    }
}
