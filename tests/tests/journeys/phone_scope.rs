//! Scoped sync on the phone: what a phone holds is its scope — the city's content, its own reports
//! whole, and the public reports of its districts that are open or recently settled — and it stays
//! so through district changes, reports leaving and re-entering the scope, starting over after a
//! 410, bad networks and random offline periods.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use crate::phone::proxy::Proxy;
use crate::phone::*;
use chrono::{Duration, Utc};
use qala_core::Core;
use qala_core::sync::SyncEngine;
use qala_protocol::districts::{self, AREAS};
use qala_protocol::scope;
use qala_protocol::*;
use qala_server::domain::reports::Action;
use qala_server::store::Pulled;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

fn centre(code: &str) -> (f64, f64) {
    let d = districts::find(code).unwrap();
    (d.lat, d.lon)
}

/// The public reports a phone holds, by id.
fn held(core: &Core) -> BTreeMap<Uuid, PublicReport> {
    core.feed(None, u32::MAX).unwrap().into_iter().map(|r| (r.id, r)).collect()
}

/// What the server says the scope of `districts` holds now: a new phone's snapshot of it.
async fn scope_on_server(server: &Server, districts: &[String]) -> BTreeMap<Uuid, PublicReport> {
    let buckets = scope::buckets(Uuid::nil(), districts).unwrap();
    let mut positions = scope::positions(None, buckets).unwrap();
    let mut out = BTreeMap::new();
    loop {
        let Pulled::Page(page) = server.state.store.pull(positions, 1000).await.unwrap() else { panic!("gone") };
        for row in &page.rows {
            if row.kind == "public_report" {
                let Entity::PublicReport(r) = serde_json::from_str(row.payload.as_deref().unwrap()).unwrap() else {
                    panic!("not a public report")
                };
                out.insert(r.id, r);
            }
        }
        positions = page.positions;
        if !page.has_more {
            return out;
        }
    }
}

#[tokio::test]
async fn districts_come_and_go_and_my_own_reports_stay_whatever_their_age() {
    let server = Server::start().await;
    let (_dn, neighbour, n_engine) = signed_in(&server, "+77015551001").await;
    let (m_lat, m_lon) = centre("medeu");
    let (a_lat, a_lon) = centre("almaly");
    let in_medeu = capture_at(&neighbour, "road_repair", m_lat, m_lon);
    let in_almaly = capture_at(&neighbour, "road_repair", a_lat, a_lon);
    n_engine.sync_once().await.unwrap();

    let (_d, core, engine) = signed_in(&server, "+77015551002").await;
    assert!(core.districts().unwrap().is_empty(), "a new phone follows no district");
    let mine = capture_at(&core, "street_lighting", a_lat, a_lon);
    assert_eq!(core.districts().unwrap(), ["almaly"], "the district of the first report is adopted");
    core.set_districts(&["medeu".into()]).unwrap();
    engine.sync_once().await.unwrap();
    assert_eq!(held(&core).keys().copied().collect::<Vec<_>>(), [in_medeu]);

    // Almaly added: its reports arrive with the next pull (my own among them).
    core.set_districts(&["medeu".into(), "almaly".into()]).unwrap();
    engine.sync_once().await.unwrap();
    let mut want = vec![in_medeu, in_almaly, mine];
    want.sort();
    assert_eq!(held(&core).keys().copied().collect::<Vec<_>>(), want);

    // Medeu dropped: its reports go at once, before any network; and a later change there does
    // not come back.
    core.set_districts(&["almaly".into()]).unwrap();
    assert!(!held(&core).contains_key(&in_medeu));
    server.act(in_medeu, Action::Assign { executor: "Бригада 2".into(), note: None }).await;
    engine.sync_once().await.unwrap();
    assert!(!held(&core).contains_key(&in_medeu));
    assert_eq!(held(&core), scope_on_server(&server, &["almaly".into()]).await);
    assert!(core.set_districts(&["atlantis".into()]).is_err(), "an unknown district is refused");
    // The whole city is a choice too; nothing chosen holds nobody else's reports.
    core.set_districts(&[districts::WHOLE_CITY.into()]).unwrap();
    engine.sync_once().await.unwrap();
    assert_eq!(held(&core).len(), 3);
    core.set_districts(&[]).unwrap();
    assert!(held(&core).is_empty());

    // Both answered and settled long ago (a public window of nothing): the public copies leave
    // the phones, but my own report stays on mine, whole, whatever its age.
    server.act(in_almaly, Action::Answer { text: "Сделано".into(), media: vec![] }).await;
    server.act(mine, Action::Answer { text: "Заменили лампу".into(), media: vec![] }).await;
    let left = server.state.store.leave_public_scope(Utc::now() + Duration::seconds(1), 100).await.unwrap();
    assert_eq!(left, 2);
    engine.sync_once().await.unwrap();
    assert!(held(&core).is_empty());
    let my = core.my_report(mine).unwrap().unwrap();
    assert_eq!(my.report.unwrap().answer.unwrap().text, "Заменили лампу");
    // A fresh phone of mine gets it too (snapshot of my own bucket).
    let (_d2, again, again_engine) = signed_in(&server, "+77015551002").await;
    again_engine.sync_once().await.unwrap();
    assert!(again.my_report(mine).unwrap().unwrap().report.is_some());
    // Outside the scope, a report is still there online, whole: opened from a link, by number.
    let online = engine.public_report(in_almaly).await.unwrap().unwrap();
    assert_eq!(online.status, ReportStatus::Done);
    let number = online.registration_number.clone();
    assert_eq!(engine.find_report(&number).await.unwrap().unwrap().id, in_almaly);
    assert!(engine.public_report(Uuid::now_v7()).await.unwrap().is_none());
}

#[tokio::test]
async fn a_long_description_travels_cut_and_is_read_whole_online() {
    let server = Server::start().await;
    let (_dn, neighbour, n_engine) = signed_in(&server, "+77015551011").await;
    let d = neighbour.start_draft().unwrap();
    neighbour.set_location(d, &here()).unwrap();
    neighbour.set_category(d, "road_repair").unwrap();
    let long = "Яма глубиной полметра, машины объезжают её по встречной полосе. ".repeat(20);
    neighbour.set_description(d, &long).unwrap();
    let id = neighbour.submit(d).unwrap();
    n_engine.sync_once().await.unwrap();
    let (_d, core, engine) = signed_in(&server, "+77015551012").await;
    core.set_districts(&[districts::WHOLE_CITY.into()]).unwrap();
    engine.sync_once().await.unwrap();
    let summary = held(&core).remove(&id).unwrap();
    assert!(summary.more);
    assert!(summary.description.chars().count() <= PUBLIC_SUMMARY_CHARS);
    assert!(long.starts_with(&summary.description));
    let whole = engine.public_report(id).await.unwrap().unwrap();
    assert_eq!(whole.description, long.trim());
    assert!(!whole.more);
}

#[tokio::test]
async fn a_410_while_scoped_starts_over_in_the_same_scope() {
    let server = Server::start().await;
    let (_dn, neighbour, n_engine) = signed_in(&server, "+77015551021").await;
    let (m_lat, m_lon) = centre("medeu");
    let (t_lat, t_lon) = centre("turksib");
    capture_at(&neighbour, "road_repair", m_lat, m_lon);
    capture_at(&neighbour, "road_repair", t_lat, t_lon);
    n_engine.sync_once().await.unwrap();
    let (dir, core, engine) = signed_in(&server, "+77015551022").await;
    core.set_districts(&["turksib".into()]).unwrap();
    engine.sync_once().await.unwrap();
    assert_eq!(held(&core).len(), 1);
    server.raise_retention_floor();
    let later = capture_at(&neighbour, "road_repair", t_lat, t_lon);
    n_engine.sync_once().await.unwrap();
    engine.sync_once().await.unwrap();
    let now = held(&core);
    assert_eq!(now.len(), 2, "started over, in Turksib only");
    assert!(now.contains_key(&later));
    assert!(now.values().all(|r| r.district == "turksib"));
    let cursor = phone_meta(dir.path(), "cursor").unwrap();
    assert!(cursor.contains("d.turksib") && !cursor.contains("d.medeu"), "{cursor}");
}

/// One phone of the convergence test.
struct Phone {
    core: std::sync::Arc<Core>,
    engine: std::sync::Arc<SyncEngine>,
    _dir: tempfile::TempDir,
    offline_until: usize,
}

/// Many phones with random scopes and random offline periods, a random operator workload, reports
/// leaving the scope, compactions that force some phones to start over, and a network that cuts
/// connections. At the end, once the network is good, every phone holds exactly its scope as the
/// server has it, its own reports as the server has them, and nothing waits in any outbox.
#[tokio::test]
async fn phones_with_random_scopes_and_faults_converge() {
    let seed: u64 = std::env::var("QALA_CONVERGENCE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261129);
    let mut rng = StdRng::seed_from_u64(seed);
    let server = Server::start().await;
    let proxy = Proxy::start(server.addr, 0).await;
    let mut phones = Vec::new();
    for i in 0..6 {
        let (dir, core, engine) = signed_in_via(&server, &proxy.url(), &format!("+7701556{i:04}")).await;
        phones.push(Phone { core, engine, _dir: dir, offline_until: 0 });
    }
    proxy.cut_per_mille.store(150, Ordering::Relaxed);
    let mut reports: Vec<Uuid> = Vec::new();
    let steps = 120;
    for step in 0..steps {
        let p = rng.random_range(0..phones.len());
        match rng.random_range(0..100) {
            // A resident reports something somewhere in the city.
            0..=24 => {
                let a = &AREAS[rng.random_range(0..AREAS.len())];
                let (dlat, dlon) = (rng.random_range(-0.01..0.01), rng.random_range(-0.01..0.01));
                let cat = ["road_repair", "street_lighting", "sidewalks"][rng.random_range(0..3)];
                reports.push(capture_at(&phones[p].core, cat, a.lat + dlat, a.lon + dlon));
            }
            // A resident changes the districts they follow: none, the whole city, or one or two.
            25..=34 => {
                let chosen: Vec<String> = match rng.random_range(0..4) {
                    0 => vec![],
                    1 => vec![districts::WHOLE_CITY.to_string()],
                    n => (1..n).map(|_| AREAS[rng.random_range(0..AREAS.len())].code.to_string()).collect(),
                };
                phones[p].core.set_districts(&chosen).unwrap();
            }
            // A phone goes offline for a while.
            35..=44 => phones[p].offline_until = step + rng.random_range(5..30),
            // An operator works a report.
            45..=69 if !reports.is_empty() => {
                let id = reports[rng.random_range(0..reports.len())];
                let action = match rng.random_range(0..4) {
                    0 => Action::Assign { executor: "Бригада".into(), note: None },
                    1 => Action::Start { note: None },
                    2 => Action::Answer { text: "Сделано".into(), media: vec![] },
                    _ => Action::Reject {
                        reason: RejectReason::NotCompetence, text: "Не наш участок".into()
                    },
                };
                // Reports still on a phone are not on the server yet: nothing to act on.
                if server.state.store.report(id).await.unwrap().is_some() {
                    server.try_act(id, action).await;
                }
            }
            // Settled reports leave the public scope; the log is compacted (some phones start over).
            70..=74 => {
                server.state.store.leave_public_scope(Utc::now(), 500).await.unwrap();
            }
            75..=77 => {
                server.state.store.compact(Utc::now()).await.unwrap();
            }
            // A resident rates an answer (a low rating reopens: back into the scope).
            78..=84 => {
                let answered: Vec<Uuid> = phones[p]
                    .core
                    .my_reports()
                    .unwrap()
                    .into_iter()
                    .filter(|r| r.sync == SyncState::Sent)
                    .filter(|r| r.report.as_ref().is_some_and(|x| x.status == ReportStatus::Done))
                    .map(|r| r.id)
                    .collect();
                if let Some(id) = answered.first() {
                    phones[p].core.rate(*id, rng.random_range(1..=5), None).unwrap();
                }
            }
            // The others: a sync cycle, if the phone is online (through the cutting network).
            _ => {
                if phones[p].offline_until <= step {
                    let _ = phones[p].engine.sync_once().await;
                }
            }
        }
    }
    // The network heals and every phone comes back.
    proxy.cut_per_mille.store(0, Ordering::Relaxed);
    for (i, phone) in phones.iter().enumerate() {
        let mut done = false;
        for _ in 0..10 {
            if phone.engine.sync_once().await.is_ok() {
                let s = phone.core.sync_status().unwrap();
                assert_eq!(s.rejected_ops, 0, "phone {i}: no op refused");
                if s.queued_ops == 0 {
                    done = true;
                    break;
                }
            }
        }
        assert!(done, "phone {i}: its outbox is not stuck");
    }
    // Pushes of the last phones may have changed what the first ones pulled: one more round.
    for phone in &phones {
        phone.engine.sync_once().await.unwrap();
    }
    let mut total_held = 0;
    for (i, phone) in phones.iter().enumerate() {
        let districts = phone.core.districts().unwrap();
        let want = scope_on_server(&server, &districts).await;
        let got = held(&phone.core);
        assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "phone {i} ({districts:?}): ids");
        assert_eq!(got, want, "phone {i}: contents");
        total_held += got.len();
        // Its own reports, as the server has them.
        for mine in phone.core.my_reports().unwrap() {
            let on_server = server.state.store.report(mine.id).await.unwrap().expect("every report got in").0;
            assert_eq!(mine.report.as_ref(), Some(&on_server), "phone {i}: my report {}", mine.id);
        }
    }
    assert!(total_held > 0, "the test held something to compare (seed {seed})");
    assert!(proxy.stats.cut.load(Ordering::Relaxed) > 0, "the network did cut connections");
}

#[tokio::test]
async fn another_account_on_the_same_phone_starts_afresh() {
    let server = Server::start().await;
    let (_d, core, engine) = signed_in(&server, "+77015551031").await;
    let (m_lat, m_lon) = centre("medeu");
    let mine = capture_at(&core, "road_repair", m_lat, m_lon);
    engine.sync_once().await.unwrap();
    assert!(core.my_report(mine).unwrap().unwrap().report.is_some());
    engine.sign_out().unwrap();
    engine.request_code("+77015551032").await.unwrap();
    engine.sign_in("+77015551032", &server.code("+77015551032")).await.unwrap();
    engine.sync_once().await.unwrap();
    // The first account's report is not the second's: it is gone from "my reports"; as a public
    // report of Medeu (the district this phone follows) it is still there.
    assert!(core.my_reports().unwrap().is_empty());
    assert!(held(&core).contains_key(&mine));
}

#[tokio::test]
async fn a_district_dropped_and_chosen_again_comes_back_whole() {
    let server = Server::start().await;
    let (_dn, neighbour, n_engine) = signed_in(&server, "+77015551041").await;
    let (m_lat, m_lon) = centre("medeu");
    capture_at(&neighbour, "road_repair", m_lat, m_lon);
    capture_at(&neighbour, "road_repair", m_lat, m_lon);
    n_engine.sync_once().await.unwrap();
    let (_d, core, engine) = signed_in(&server, "+77015551042").await;
    core.set_districts(&["medeu".into()]).unwrap();
    engine.sync_once().await.unwrap();
    assert_eq!(held(&core).len(), 2);
    // Unticked and ticked again before any pull (offline, say): the district starts afresh.
    core.set_districts(&[]).unwrap();
    core.set_districts(&["medeu".into()]).unwrap();
    assert!(held(&core).is_empty());
    engine.sync_once().await.unwrap();
    assert_eq!(held(&core).len(), 2);
}
