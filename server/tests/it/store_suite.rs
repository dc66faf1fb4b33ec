//! The storage conformance suite: every `Store` implementation must pass all of it. Use
//! `store_suite!(async_factory_expr)` in a test file to instantiate it for one backend.

#[macro_export]
macro_rules! store_suite {
    ($factory:expr) => {
        use std::sync::Arc;

        use chrono::{Duration, Utc};
        use qala_protocol::*;
        use qala_server::domain::Principal;
        use qala_server::domain::calendar::WorkCalendar;
        use qala_server::domain::reports::{Refusal, register};
        use qala_server::store::*;
        use uuid::Uuid;

        async fn store() -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
            $factory.await
        }

        async fn seeded() -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
            let (s, guard) = store().await;
            let (agencies, categories) = qala_server::app::shipped_catalog().unwrap();
            s.seed_catalog(&agencies, &categories).await.unwrap();
            (s, guard)
        }

        fn category() -> Category {
            qala_server::app::shipped_catalog().unwrap().1.into_iter().find(|c| c.code == "road_repair").unwrap()
        }

        fn report_for(id: Uuid, media: Vec<DeclaredMedia>) -> Report {
            let new = NewReport {
                id,
                category: "road_repair".into(),
                description: "hole".into(),
                location: Location { lat: 43.2, lon: 76.9, accuracy_m: None, source: LocationSource::Pin, fixed_at: Utc::now() },
                address: None,
                media,
                created_at: Utc::now(),
            };
            register(&new, &category(), Utc::now(), &WorkCalendar::default())
        }

        fn project_in_discussion(until: Option<chrono::DateTime<Utc>>) -> Project {
            Project {
                id: Uuid::now_v7(),
                title: LocalizedText::new("", "Парк", ""),
                description: LocalizedText::new("", "Описание", ""),
                status: ProjectStatus::Discussion,
                stages: vec![],
                discussion_until: until,
                created_at: Utc::now(),
            }
        }

        fn key(user: Uuid) -> OpKey {
            OpKey { op_id: Uuid::now_v7(), user_id: user, kind: "create_report" }
        }

        /// The whole city's scope of `user` streamed after `after`: every row, as a phone that holds
        /// everything up to `after` sees them.
        async fn pull_from(s: &Arc<dyn Store>, user: Uuid, after: i64, limit: u32) -> PullPage {
            let positions = qala_protocol::scope::buckets(user, &["*".to_string()])
                .unwrap()
                .into_iter()
                .map(|bucket| qala_protocol::scope::Position { bucket, after, snapshot: None, new: false })
                .collect();
            match s.pull(positions, limit).await.unwrap() {
                Pulled::Page(p) => p,
                Pulled::Gone => panic!("gone"),
            }
        }

        /// The sign-in limits the suite's tests count against, with an hourly budget of `sms_per_hour`.
        fn otp_limits(sms_per_hour: u32) -> OtpLimits {
            OtpLimits { per_phone: 3, phone_window_s: 600, per_phone_daily: 10, sms_per_hour, max_attempts: 3, min_life_s: 60 }
        }

        async fn resident(s: &Arc<dyn Store>, n: u32) -> Principal {
            s.resident_for_phone(&format!("+7701{n:07}"), Utc::now()).await.unwrap()
        }

        #[tokio::test]
        async fn seeding_twice_changes_nothing() {
            let (s, _g) = seeded().await;
            let (agencies, categories) = qala_server::app::shipped_catalog().unwrap();
            s.seed_catalog(&agencies, &categories).await.unwrap();
            assert_eq!(s.categories().await.unwrap().len(), 21);
            let p = resident(&s, 1).await;
            let page = pull_from(&s, p.user_id, 0, 1000).await;
            assert_eq!(page.rows.len(), agencies.len() + 21);
        }

        #[tokio::test]
        async fn numbers_are_sequential_and_ops_are_idempotent() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 2).await;
            let b = resident(&s, 3).await;
            let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
            let keys: Vec<OpKey> = ids.iter().map(|_| key(a.user_id)).collect();
            for (id, k) in ids.iter().zip(&keys) {
                assert_eq!(s.create_report(k, a.user_id, report_for(*id, vec![]), "AST").await.unwrap(), OpOutcome::Applied);
            }
            let year = qala_server::domain::reports::registration_year(Utc::now());
            for (i, id) in ids.iter().enumerate() {
                let (r, owner) = s.report(*id).await.unwrap().unwrap();
                assert_eq!(r.registration_number, format!("AST-{year}-{:06}", i + 1));
                assert_eq!(owner, a.user_id);
            }
            assert_eq!(s.create_report(&keys[0], a.user_id, report_for(ids[0], vec![]), "AST").await.unwrap(), OpOutcome::Duplicate);
            assert_eq!(s.create_report(&key(a.user_id), a.user_id, report_for(ids[0], vec![]), "AST").await.unwrap(), OpOutcome::Duplicate);
            let stolen = s.create_report(&key(b.user_id), b.user_id, report_for(ids[0], vec![]), "AST").await.unwrap();
            assert!(matches!(stolen, OpOutcome::Rejected { ref code, .. } if code == "id_conflict"));
            let replayed = OpKey { user_id: b.user_id, ..keys[1].clone() };
            let r = s.create_report(&replayed, b.user_id, report_for(Uuid::now_v7(), vec![]), "AST").await.unwrap();
            assert!(matches!(r, OpOutcome::Rejected { ref code, .. } if code == "id_conflict"));
        }

        #[tokio::test]
        async fn a_refused_rule_leaves_no_trace() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 4).await;
            let id = Uuid::now_v7();
            s.create_report(&key(a.user_id), a.user_id, report_for(id, vec![]), "ALA").await.unwrap();
            let before = pull_from(&s, a.user_id, 0, 1000).await.rows.len();
            let rule = |r: &mut Report, _owner: Uuid| -> Result<(), Refusal> {
                r.description = "vandalised".into();
                Err(Refusal::invalid("nope", "refused on purpose"))
            };
            let out = s.mutate_report(Some(&key(a.user_id)), id, &rule).await.unwrap();
            assert!(matches!(out, MutateOutcome::Refused(_)));
            assert_eq!(s.report(id).await.unwrap().unwrap().0.description, "hole");
            assert_eq!(pull_from(&s, a.user_id, 0, 1000).await.rows.len(), before);
            let missing = s.mutate_report(None, Uuid::now_v7(), &|_: &mut Report, _| Ok(())).await.unwrap();
            assert!(matches!(missing, MutateOutcome::NotFound));
            // An applied op is a duplicate the second time, and the rule does not run again.
            let k = key(a.user_id);
            let bump = |r: &mut Report, _owner: Uuid| -> Result<(), Refusal> {
                r.description.push('!');
                Ok(())
            };
            assert!(matches!(s.mutate_report(Some(&k), id, &bump).await.unwrap(), MutateOutcome::Applied(_)));
            assert!(matches!(s.mutate_report(Some(&k), id, &bump).await.unwrap(), MutateOutcome::Duplicate));
            assert_eq!(s.report(id).await.unwrap().unwrap().0.description, "hole!");
        }

        #[tokio::test]
        async fn pull_is_scoped_and_exact() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 5).await;
            let b = resident(&s, 6).await;
            let floor = pull_from(&s, a.user_id, 0, 1000).await.rows.last().unwrap().seq;
            for _ in 0..3 {
                s.create_report(&key(a.user_id), a.user_id, report_for(Uuid::now_v7(), vec![]), "ALA").await.unwrap();
            }
            let mine = pull_from(&s, a.user_id, floor, 6).await;
            assert_eq!(mine.rows.len(), 6);
            assert!(!mine.has_more);
            let theirs = pull_from(&s, b.user_id, floor, 100).await;
            assert_eq!(theirs.rows.len(), 3);
            assert!(theirs.rows.iter().all(|r| r.kind == "public_report"));
            let first = pull_from(&s, a.user_id, floor, 5).await;
            assert!(first.has_more);
            let rest = pull_from(&s, a.user_id, first.rows.last().unwrap().seq, 5).await;
            assert_eq!(rest.rows.len(), 1);
            assert!(!rest.has_more);
        }

        /// Positions of a phone in the scope of `districts` (none: the whole city) after a cursor.
        fn at(user: Uuid, districts: &[&str], cursor: &str) -> Vec<qala_protocol::scope::Position> {
            let d: Vec<String> = districts.iter().map(|d| d.to_string()).collect();
            let scope = qala_protocol::scope::buckets(user, &d).unwrap();
            qala_protocol::scope::positions(Some(cursor), scope).unwrap()
        }

        /// Everything of a scope after `cursor`, page by page; the rows and the cursor after them.
        async fn pull_scope(s: &Arc<dyn Store>, user: Uuid, districts: &[&str], cursor: &str, limit: u32) -> (Vec<ChangeRow>, String) {
            let (mut rows, mut cursor) = (Vec::new(), cursor.to_string());
            loop {
                let Pulled::Page(page) = s.pull(at(user, districts, &cursor), limit).await.unwrap() else { panic!("gone") };
                rows.extend(page.rows);
                cursor = qala_protocol::scope::cursor(&page.positions);
                if !page.has_more {
                    return (rows, cursor);
                }
            }
        }

        /// A report at the centre of `district`, registered by `owner`.
        async fn report_in(s: &Arc<dyn Store>, owner: Uuid, district: &str) -> Uuid {
            let id = Uuid::now_v7();
            let d = districts::find(district).unwrap();
            let mut r = report_for(id, vec![]);
            r.location.lat = d.lat;
            r.location.lon = d.lon;
            s.create_report(&key(owner), owner, r, "ALA").await.unwrap();
            id
        }

        /// Moves a report to `status`, reached at `at`.
        async fn set_status(s: &Arc<dyn Store>, id: Uuid, status: ReportStatus, at: chrono::DateTime<Utc>) {
            let rule = move |r: &mut Report, _owner: Uuid| -> Result<(), Refusal> {
                r.status = status;
                r.history.push(StatusChange { status, at, by: ActorRole::Operator, note: None });
                Ok(())
            };
            assert!(matches!(s.mutate_report(None, id, &rule).await.unwrap(), MutateOutcome::Applied(_)));
        }

        fn public_ids(rows: &[ChangeRow]) -> Vec<(String, bool)> {
            rows.iter().filter(|r| r.kind == "public_report").map(|r| (r.entity_id.clone(), r.payload.is_some())).collect()
        }

        #[tokio::test]
        async fn a_first_pull_is_a_snapshot_then_a_stream() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 40).await;
            let input = NewsInput { title: LocalizedText::new("", "Новость", ""), body: LocalizedText::new("", "Текст", ""), published: true };
            let (keep, gone) = (Uuid::now_v7(), Uuid::now_v7());
            s.put_news(keep, &input, Utc::now()).await.unwrap();
            s.put_news(keep, &NewsInput { title: LocalizedText::new("", "Правка", ""), ..input.clone() }, Utc::now()).await.unwrap();
            s.put_news(gone, &input, Utc::now()).await.unwrap();
            assert!(s.delete_news(gone).await.unwrap());
            let report = report_in(&s, a.user_id, "medeu").await;
            set_status(&s, report, ReportStatus::Assigned, Utc::now()).await;
            // The snapshot: one row per live object, its latest; no deletion; pages of one row.
            let (rows, cursor) = pull_scope(&s, a.user_id, &["*"], "", 1).await;
            let news: Vec<_> = rows.iter().filter(|r| r.kind == "news").collect();
            assert_eq!(news.len(), 1);
            assert!(news[0].payload.as_deref().unwrap().contains("Правка"));
            assert!(rows.iter().all(|r| r.payload.is_some()), "no tombstones in a snapshot");
            assert_eq!(rows.iter().filter(|r| r.entity_id == report.to_string()).count(), 2, "my copy and the public one, once each");
            assert!(rows.windows(2).all(|w| w[0].seq < w[1].seq));
            // What happens after it streams: a deletion of something the snapshot gave.
            assert!(s.delete_news(keep).await.unwrap());
            let (rows, _) = pull_scope(&s, a.user_id, &["*"], &cursor, 100).await;
            assert_eq!(rows.len(), 1);
            assert!(rows[0].payload.is_none() && rows[0].entity_id == keep.to_string());
        }

        #[tokio::test]
        async fn districts_are_buckets_that_come_and_go() {
            let (s, _g) = seeded().await;
            let author = resident(&s, 41).await;
            let reader = resident(&s, 42).await;
            let medeu = report_in(&s, author.user_id, "medeu").await;
            let almaly = report_in(&s, author.user_id, "almaly").await;
            let (rows, cursor) = pull_scope(&s, reader.user_id, &["medeu"], "", 100).await;
            assert_eq!(public_ids(&rows), [(medeu.to_string(), true)]);
            // Almaly added: its reports come (a snapshot), Medeu's do not come again.
            set_status(&s, medeu, ReportStatus::Assigned, Utc::now()).await;
            let (rows, cursor) = pull_scope(&s, reader.user_id, &["medeu", "almaly"], &cursor, 100).await;
            let mut got = public_ids(&rows);
            got.sort();
            let mut want = vec![(medeu.to_string(), true), (almaly.to_string(), true)];
            want.sort();
            assert_eq!(got, want, "Medeu's change and Almaly's backlog");
            // Medeu dropped: its bucket leaves the cursor; a change there no longer reaches me.
            set_status(&s, medeu, ReportStatus::InProgress, Utc::now()).await;
            let (rows, cursor) = pull_scope(&s, reader.user_id, &["almaly"], &cursor, 100).await;
            assert!(public_ids(&rows).is_empty());
            assert!(!cursor.contains("d.medeu"));
            // The author holds both reports whole, whatever the scope.
            let (rows, _) = pull_scope(&s, author.user_id, &["auezov"], "", 100).await;
            assert_eq!(rows.iter().filter(|r| r.kind == "report").count(), 2);
            assert!(public_ids(&rows).is_empty());
        }

        #[tokio::test]
        async fn a_settled_report_leaves_the_public_scope_and_comes_back_when_reopened() {
            let (s, _g) = seeded().await;
            let author = resident(&s, 43).await;
            let reader = resident(&s, 44).await;
            let old = report_in(&s, author.user_id, "bostandyk").await;
            let recent = report_in(&s, author.user_id, "bostandyk").await;
            let open = report_in(&s, author.user_id, "bostandyk").await;
            set_status(&s, old, ReportStatus::Done, Utc::now() - Duration::days(40)).await;
            set_status(&s, recent, ReportStatus::Rejected, Utc::now() - Duration::days(3)).await;
            let (_, cursor) = pull_scope(&s, reader.user_id, &["*"], "", 100).await;
            assert_eq!(s.leave_public_scope(Utc::now() - Duration::days(30), 100).await.unwrap(), 1);
            assert_eq!(s.leave_public_scope(Utc::now() - Duration::days(30), 100).await.unwrap(), 0, "once");
            // A phone that held it gets the deletion; a new phone never sees it.
            let (rows, cursor) = pull_scope(&s, reader.user_id, &["*"], &cursor, 100).await;
            assert_eq!(public_ids(&rows), [(old.to_string(), false)]);
            let (rows, _) = pull_scope(&s, reader.user_id, &["*"], "", 100).await;
            let mut got: Vec<_> = public_ids(&rows).into_iter().map(|(id, _)| id).collect();
            got.sort();
            let mut want = vec![recent.to_string(), open.to_string()];
            want.sort();
            assert_eq!(got, want);
            // Its author still has it whole, on any phone.
            let (rows, _) = pull_scope(&s, author.user_id, &["medeu"], "", 100).await;
            assert!(rows.iter().any(|r| r.kind == "report" && r.entity_id == old.to_string()));
            // Reopened (a bad rating): back in the scope.
            set_status(&s, old, ReportStatus::Reopened, Utc::now()).await;
            let (rows, _) = pull_scope(&s, reader.user_id, &["*"], &cursor, 100).await;
            assert_eq!(public_ids(&rows), [(old.to_string(), true)]);
            assert_eq!(s.leave_public_scope(Utc::now() - Duration::days(30), 100).await.unwrap(), 0, "open again");
        }

        #[tokio::test]
        async fn a_position_below_the_floor_is_gone_in_any_bucket() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 45).await;
            let (_, cursor) = pull_scope(&s, a.user_id, &["medeu"], "", 100).await;
            let input = NewsInput { title: LocalizedText::new("", "Новость", ""), body: LocalizedText::new("", "Текст", ""), published: true };
            let n = Uuid::now_v7();
            s.put_news(n, &input, Utc::now()).await.unwrap();
            assert!(s.delete_news(n).await.unwrap());
            s.compact(Utc::now() + Duration::seconds(1)).await.unwrap();
            assert!(matches!(s.pull(at(a.user_id, &["medeu"], &cursor), 100).await.unwrap(), Pulled::Gone));
            // A new bucket beside an old one does not save it; starting over does.
            assert!(matches!(s.pull(at(a.user_id, &["medeu", "almaly"], &cursor), 100).await.unwrap(), Pulled::Gone));
            assert!(matches!(s.pull(at(a.user_id, &["medeu"], ""), 100).await.unwrap(), Pulled::Page(_)));
        }

        #[tokio::test]
        async fn a_snapshot_pages_on_past_a_floor_above_its_rows() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 47).await;
            let input = NewsInput { title: LocalizedText::new("", "Новость", ""), body: LocalizedText::new("", "Текст", ""), published: true };
            for _ in 0..3 {
                s.put_news(Uuid::now_v7(), &input, Utc::now()).await.unwrap();
            }
            // A deletion newer than every live row, pruned: the floor is above them all.
            let n = Uuid::now_v7();
            s.put_news(n, &input, Utc::now()).await.unwrap();
            assert!(s.delete_news(n).await.unwrap());
            s.compact(Utc::now() + Duration::seconds(1)).await.unwrap();
            let floor = s.retention_floor().await.unwrap();
            // A new phone's snapshot in pages of one row, each page's positions below the floor.
            let (rows, cursor) = pull_scope(&s, a.user_id, &["medeu"], "", 1).await;
            assert!(rows.iter().all(|r| r.seq < floor));
            assert_eq!(rows.iter().filter(|r| r.kind == "news").count(), 3);
            let Pulled::Page(p) = s.pull(at(a.user_id, &["medeu"], &cursor), 10).await.unwrap() else { panic!("gone") };
            assert!(p.rows.is_empty());
        }

        #[tokio::test]
        async fn reports_of_an_older_database_are_filed_once() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 46).await;
            let id = report_in(&s, a.user_id, "turksib").await;
            // Filed at registration already: nothing to do.
            assert_eq!(s.file_reports(100).await.unwrap(), 0);
            let (rows, _) = pull_scope(&s, a.user_id, &["turksib"], "", 100).await;
            assert_eq!(public_ids(&rows), [(id.to_string(), true)]);
        }

        #[tokio::test]
        async fn compaction_keeps_latest_states_and_raises_the_floor() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 7).await;
            let input = NewsInput { title: LocalizedText::new("", "Новость", ""), body: LocalizedText::new("", "Текст", ""), published: true };
            let keep = Uuid::now_v7();
            let gone = Uuid::now_v7();
            s.put_news(keep, &input, Utc::now()).await.unwrap();
            s.put_news(keep, &NewsInput { title: LocalizedText::new("", "Правка", ""), ..input.clone() }, Utc::now()).await.unwrap();
            s.put_news(gone, &input, Utc::now()).await.unwrap();
            assert!(s.delete_news(gone).await.unwrap());
            assert!(!s.delete_news(gone).await.unwrap());
            assert_eq!(s.retention_floor().await.unwrap(), 0);
            let before = pull_from(&s, a.user_id, 0, 1000).await.rows;
            // Nothing is old enough yet: only superseded rows go.
            let dropped = s.compact(Utc::now() - Duration::days(1)).await.unwrap();
            assert_eq!(dropped, 2, "the first version of `keep` and the first row of `gone`");
            assert_eq!(s.retention_floor().await.unwrap(), 0);
            // Now the tombstone is old enough.
            s.compact(Utc::now() + Duration::seconds(1)).await.unwrap();
            let floor = s.retention_floor().await.unwrap();
            assert!(floor > 0);
            let after = pull_from(&s, a.user_id, 0, 1000).await.rows;
            assert_eq!(after.len(), before.len() - 3);
            let news: Vec<_> = after.iter().filter(|r| r.kind == "news").collect();
            assert_eq!(news.len(), 1);
            assert!(news[0].payload.as_deref().unwrap().contains("Правка"));
        }

        #[tokio::test]
        async fn one_time_codes_survive_floods_and_burn_per_side() {
            let (s, _g) = seeded().await;
            let now = Utc::now();
            let limits = otp_limits(1000);
            let exp = |t: chrono::DateTime<Utc>| t + Duration::minutes(5);
            let nonce = |i: OtpIssue| match i {
                OtpIssue::Send { nonce, .. } => nonce,
                other => panic!("not sent: {other:?}"),
            };
            let phone = "+77010000001";
            let new_dev = "dev-invented-1";
            // A session record for a sign-in on `device` (the store fills in whose it is).
            let nobody = Principal { user_id: Uuid::nil(), role: Role::Resident, agency: None };
            let record_for = |device: &str| qala_server::auth::new_session(&nobody, device, now, Default::default()).1;
            // Asking again, from anywhere, sends the live code: a flood only repeats the resident's own code.
            assert_eq!(nonce(s.otp_issue(phone, new_dev, ("n1", "h1"), now, exp(now), limits).await.unwrap()), "n1");
            let again = s.otp_issue(phone, "dev-invented-2", ("n2", "h2"), now + Duration::seconds(30), exp(now), limits);
            match again.await.unwrap() {
                OtpIssue::Send { nonce, expires_at, .. } => {
                    assert_eq!(nonce, "n1");
                    assert_eq!((expires_at - exp(now)).num_microseconds(), Some(0), "its own life, not a new one");
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(nonce(s.otp_issue(phone, new_dev, ("n3", "h3"), now, exp(now), limits).await.unwrap()), "n1");
            assert_eq!(s.otp_limited(phone, new_dev, now, limits).await.unwrap().map(|r| r <= 600), Some(true));
            match s.otp_issue(phone, new_dev, ("n4", "h4"), now, exp(now), limits).await.unwrap() {
                OtpIssue::PhoneLimited { retry_after_s } => assert!((1..=600).contains(&retry_after_s), "minutes"),
                other => panic!("{other:?}"),
            }
            // A sending the gateway did not take counts for nothing.
            s.otp_unsent(phone, now, true).await.unwrap();
            assert!(matches!(s.otp_issue(phone, new_dev, ("n5", "h5"), now, exp(now), limits).await.unwrap(), OtpIssue::Send { .. }));

            // The resident signed in on this phone before: a known device.
            let a = s.resident_for_phone(phone, now).await.unwrap();
            let (_, rec) = qala_server::auth::new_session(&a, "dev-known-1234", now, qala_server::auth::TokenPolicy::default());
            s.session_create(&rec, now).await.unwrap();
            // New devices get 10 codes a day (three of them above), so 30 guesses; then they
            // wait, and the resident's own phone does not.
            for i in 1..=7 {
                let t = now + Duration::minutes(11 * i);
                assert!(matches!(s.otp_issue(phone, new_dev, ("d", "hd"), t, exp(t), limits).await.unwrap(), OtpIssue::Send { .. }), "{i}");
            }
            let t = now + Duration::minutes(11 * 8);
            assert!(matches!(s.otp_issue(phone, new_dev, ("d", "hd"), t, exp(t), limits).await.unwrap(), OtpIssue::PhoneLimited { .. }));
            assert!(matches!(s.otp_issue(phone, "dev-known-1234", ("d", "hd"), t, exp(t), limits).await.unwrap(), OtpIssue::Send { .. }));

            // Guesses are counted apart for the two sides.
            let t = now + Duration::days(2);
            assert_eq!(nonce(s.otp_issue(phone, new_dev, ("k1", "hk1"), t, exp(t), limits).await.unwrap()), "k1");
            for _ in 0..3 {
                assert_eq!(s.otp_sign_in(phone, "dev-invented-7", "wrong", t, 3, &record_for("dev-invented-7")).await.unwrap(), OtpCheck::Invalid);
            }
            assert_eq!(s.otp_sign_in(phone, "dev-invented-8", "hk1", t, 3, &record_for("dev-invented-8")).await.unwrap(), OtpCheck::Invalid, "burnt for new devices");
            // New devices wait out its life rather than replace the code the resident may be typing.
            let limited = s.otp_issue(phone, new_dev, ("k9", "hk9"), t, exp(t), limits).await.unwrap();
            assert!(matches!(limited, OtpIssue::PhoneLimited { retry_after_s } if retry_after_s <= 300), "{limited:?}");
            assert_eq!(s.otp_sign_in(phone, "dev-known-1234", "hk1", t, 3, &record_for("dev-known-1234")).await.unwrap(), OtpCheck::Valid(a.clone()), "not for the resident's");
            assert_eq!(s.otp_sign_in(phone, "dev-known-1234", "hk1", t, 3, &record_for("dev-known-1234")).await.unwrap(), OtpCheck::Invalid, "used up");
            // And the other way round; a code burnt on the asking side is replaced.
            let t = t + Duration::hours(1);
            assert_eq!(nonce(s.otp_issue(phone, "dev-known-1234", ("k2", "hk2"), t, exp(t), limits).await.unwrap()), "k2");
            for _ in 0..3 {
                assert_eq!(s.otp_sign_in(phone, "dev-known-1234", "wrong", t, 3, &record_for("dev-known-1234")).await.unwrap(), OtpCheck::Invalid);
            }
            assert_eq!(s.otp_sign_in(phone, "dev-known-1234", "hk2", t, 3, &record_for("dev-known-1234")).await.unwrap(), OtpCheck::Invalid);
            assert_eq!(nonce(s.otp_issue(phone, "dev-known-1234", ("k3", "hk3"), t, exp(t), limits).await.unwrap()), "k3");
            assert_eq!(s.otp_sign_in(phone, "dev-new-phone-1", "hk3", t, 3, &record_for("dev-new-phone-1")).await.unwrap(), OtpCheck::Valid(a.clone()));
            // A code about to expire is replaced rather than sent again; an expired one is refused.
            let t = t + Duration::hours(1);
            assert_eq!(nonce(s.otp_issue(phone, new_dev, ("e1", "he1"), t, exp(t), limits).await.unwrap()), "e1");
            let late = exp(t) - Duration::seconds(30);
            assert_eq!(nonce(s.otp_issue(phone, new_dev, ("e2", "he2"), late, exp(late), limits).await.unwrap()), "e2");
            assert_eq!(s.otp_sign_in(phone, "dev-known-1234", "he2", exp(late), 3, &record_for("dev-known-1234")).await.unwrap(), OtpCheck::Invalid);
            // Unknown phones read the same as wrong codes.
            assert_eq!(s.otp_sign_in("+77010000002", "dev-known-1234", "he2", t, 3, &record_for("dev-known-1234")).await.unwrap(), OtpCheck::Invalid);
        }

        #[tokio::test]
        async fn a_right_code_signs_in_with_its_account_and_session_in_one_write() {
            let (s, _g) = seeded().await;
            let now = Utc::now();
            let limits = otp_limits(1000);
            let phone = "+77010000071";
            let nobody = Principal { user_id: Uuid::nil(), role: Role::Resident, agency: None };
            let policy = qala_server::auth::TokenPolicy::default();
            let (_, wrong) = qala_server::auth::new_session(&nobody, "dev-first-0001", now, policy);
            let (_, right) = qala_server::auth::new_session(&nobody, "dev-first-0001", now, policy);
            let later = now + Duration::minutes(5);
            assert!(matches!(s.otp_issue(phone, "dev-first-0001", ("n", "h"), now, later, limits).await.unwrap(), OtpIssue::Send { .. }));
            assert_eq!(s.otp_sign_in(phone, "dev-first-0001", "nope", now, 3, &wrong).await.unwrap(), OtpCheck::Invalid);
            assert_eq!(s.session_by_access(&wrong.access_hash, now).await.unwrap(), None, "a wrong code opens nothing");
            let OtpCheck::Valid(p) = s.otp_sign_in(phone, "dev-first-0001", "h", now, 3, &right).await.unwrap() else {
                panic!("the right code")
            };
            assert_ne!(p.user_id, Uuid::nil());
            assert_eq!(p.role, Role::Resident);
            // The account was made by the sign-in, and the session is that account's.
            assert_eq!(s.resident_for_phone(phone, now).await.unwrap(), p);
            assert_eq!(s.session_by_access(&right.access_hash, now).await.unwrap(), Some(p.clone()));
            // The device is now the account's: a code it asks for is on the known side's count.
            assert!(matches!(s.otp_issue(phone, "dev-first-0001", ("n2", "h2"), now, later, limits).await.unwrap(), OtpIssue::Send { budgeted: false, .. }));
        }

        #[tokio::test]
        async fn sign_ins_at_once_each_get_their_own_answer() {
            // Twenty phones sign in together (their writes share commits), every other one with a
            // wrong code: each answer is its own, and a wrong code takes back nothing of the others.
            let (s, _g) = seeded().await;
            let now = Utc::now();
            let limits = otp_limits(1000);
            let nobody = Principal { user_id: Uuid::nil(), role: Role::Resident, agency: None };
            let phones: Vec<String> = (0..20).map(|i| format!("+7701555{i:04}")).collect();
            for p in &phones {
                let code = format!("h{p}");
                let issued = s.otp_issue(p, "dev-together-01", ("n", &code), now, now + Duration::minutes(5), limits);
                assert!(matches!(issued.await.unwrap(), OtpIssue::Send { .. }));
            }
            let records: Vec<_> = phones
                .iter()
                .map(|_| qala_server::auth::new_session(&nobody, "dev-together-01", now, Default::default()).1)
                .collect();
            let tries = phones.iter().zip(&records).enumerate().map(|(i, (p, rec))| {
                let code = if i % 2 == 0 { format!("h{p}") } else { "wrong".to_string() };
                let s = s.clone();
                async move { s.otp_sign_in(p, "dev-together-01", &code, now, 3, rec).await.unwrap() }
            });
            let answers = futures_util::future::join_all(tries).await;
            for (i, (answer, rec)) in answers.iter().zip(&records).enumerate() {
                let session = s.session_by_access(&rec.access_hash, now).await.unwrap();
                if i % 2 == 0 {
                    let OtpCheck::Valid(p) = answer else { panic!("{i}: {answer:?}") };
                    assert_eq!(session.as_ref(), Some(p), "{i}");
                    assert_eq!(&s.resident_for_phone(&phones[i], now).await.unwrap(), p);
                } else {
                    assert_eq!(answer, &OtpCheck::Invalid, "{i}");
                    assert_eq!(session, None, "{i}");
                }
            }
            // The same right code twice at once (a phone that sent it again): it signs in once.
            let p = "+77015559999";
            let issued = s.otp_issue(p, "dev-together-01", ("n", "hp"), now, now + Duration::minutes(5), limits);
            assert!(matches!(issued.await.unwrap(), OtpIssue::Send { .. }));
            let fresh = || qala_server::auth::new_session(&nobody, "dev-together-01", now, Default::default()).1;
            let (first, second) = (fresh(), fresh());
            let (a, b) = tokio::join!(
                s.otp_sign_in(p, "dev-together-01", "hp", now, 3, &first),
                s.otp_sign_in(p, "dev-together-01", "hp", now, 3, &second)
            );
            let valid = [a.unwrap(), b.unwrap()].iter().filter(|c| matches!(c, OtpCheck::Valid(_))).count();
            assert_eq!(valid, 1);
        }

        #[tokio::test]
        async fn writes_at_once_that_fail_take_back_only_their_own() {
            // Staff accounts made together share commits; the ones whose login is taken or whose
            // agency does not exist fail in the database (on PostgreSQL that aborts the whole
            // transaction unless it is taken back to the failing write's savepoint).
            let (s, _g) = seeded().await;
            let staff = |login: &str, agency: &str| NewStaff {
                login: login.into(),
                password_hash: "x".into(),
                role: Role::Operator,
                agency: Some(agency.into()),
                display_name: "Op".into(),
            };
            s.create_staff(&staff("op.taken", "mobility"), Utc::now()).await.unwrap();
            let wanted = [
                staff("op.a", "mobility"),
                staff("op.taken", "mobility"),
                staff("op.b", "mobility"),
                staff("op.c", "nobody"),
                staff("op.d", "mobility"),
                staff("OP.TAKEN", "mobility"),
            ];
            let answers = futures_util::future::join_all(wanted.iter().map(|w| s.create_staff(w, Utc::now()))).await;
            assert!(answers[0].is_ok() && answers[2].is_ok() && answers[4].is_ok(), "{answers:?}");
            assert!(matches!(answers[1], Err(StoreError::Taken(_))), "{:?}", answers[1]);
            assert!(matches!(answers[3], Err(StoreError::UnknownReference { .. })), "{:?}", answers[3]);
            assert!(matches!(answers[5], Err(StoreError::Taken(_))), "{:?}", answers[5]);
            let mut logins: Vec<String> =
                s.staff_all().await.unwrap().into_iter().map(|a| a.login).filter(|l| l.starts_with("op.")).collect();
            logins.sort();
            assert_eq!(logins, ["op.a", "op.b", "op.d", "op.taken"]);
        }

        #[tokio::test]
        async fn the_hourly_sms_budget_holds_for_new_devices_across_the_server() {
            let (s, _g) = seeded().await;
            let now = Utc::now();
            let limits = otp_limits(2);
            let exp = now + Duration::minutes(5);
            // A resident who signed in before on this device.
            let a = s.resident_for_phone("+77010000108", now).await.unwrap();
            let (_, rec) = qala_server::auth::new_session(&a, "dev-known-5678", now, qala_server::auth::TokenPolicy::default());
            s.session_create(&rec, now).await.unwrap();
            for n in 0..2 {
                let phone = format!("+7701000010{n}");
                assert!(matches!(s.otp_issue(&phone, "dev-x-123456", ("n", "h"), now, exp, limits).await.unwrap(), OtpIssue::Send { .. }));
            }
            match s.otp_issue("+77010000109", "dev-x-123456", ("n", "h"), now, exp, limits).await.unwrap() {
                OtpIssue::BudgetSpent { retry_after_s } => assert!((1..=3600).contains(&retry_after_s)),
                other => panic!("{other:?}"),
            }
            // The flood spent the budget; the resident's own phone still gets its code.
            let mine = s.otp_issue("+77010000108", "dev-known-5678", ("n", "h"), now, exp, limits).await.unwrap();
            assert!(matches!(mine, OtpIssue::Send { budgeted: false, .. }), "{mine:?}");
            // A sending the gateway refused gives its place in the budget back.
            s.otp_unsent("+77010000101", now, true).await.unwrap();
            assert!(matches!(s.otp_issue("+77010000109", "dev-x-123456", ("n", "h"), now, exp, limits).await.unwrap(), OtpIssue::Send { .. }));
            let next_hour = now + Duration::hours(1);
            assert!(matches!(
                s.otp_issue("+77010000110", "dev-x-123456", ("n", "h"), next_hour, next_hour + Duration::minutes(5), limits).await.unwrap(),
                OtpIssue::Send { .. }
            ));
        }

        #[tokio::test]
        async fn a_resident_is_exported_anonymised_and_erased() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 31).await;
            let b = resident(&s, 32).await;
            let now = Utc::now();
            let (mine, theirs) = (Uuid::now_v7(), Uuid::now_v7());
            s.create_report(&key(a.user_id), a.user_id, report_for(mine, vec![]), "ALA").await.unwrap();
            s.create_report(&key(b.user_id), b.user_id, report_for(theirs, vec![]), "ALA").await.unwrap();
            let (_, rec) = qala_server::auth::new_session(&a, "dev-priv-1234", now, qala_server::auth::TokenPolicy::default());
            s.session_create(&rec, now).await.unwrap();
            let data = s.personal_data(a.user_id, now).await.unwrap().unwrap();
            assert_eq!(data.account.phone.as_deref(), Some("+77010000031"));
            assert_eq!((data.reports.len(), data.devices.len(), data.sessions.len()), (1, 1, 1));
            let anon = s.channel_account("anonymised", now).await.unwrap();
            // Not someone else's report, and all of one's own.
            assert_eq!(s.anonymise_reports(a.user_id, Some(&[theirs]), anon.user_id, now).await.unwrap(), 0);
            assert_eq!(s.anonymise_reports(a.user_id, None, anon.user_id, now).await.unwrap(), 1);
            assert!(s.personal_data(a.user_id, now).await.unwrap().unwrap().reports.is_empty());
            assert!(s.report(mine).await.unwrap().is_some(), "the report stays");
            assert!(s.erase_account(a.user_id, anon.user_id, now).await.unwrap());
            let erased = s.personal_data(a.user_id, now).await.unwrap().unwrap();
            assert_eq!((erased.account.phone, erased.devices.len(), erased.sessions.len()), (None, 0, 0));
            assert!(s.session_by_access(&rec.access_hash, now).await.unwrap().is_none());
            // The number signs in as a new account; staff and unknown ids are not erased.
            assert_ne!(s.resident_for_phone("+77010000031", now).await.unwrap().user_id, a.user_id);
            assert!(!s.erase_account(Uuid::now_v7(), anon.user_id, now).await.unwrap());
            assert_eq!(s.personal_data(b.user_id, now).await.unwrap().unwrap().reports.len(), 1, "others untouched");
        }

        #[tokio::test]
        async fn personal_data_is_forgotten_after_its_retention() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 34).await;
            let b = resident(&s, 35).await;
            let now = Utc::now();
            let photo = DeclaredMedia { id: Uuid::now_v7(), kind: MediaKind::Photo };
            let (old, open) = (Uuid::now_v7(), Uuid::now_v7());
            s.create_report(&key(a.user_id), a.user_id, report_for(old, vec![photo.clone()]), "ALA").await.unwrap();
            s.create_report(&key(b.user_id), b.user_id, report_for(open, vec![photo]), "ALA").await.unwrap();
            let settle = |r: &mut Report, _: Uuid| -> Result<(), Refusal> {
                r.status = ReportStatus::Closed;
                Ok(())
            };
            s.mutate_report(None, old, &settle).await.unwrap();
            // Nothing is due yet.
            assert_eq!(s.unlink_old_files(now - Duration::days(1), now, 100).await.unwrap(), Unlinked::default());
            assert_eq!(s.forget_idle_accounts(now - Duration::days(1), now, 100).await.unwrap(), 0);
            let later = now + Duration::days(1);
            let unlinked = s.unlink_old_files(later, later, 100).await.unwrap();
            assert_eq!(unlinked.reports, 1, "the settled report, not the one still worked");
            let (cleared, _) = s.report(old).await.unwrap().unwrap();
            assert!(cleared.media.is_empty(), "the author's phone gets the report without its files");
            assert_eq!(cleared.status, ReportStatus::Closed, "the report itself stays");
            // The idle resident's number goes; the one whose report is still worked keeps theirs.
            assert_eq!(s.forget_idle_accounts(later, later, 100).await.unwrap(), 1);
            assert_eq!(s.personal_data(a.user_id, later).await.unwrap().unwrap().account.phone, None);
            assert!(s.personal_data(b.user_id, later).await.unwrap().unwrap().account.phone.is_some());
            assert_eq!(s.report(open).await.unwrap().unwrap().0.media.len(), 1);
            // Done once: the next pass finds nothing.
            assert_eq!(s.unlink_old_files(later, later, 100).await.unwrap(), Unlinked::default());
        }

        #[tokio::test]
        async fn refresh_families_end_on_reuse_and_survive_a_lost_answer() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 8).await;
            let now = Utc::now();
            let policy = qala_server::auth::TokenPolicy::default();
            let h = qala_server::auth::hash_token;
            let sign_in = |dev: &'static str| {
                let (s, a) = (s.clone(), a.clone());
                async move {
                    let (session, rec) = qala_server::auth::new_session(&a, dev, now, policy);
                    s.session_create(&rec, now).await.unwrap();
                    session
                }
            };
            let refresh = |token: String, dev: &'static str| {
                let (s, a) = (s.clone(), a.clone());
                async move {
                    let (session, next) = qala_server::auth::new_session(&a, dev, now, policy);
                    (session, s.session_rotate(&h(&token), dev, &next, now).await.unwrap())
                }
            };
            let live = |token: String| {
                let s = s.clone();
                async move { s.session_by_access(&h(&token), now).await.unwrap().is_some() }
            };

            let first = sign_in("dev-one-1234").await;
            assert!(live(first.access_token.clone()).await);
            assert!(s.session_by_access(&h(&first.access_token), now + Duration::hours(1)).await.unwrap().is_none(), "access expires");
            let (second, r) = refresh(first.refresh_token.clone(), "dev-one-1234").await;
            assert_eq!(r, Rotation::Rotated(a.clone()));
            assert!(!live(first.access_token.clone()).await && live(second.access_token.clone()).await);
            // The answer carrying `second` was lost: the phone asks again with `first`, and stays signed in.
            let (third, r) = refresh(first.refresh_token.clone(), "dev-one-1234").await;
            assert_eq!(r, Rotation::Rotated(a.clone()));
            assert!(live(third.access_token.clone()).await);
            assert!(!live(second.access_token.clone()).await, "the lost session ended");
            // Whoever holds `second` after all has a copy: the whole family ends.
            let (_, r) = refresh(second.refresh_token.clone(), "dev-one-1234").await;
            assert_eq!(r, Rotation::Reused { user_id: a.user_id });
            assert!(!live(third.access_token.clone()).await);
            assert_eq!(refresh(third.refresh_token.clone(), "dev-one-1234").await.1, Rotation::Refused);

            // The last retired token, shown again long after, is a copy too (the grace is for a
            // phone that lost its connection mid-refresh).
            let g1 = sign_in("dev-one-1234").await;
            let (g2, _) = refresh(g1.refresh_token.clone(), "dev-one-1234").await;
            let (_, next) = qala_server::auth::new_session(&a, "dev-one-1234", now, policy);
            let late = now + Duration::hours(2);
            let r = s.session_rotate(&h(&g1.refresh_token), "dev-one-1234", &next, late).await.unwrap();
            assert_eq!(r, Rotation::Reused { user_id: a.user_id });
            assert!(s.session_by_access(&h(&g2.access_token), now).await.unwrap().is_none());

            // A retired token that is not the last one retired is a copy.
            let s1 = sign_in("dev-one-1234").await;
            let (s2, _) = refresh(s1.refresh_token.clone(), "dev-one-1234").await;
            let (s3, r) = refresh(s2.refresh_token.clone(), "dev-one-1234").await;
            assert_eq!(r, Rotation::Rotated(a.clone()));
            assert_eq!(refresh(s1.refresh_token.clone(), "dev-one-1234").await.1, Rotation::Reused { user_id: a.user_id });
            assert!(!live(s3.access_token.clone()).await);
            // So is a live one offered from another device.
            let s4 = sign_in("dev-one-1234").await;
            assert_eq!(refresh(s4.refresh_token.clone(), "dev-two-1234").await.1, Rotation::Reused { user_id: a.user_id });
            assert!(!live(s4.access_token.clone()).await);

            // Signing in again on a device ends that device's older session, not another device's.
            let here = sign_in("dev-one-1234").await;
            let there = sign_in("dev-two-1234").await;
            let again = sign_in("dev-one-1234").await;
            assert!(!live(here.access_token.clone()).await && live(again.access_token.clone()).await);
            assert!(live(there.access_token.clone()).await);
            assert_eq!(refresh(here.refresh_token.clone(), "dev-one-1234").await.1, Rotation::Refused);
            // Signing out ends the family, its retired tokens included.
            let (next, _) = refresh(again.refresh_token.clone(), "dev-one-1234").await;
            s.session_revoke(&h(&next.access_token)).await.unwrap();
            assert!(!live(next.access_token.clone()).await);
            assert_eq!(refresh(again.refresh_token.clone(), "dev-one-1234").await.1, Rotation::Refused);
            assert!(live(there.access_token).await);
        }

        #[tokio::test]
        async fn uploads_advance_conditionally_and_complete_into_reports() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 9).await;
            // Stores keep times to the microsecond.
            let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
            let media_id = Uuid::now_v7();
            let row = UploadRow { id: media_id, owner: a.user_id, kind: MediaKind::Photo, length: 100, offset: 0, sha256: None, expires_at: now + Duration::hours(1) };
            assert_eq!(s.upload_create(&row, now, None).await.unwrap(), row);
            assert_eq!(s.upload_create(&row, now, None).await.unwrap(), row, "creating again returns the same upload");
            let other = UploadRow { owner: Uuid::now_v7(), ..row.clone() };
            assert!(s.upload_create(&other, now, None).await.is_err());
            assert!(s.upload_advance(media_id, 0, 40, row.expires_at).await.unwrap());
            assert!(!s.upload_advance(media_id, 0, 60, row.expires_at).await.unwrap(), "stale offset");
            assert_eq!(s.upload(media_id).await.unwrap().unwrap().offset, 40);
            let report_id = Uuid::now_v7();
            s.create_report(&key(a.user_id), a.user_id, report_for(report_id, vec![DeclaredMedia { id: media_id, kind: MediaKind::Photo }]), "ALA")
                .await
                .unwrap();
            let m = MediaRow {
                id: media_id,
                owner: a.user_id,
                owner_role: Role::Resident,
                kind: MediaKind::Photo,
                content_type: "image/jpeg".into(),
                size: 90,
                sha256: "ab".repeat(32),
                upload_length: 100,
                created_at: now,
            };
            s.media_complete(&m).await.unwrap();
            assert_eq!(s.upload(media_id).await.unwrap(), None);
            assert_eq!(s.media(media_id).await.unwrap(), Some(m));
            let (r, _) = s.report(report_id).await.unwrap().unwrap();
            assert_eq!(r.media[0].state, MediaState::Received);
            assert_eq!(s.media_links(media_id).await.unwrap(), vec![MediaLink { report_owner: a.user_id, agency: "mobility".into(), in_answer: false }]);
            assert!(s.uploads_expired(now + Duration::hours(2), 100).await.unwrap().is_empty(), "completed uploads are gone");
            let stale = UploadRow { id: Uuid::now_v7(), expires_at: now - Duration::seconds(1), ..row.clone() };
            s.upload_create(&stale, now, None).await.unwrap();
            assert_eq!(s.uploads_expired(now, 100).await.unwrap(), vec![stale.id]);
            assert!(!s.upload_delete_expired(stale.id, now - Duration::days(30)).await.unwrap(), "not expired then");
            assert!(s.upload_delete_expired(stale.id, now).await.unwrap());
            assert!(s.upload(stale.id).await.unwrap().is_none());
            s.upload_delete(stale.id).await.unwrap();
            assert_eq!(s.upload(stale.id).await.unwrap(), None);
        }

        #[tokio::test]
        async fn a_batch_applies_each_op_on_its_own() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 11).await;
            let first = Uuid::now_v7();
            let k1 = key(a.user_id);
            let refuse = |r: &mut Report, _owner: Uuid| -> Result<(), Refusal> {
                r.description = "must not stick".into();
                Err(Refusal::invalid("nope", "refused"))
            };
            let items = vec![
                PushItem::CreateReport { op: k1.clone(), owner: a.user_id, report: Box::new(report_for(first, vec![])), prefix: "ALA".into(), quota: None },
                PushItem::CreateReport { op: k1.clone(), owner: a.user_id, report: Box::new(report_for(first, vec![])), prefix: "ALA".into(), quota: None },
                PushItem::Decided(OpOutcome::Rejected { code: "validation".into(), reason: "bad".into() }),
                PushItem::Mutate { op: key(a.user_id), report_id: first, rule: Box::new(refuse) },
                PushItem::CreateReport { op: key(a.user_id), owner: a.user_id, report: Box::new(report_for(Uuid::now_v7(), vec![])), prefix: "ALA".into(), quota: None },
            ];
            let out = s.push_batch(items).await.unwrap();
            assert_eq!(out[0], OpOutcome::Applied);
            assert_eq!(out[1], OpOutcome::Duplicate, "the same op later in the same batch");
            assert!(matches!(out[2], OpOutcome::Rejected { .. }));
            assert!(matches!(out[3], OpOutcome::Rejected { ref code, .. } if code == "nope"));
            assert_eq!(out[4], OpOutcome::Applied);
            assert_eq!(s.report(first).await.unwrap().unwrap().0.description, "hole");
            let year = qala_server::domain::reports::registration_year(Utc::now());
            let mine = pull_from(&s, a.user_id, 0, 1000).await.rows.into_iter().filter(|r| r.kind == "report").count();
            assert_eq!(mine, 2);
            let (second, _) = s.report(first).await.unwrap().unwrap();
            assert_eq!(second.registration_number, format!("ALA-{year}-000001"));
        }

        /// A push of many new reports is registered together (a few statements for all of them);
        /// its outcomes and what it stores must be exactly what the same ops give one push at a
        /// time: duplicates, someone else's ids, quotas that fit only some of an account's reports,
        /// ids repeated inside the push, photos that arrived before their report.
        #[tokio::test]
        async fn a_push_of_many_reports_ends_as_the_same_ops_one_at_a_time() {
            use qala_server::domain::quota::{Charge, QuotaKind};
            #[derive(Clone)]
            struct Planned {
                op: Uuid,
                user: usize,
                report: Uuid,
                media: Vec<DeclaredMedia>,
            }
            // Limits per account: roomy, tight, none.
            let limits = [Some(100u64), Some(3), None];
            let photo = Uuid::now_v7();
            for seed in 1..=6u64 {
                let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let mut next = |n: u64| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x % n
                };
                // What both stores already hold, then the push: new reports mostly, replays of the
                // history, someone else's report id, and (on odd seeds) repeats inside the push.
                let history: Vec<Planned> = (0..4)
                    .map(|i| Planned { op: Uuid::now_v7(), user: i % 2, report: Uuid::now_v7(), media: vec![] })
                    .collect();
                // On even seeds no id comes twice in the push (each past report at most once), so
                // the push takes the path that registers reports together.
                let repeats = seed % 2 == 1;
                let mut push: Vec<Planned> = Vec::new();
                let mut past = history.clone();
                // Seed 2's push is longer than one chunk of the store's multi-row statements.
                let length = if seed == 2 { 150 } else { 40 };
                for i in 0..length {
                    let choice = next(10);
                    let old = if repeats { Some(history[next(4) as usize].clone()) } else { past.pop() };
                    let fresh = Planned { op: Uuid::now_v7(), user: next(3) as usize, report: Uuid::now_v7(), media: vec![] };
                    let p = match (choice, old) {
                        (0, Some(old)) => old,
                        (1, Some(old)) => Planned { op: Uuid::now_v7(), ..old },
                        (2, Some(old)) => Planned { op: Uuid::now_v7(), user: fresh.user, ..old },
                        (3, _) if repeats && !push.is_empty() => push[next(push.len() as u64) as usize].clone(),
                        (_, Some(old)) if !repeats => {
                            past.push(old);
                            fresh
                        }
                        _ => fresh,
                    };
                    push.push(p);
                    if i == 5 {
                        // The photo's owner and someone else both declare the photo that arrived first.
                        for user in [0, 2] {
                            let media = vec![DeclaredMedia { id: photo, kind: MediaKind::Photo }];
                            push.push(Planned { op: Uuid::now_v7(), user, report: Uuid::now_v7(), media });
                        }
                    }
                }
                let mut ends = Vec::new();
                for together in [true, false] {
                    let (s, _g) = seeded().await;
                    let mut users = Vec::new();
                    for n in 0..3 {
                        users.push(resident(&s, 600 + n).await.user_id);
                    }
                    let now = Utc::now();
                    s.media_complete(&MediaRow {
                        id: photo,
                        owner: users[0],
                        owner_role: Role::Resident,
                        kind: MediaKind::Photo,
                        content_type: "image/jpeg".into(),
                        size: 90,
                        sha256: "ab".repeat(32),
                        upload_length: 90,
                        created_at: now,
                    })
                    .await
                    .unwrap();
                    let item = |p: &Planned| PushItem::CreateReport {
                        op: OpKey { op_id: p.op, user_id: users[p.user], kind: "create_report" },
                        owner: users[p.user],
                        report: Box::new(report_for(p.report, p.media.clone())),
                        prefix: "ALA".into(),
                        quota: limits[p.user].map(|l| Charge::new(users[p.user], QuotaKind::Reports, 1, l, now)),
                    };
                    for p in &history {
                        s.push_batch(vec![item(p)]).await.unwrap();
                    }
                    let outcomes = if together {
                        s.push_batch(push.iter().map(item).collect()).await.unwrap()
                    } else {
                        let mut out = Vec::new();
                        for p in &push {
                            out.extend(s.push_batch(vec![item(p)]).await.unwrap());
                        }
                        out
                    };
                    // Which report got which number, whose it is and its photos' state.
                    let mut stored = Vec::new();
                    let mut numbers = Vec::new();
                    for p in history.iter().chain(&push) {
                        let found = s.report(p.report).await.unwrap();
                        if let Some((r, _)) = &found {
                            numbers.push(r.registration_number.clone());
                        }
                        stored.push((p.report, found.map(|(r, owner)| {
                            let owner = users.iter().position(|u| *u == owner);
                            (r.registration_number, owner, r.media.iter().map(|m| m.state).collect::<Vec<_>>())
                        })));
                    }
                    stored.sort_by_key(|(id, _)| *id);
                    stored.dedup_by_key(|(id, _)| *id);
                    numbers.sort();
                    numbers.dedup();
                    let day = qala_server::domain::quota::local_day(now);
                    let mut used = Vec::new();
                    for u in &users {
                        used.push(s.quota_used(*u, QuotaKind::Reports, day).await.unwrap());
                    }
                    let year = qala_server::domain::reports::registration_year(now);
                    let expected: Vec<String> = (1..=numbers.len()).map(|n| format!("ALA-{year}-{n:06}")).collect();
                    assert_eq!(numbers, expected, "seed {seed}: numbers without gaps or repeats");
                    // Every op is now in the ledger: the same push again changes nothing.
                    let again = s.push_batch(push.iter().map(item).collect()).await.unwrap();
                    assert!(again.iter().all(|o| *o != OpOutcome::Applied), "seed {seed}: {again:?}");
                    ends.push((outcomes, stored, used, again));
                }
                assert_eq!(ends[0], ends[1], "seed {seed}: one push against one op per push");
                let (outcomes, stored, ..) = &ends[0];
                assert!(outcomes.iter().filter(|o| **o == OpOutcome::Applied).count() > 10, "seed {seed}: {outcomes:?}");
                let with_photo: Vec<_> =
                    stored.iter().filter_map(|(_, r)| r.as_ref()).filter(|(.., m)| !m.is_empty()).map(|(_, o, m)| (*o, m.clone())).collect();
                assert_eq!(with_photo.len(), 2, "seed {seed}");
                assert!(with_photo.contains(&(Some(0), vec![MediaState::Received])), "the owner's photo fills in: {with_photo:?}");
                assert!(with_photo.contains(&(Some(2), vec![MediaState::Pending])), "nobody else's: {with_photo:?}");
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn a_reader_paging_during_concurrent_writes_skips_and_repeats_nothing() {
            let (s, _g) = seeded().await;
            let reader = resident(&s, 12).await;
            let project = project_in_discussion(None);
            s.put_project(&project).await.unwrap();
            let start = pull_from(&s, reader.user_id, 0, 1000).await.rows.last().unwrap().seq;
            // Comments share no row, so nothing but the store's own discipline orders their commits;
            // batches take their first seq early and commit late.
            let mut writers = Vec::new();
            for w in 0..8u32 {
                let s = s.clone();
                writers.push(tokio::spawn(async move {
                    let p = s.resident_for_phone(&format!("+7702{w:07}"), Utc::now()).await.unwrap();
                    let comment = |_| {
                        let c = NewComment {
                            id: Uuid::now_v7(),
                            project_id: project.id,
                            parent_id: None,
                            body: format!("writer {w}"),
                            position: Position::Neutral,
                            created_at: Utc::now(),
                        };
                        let op = OpKey { op_id: Uuid::now_v7(), user_id: p.user_id, kind: "comment" };
                        PushItem::Comment { op, author: "Qala-T".into(), comment: Box::new(c), now: Utc::now(), quota: None }
                    };
                    let per_batch = if w % 2 == 0 { 10 } else { 1 };
                    for _ in 0..(30 / per_batch) {
                        s.push_batch((0..per_batch).map(comment).collect()).await.unwrap();
                    }
                }));
            }
            let mut seen = Vec::new();
            let mut cursor = start;
            loop {
                let done = writers.iter().all(|w| w.is_finished());
                let page = pull_from(&s, reader.user_id, cursor, 7).await;
                if let Some(last) = page.rows.last() {
                    cursor = last.seq;
                }
                seen.extend(page.rows.iter().map(|r| r.seq));
                if done && !page.has_more {
                    break;
                }
            }
            for w in writers {
                w.await.unwrap();
            }
            assert!(seen.windows(2).all(|p| p[0] < p[1]), "nothing repeated, in order");
            let all: Vec<i64> = pull_from(&s, reader.user_id, start, 1000).await.rows.iter().map(|r| r.seq).collect();
            assert_eq!(all.len(), 240, "one row per comment");
            assert_eq!(seen, all, "nothing skipped");
        }

        #[tokio::test]
        async fn comments_need_an_open_project() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 10).await;
            let now = Utc::now();
            let project = project_in_discussion(Some(now - Duration::days(1)));
            let c = NewComment { id: Uuid::now_v7(), project_id: project.id, parent_id: None, body: "за".into(), position: Position::For, created_at: now };
            let k = OpKey { op_id: Uuid::now_v7(), user_id: a.user_id, kind: "comment" };
            assert!(matches!(s.add_comment(&k, "Qala-1", &c, now).await.unwrap(), OpOutcome::Rejected { ref code, .. } if code == "unknown_project"));
            s.put_project(&project).await.unwrap();
            assert!(matches!(s.add_comment(&k, "Qala-1", &c, now).await.unwrap(), OpOutcome::Rejected { ref code, .. } if code == "discussion_closed"));
            s.put_project(&Project { discussion_until: None, ..project.clone() }).await.unwrap();
            assert_eq!(s.add_comment(&k, "Qala-1", &c, now).await.unwrap(), OpOutcome::Applied);
            assert_eq!(s.add_comment(&k, "Qala-1", &c, now).await.unwrap(), OpOutcome::Duplicate);
            assert!(s.hide_comment(c.id, "spam").await.unwrap());
            assert!(s.hide_comment(c.id, "spam").await.unwrap(), "hiding twice is fine");
            assert!(!s.hide_comment(Uuid::now_v7(), "spam").await.unwrap());
            assert!(s.delete_project(project.id).await.unwrap());
            assert_eq!(s.project(project.id).await.unwrap(), None);
        }
        #[tokio::test]
        async fn catalogue_and_calendar_edits_are_kept_and_published() {
            let (s, _g) = seeded().await;
            let p = resident(&s, 20).await;
            let start = pull_from(&s, p.user_id, 0, 1000).await.rows.last().unwrap().seq;
            let parks = Agency { code: "parks".into(), name: LocalizedText::new("Саябақ", "Парки", "Parks") };
            s.put_agency(&parks).await.unwrap();
            let mut bench = category();
            bench.code = "benches".into();
            bench.agency = "parks".into();
            bench.deadline_days = 2;
            s.put_category(&bench).await.unwrap();
            bench.active = false;
            s.put_category(&bench).await.unwrap();
            let orphan = Category { code: "orphan".into(), agency: "nobody".into(), ..bench.clone() };
            match s.put_category(&orphan).await {
                Err(StoreError::UnknownReference { field: "agency", .. }) => {}
                other => panic!("a category needs a known agency: {other:?}"),
            }
            let cats = s.categories().await.unwrap();
            assert_eq!(cats.iter().find(|c| c.code == "benches"), Some(&bench));
            assert!(s.agencies().await.unwrap().contains(&parks));
            let rows = pull_from(&s, p.user_id, start, 1000).await.rows;
            let kinds: Vec<_> = rows.iter().map(|r| (r.kind.as_str(), r.entity_id.as_str())).collect();
            assert_eq!(kinds, [("agency", "parks"), ("category", "benches"), ("category", "benches")]);

            let day = chrono::NaiveDate::from_ymd_opt(2031, 3, 3).unwrap();
            let holiday = qala_server::domain::calendar::Holiday { date: day, name: "Test".into(), working: false };
            s.put_holiday(&holiday).await.unwrap();
            s.put_holiday(&qala_server::domain::calendar::Holiday { working: true, ..holiday.clone() }).await.unwrap();
            let kept = s.holidays().await.unwrap();
            assert!(kept.iter().any(|h| h.date == day && h.working), "replaced, not doubled");
            assert!(s.delete_holiday(day).await.unwrap());
            assert!(!s.delete_holiday(day).await.unwrap());
            let staff = NewStaff {
                login: "Op.One".into(),
                password_hash: "x".into(),
                role: Role::Operator,
                agency: Some("parks".into()),
                display_name: "Op".into(),
            };
            s.create_staff(&staff, Utc::now()).await.unwrap();
            // The database's own constraints answer, in the same statement as the insert.
            let again = NewStaff { login: "OP.ONE".into(), ..staff.clone() };
            assert!(matches!(s.create_staff(&again, Utc::now()).await, Err(StoreError::Taken(_))), "logins are unique");
            let lost = NewStaff { login: "op.two".into(), agency: Some("nobody".into()), ..staff.clone() };
            match s.create_staff(&lost, Utc::now()).await {
                Err(StoreError::UnknownReference { field: "agency", .. }) => {}
                other => panic!("an operator needs a known agency: {other:?}"),
            }
            let all = s.staff_all().await.unwrap();
            assert_eq!(all.len(), 1, "nothing of a refused account is kept");
            assert_eq!((all[0].login.as_str(), all[0].agency.as_deref(), all[0].active), ("op.one", Some("parks"), true));
            let op = s.staff_credentials("op.one").await.unwrap().unwrap().principal;
            let (_, session) = qala_server::auth::new_session(&op, "console-web", Utc::now(), Default::default());
            s.session_create(&session, Utc::now()).await.unwrap();
            assert!(s.session_by_access(&session.access_hash, Utc::now()).await.unwrap().is_some());
            assert!(s.set_staff_password(op.user_id, None).await.unwrap());
            assert!(!s.staff_all().await.unwrap()[0].active, "disabled");
            assert!(s.session_by_access(&session.access_hash, Utc::now()).await.unwrap().is_none(), "its sessions end");
            assert!(!s.set_staff_password(p.user_id, Some("x")).await.unwrap(), "residents have no password");
        }

        #[tokio::test]
        async fn flags_hide_a_comment_until_a_moderator_decides() {
            let (s, _g) = seeded().await;
            let author = resident(&s, 30).await;
            let project = project_in_discussion(None);
            s.put_project(&project).await.unwrap();
            let now = Utc::now();
            let c = NewComment { id: Uuid::now_v7(), project_id: project.id, parent_id: None, body: "реклама".into(), position: Position::Neutral, created_at: now };
            let k = OpKey { op_id: Uuid::now_v7(), user_id: author.user_id, kind: "comment" };
            assert_eq!(s.add_comment(&k, "Qala-A", &c, now).await.unwrap(), OpOutcome::Applied);
            let flag = FlagComment { comment_id: c.id, reason: Some("spam".into()) };
            let by = |u: &Principal| OpKey { op_id: Uuid::now_v7(), user_id: u.user_id, kind: "flag_comment" };
            let own = s.flag_comment(&by(&author), &flag, 3, now).await.unwrap();
            assert!(matches!(own, OpOutcome::Rejected { ref code, .. } if code == "own_comment"));
            let unknown = FlagComment { comment_id: Uuid::now_v7(), reason: None };
            let r = resident(&s, 31).await;
            assert!(matches!(s.flag_comment(&by(&r), &unknown, 3, now).await.unwrap(), OpOutcome::Rejected { ref code, .. } if code == "unknown_comment"));
            let mut flaggers = Vec::new();
            for n in 32..36 {
                flaggers.push(resident(&s, n).await);
            }
            let same = by(&flaggers[0]);
            assert_eq!(s.flag_comment(&same, &flag, 3, now).await.unwrap(), OpOutcome::Applied);
            assert_eq!(s.flag_comment(&same, &flag, 3, now).await.unwrap(), OpOutcome::Duplicate, "same op");
            assert_eq!(s.flag_comment(&by(&flaggers[0]), &flag, 3, now).await.unwrap(), OpOutcome::Duplicate, "same resident");
            s.flag_comment(&by(&flaggers[1]), &flag, 3, now).await.unwrap();
            let review = s.comments_for_review(10).await.unwrap();
            assert_eq!((review[0].flags, review[0].hidden), (2, false));
            s.flag_comment(&by(&flaggers[2]), &flag, 3, now).await.unwrap();
            let review = s.comments_for_review(10).await.unwrap();
            assert_eq!((review[0].flags, review[0].hidden, review[0].reviewed), (3, true, false));
            let last = pull_from(&s, author.user_id, 0, 1000).await.rows.into_iter().rev().find(|r| r.entity_id == c.id.to_string()).unwrap();
            assert!(last.payload.is_none(), "hidden from phones");
            assert!(s.restore_comment(c.id).await.unwrap());
            s.flag_comment(&by(&flaggers[3]), &flag, 3, now).await.unwrap();
            let review = s.comments_for_review(10).await.unwrap();
            assert_eq!((review[0].flags, review[0].hidden, review[0].reviewed), (4, false, true), "reviewed stays visible");
            let last = pull_from(&s, author.user_id, 0, 1000).await.rows.into_iter().rev().find(|r| r.entity_id == c.id.to_string()).unwrap();
            assert!(last.payload.is_some(), "back on phones");
            assert!(!s.restore_comment(Uuid::now_v7()).await.unwrap());
        }
        #[tokio::test]
        async fn lists_filter_what_is_late_and_what_is_due() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 40).await;
            let mut late = report_for(Uuid::now_v7(), vec![]);
            late.deadline = Utc::now() - Duration::days(1);
            let fresh = report_for(Uuid::now_v7(), vec![]);
            for r in [late, fresh] {
                assert_eq!(s.create_report(&key(a.user_id), a.user_id, r, "ALA").await.unwrap(), OpOutcome::Applied);
            }
            let count = |q: ReportQuery| {
                let s = s.clone();
                async move { s.list_reports(Some("mobility"), &q, Utc::now()).await.unwrap().1 }
            };
            assert_eq!(count(ReportQuery { overdue: Some(true), ..Default::default() }).await, 1);
            assert_eq!(count(ReportQuery { overdue: Some(false), ..Default::default() }).await, 1);
            assert_eq!(count(ReportQuery { due_before: Some(Utc::now() + Duration::days(60)), ..Default::default() }).await, 2);
            assert_eq!(count(ReportQuery { due_before: Some(Utc::now()), ..Default::default() }).await, 1);
            assert_eq!(count(ReportQuery { due_before: Some(Utc::now() - Duration::days(60)), ..Default::default() }).await, 0);
        }

        #[tokio::test]
        async fn statistics_and_open_data_are_answered_by_the_database() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 41).await;
            // Three reports: answered in 10 h (on time), answered in 30 h (late), still open and late.
            let mut ids = Vec::new();
            for (answer_h, deadline_h) in [(Some(10), 24), (Some(30), 24), (None, -1)] {
                let mut r = report_for(Uuid::now_v7(), vec![]);
                r.registered_at = Utc::now() - Duration::hours(40);
                r.deadline = r.registered_at + Duration::hours(deadline_h);
                let (id, at) = (r.id, r.registered_at);
                s.create_report(&key(a.user_id), a.user_id, r, "ALA").await.unwrap();
                if let Some(h) = answer_h {
                    let answer = move |r: &mut Report, _: Uuid| -> Result<(), Refusal> {
                        r.status = ReportStatus::Done;
                        r.answer = Some(Answer { text: "ok".into(), media: vec![], agency: "mobility".into(), at: at + Duration::hours(h) });
                        Ok(())
                    };
                    assert!(matches!(s.mutate_report(None, id, &answer).await.unwrap(), MutateOutcome::Applied(_)));
                }
                ids.push(id);
            }
            let (rows, times) = s.stats_rows(None, Utc::now()).await.unwrap();
            let c = qala_server::domain::stats::counts(&rows, &times);
            assert_eq!((c.received, c.done, c.in_progress, c.overdue), (3, 2, 1, 1));
            assert_eq!(c.done_on_time_share, Some(0.5));
            assert_eq!(c.median_hours_to_answer, Some(20.0));
            assert_eq!(s.stats_rows(Some(Utc::now()), Utc::now()).await.unwrap().0.len(), 0, "none registered since now");

            let numbers: Vec<String> = {
                let mut n = Vec::new();
                for id in &ids {
                    n.push(s.report(*id).await.unwrap().unwrap().0.registration_number);
                }
                n
            };
            let q = PublicRequestQuery { limit: 1000, ..Default::default() };
            assert_eq!(s.public_requests(&q).await.unwrap().len(), 3);
            let open = s.public_requests(&PublicRequestQuery { open: Some(true), ..q.clone() }).await.unwrap();
            assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), vec![ids[2]]);
            assert_eq!(s.public_requests(&PublicRequestQuery { open: Some(false), ..q.clone() }).await.unwrap().len(), 2);
            let one = PublicRequestQuery { numbers: Some(vec![numbers[1].clone()]), open: Some(true), ..q.clone() };
            assert_eq!(s.public_requests(&one).await.unwrap()[0].id, ids[1], "numbers override the other filters");
            assert_eq!(s.public_requests(&PublicRequestQuery { limit: 2, ..q.clone() }).await.unwrap().len(), 2);
            let later = PublicRequestQuery { from: Some(Utc::now()), ..q.clone() };
            assert!(s.public_requests(&later).await.unwrap().is_empty());
            let other = PublicRequestQuery { categories: Some(vec!["sidewalks".into()]), ..q };
            assert!(s.public_requests(&other).await.unwrap().is_empty());
        }

        #[tokio::test]
        async fn daily_quotas_are_charged_with_the_write_and_refuse_past_the_limit() {
            use qala_server::domain::quota::{Charge, QUOTA_EXCEEDED, QuotaKind};
            let (s, _g) = seeded().await;
            let a = resident(&s, 50).await;
            let b = resident(&s, 51).await;
            let now = Utc::now();
            let day = qala_server::domain::quota::local_day(now);
            let over = |o: &OpOutcome| matches!(o, OpOutcome::Rejected { code, .. } if code == QUOTA_EXCEEDED);
            let reports = |u: Uuid, at| Some(Charge::new(u, QuotaKind::Reports, 1, 2, at));
            let create = |k: OpKey, owner: Uuid, id: Uuid, quota| PushItem::CreateReport {
                op: k,
                owner,
                report: Box::new(report_for(id, vec![])),
                prefix: "ALA".into(),
                quota,
            };

            // Reports: a duplicate and a refusal for another reason cost nothing; the third new one
            // of the day is refused and leaves nothing behind; another account has its own count.
            let (r1, r2, r3) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
            let (k1, k3) = (key(a.user_id), key(a.user_id));
            let out = s
                .push_batch(vec![
                    create(k1.clone(), a.user_id, r1, reports(a.user_id, now)),
                    create(k1.clone(), a.user_id, r1, reports(a.user_id, now)),
                    create(key(a.user_id), a.user_id, r1, reports(a.user_id, now)),
                    create(key(b.user_id), b.user_id, r1, reports(b.user_id, now)),
                    create(key(a.user_id), a.user_id, r2, reports(a.user_id, now)),
                    create(k3.clone(), a.user_id, r3, reports(a.user_id, now)),
                    create(key(b.user_id), b.user_id, Uuid::now_v7(), reports(b.user_id, now)),
                ])
                .await
                .unwrap();
            assert_eq!(out[0], OpOutcome::Applied);
            assert_eq!(out[1], OpOutcome::Duplicate, "the same op");
            assert_eq!(out[2], OpOutcome::Duplicate, "the same report under another op");
            assert!(matches!(out[3], OpOutcome::Rejected { ref code, .. } if code == "id_conflict"));
            assert_eq!(out[4], OpOutcome::Applied);
            assert!(over(&out[5]), "{:?}", out[5]);
            assert_eq!(out[6], OpOutcome::Applied, "another account's quota is its own");
            assert!(s.report(r3).await.unwrap().is_none(), "a refused report is not stored");
            assert_eq!(s.quota_used(a.user_id, QuotaKind::Reports, day).await.unwrap(), 2);
            assert_eq!(s.quota_used(b.user_id, QuotaKind::Reports, day).await.unwrap(), 1);
            // The refused op is not recorded as applied: sent again the next day, it goes through.
            let tomorrow = now + Duration::days(1);
            let out = s.push_batch(vec![create(k3, a.user_id, r3, reports(a.user_id, tomorrow))]).await.unwrap();
            assert_eq!(out[0], OpOutcome::Applied);
            assert_eq!(s.quota_used(a.user_id, QuotaKind::Reports, day.succ_opt().unwrap()).await.unwrap(), 1);

            // Comments: one a day here; a comment refused for another reason costs nothing.
            let project = project_in_discussion(None);
            s.put_project(&project).await.unwrap();
            let comment = |project_id: Uuid| PushItem::Comment {
                op: OpKey { op_id: Uuid::now_v7(), user_id: a.user_id, kind: "comment" },
                author: "Qala-Q".into(),
                comment: Box::new(NewComment { id: Uuid::now_v7(), project_id, parent_id: None, body: "за".into(), position: Position::For, created_at: now }),
                now,
                quota: Some(Charge::new(a.user_id, QuotaKind::Comments, 1, 1, now)),
            };
            let out = s.push_batch(vec![comment(Uuid::now_v7()), comment(project.id), comment(project.id)]).await.unwrap();
            assert!(matches!(out[0], OpOutcome::Rejected { ref code, .. } if code == "unknown_project"));
            assert_eq!(out[1], OpOutcome::Applied);
            assert!(over(&out[2]), "{:?}", out[2]);
            assert_eq!(s.quota_used(a.user_id, QuotaKind::Comments, day).await.unwrap(), 1);

            // Media bytes: counted when an upload is created, all its declared bytes at once;
            // creating the same upload again costs nothing.
            let bytes = |len: u64| Charge::new(a.user_id, QuotaKind::MediaBytes, len, 150, now);
            let upload = |len: u64| UploadRow { id: Uuid::now_v7(), owner: a.user_id, kind: MediaKind::Photo, length: len, offset: 0, sha256: None, expires_at: now + Duration::hours(1) };
            let first = upload(100);
            s.upload_create(&first, now, Some(&bytes(100))).await.unwrap();
            s.upload_create(&first, now, Some(&bytes(100))).await.unwrap();
            assert_eq!(s.quota_used(a.user_id, QuotaKind::MediaBytes, day).await.unwrap(), 100);
            let second = upload(60);
            match s.upload_create(&second, now, Some(&bytes(60))).await {
                Err(StoreError::QuotaExceeded { retry_after_s, .. }) => {
                    assert!((1..=86_400).contains(&retry_after_s));
                }
                other => panic!("expected the quota to refuse: {other:?}"),
            }
            assert_eq!(s.upload(second.id).await.unwrap(), None, "nothing created over the quota");
            s.upload_create(&upload(50), now, Some(&bytes(50))).await.unwrap();
            assert_eq!(s.quota_used(a.user_id, QuotaKind::MediaBytes, day).await.unwrap(), 150);
            // Uploads without a quota (staff) are not counted.
            s.upload_create(&upload(1000), now, None).await.unwrap();
            assert_eq!(s.quota_used(a.user_id, QuotaKind::MediaBytes, day).await.unwrap(), 150);

            // Old days' counters are pruned; the days kept are untouched.
            assert_eq!(s.quota_prune(day).await.unwrap(), 0, "nothing before today");
            assert!(s.quota_prune(day.succ_opt().unwrap()).await.unwrap() >= 4, "today's rows");
            assert_eq!(s.quota_used(a.user_id, QuotaKind::Reports, day).await.unwrap(), 0);
            assert_eq!(s.quota_used(a.user_id, QuotaKind::Reports, day.succ_opt().unwrap()).await.unwrap(), 1);
        }

        #[tokio::test]
        async fn media_no_report_uses_are_swept_after_the_grace_period_in_bounded_passes() {
            let (s, _g) = seeded().await;
            let a = resident(&s, 52).await;
            let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
            let start = now - Duration::days(30);
            let media_at = |at: chrono::DateTime<Utc>| MediaRow {
                id: Uuid::now_v7(),
                owner: a.user_id,
                owner_role: Role::Resident,
                kind: MediaKind::Photo,
                content_type: "image/jpeg".into(),
                size: 10,
                sha256: "cd".repeat(32),
                upload_length: 10,
                created_at: at,
            };
            // In storing order: unused, in a report, unused, in an answer, unused; and a recent unused one.
            let unused1 = media_at(start);
            let in_report = media_at(start + Duration::seconds(1));
            let unused2 = media_at(start + Duration::seconds(2));
            let in_answer = media_at(start + Duration::seconds(3));
            let unused3 = media_at(start + Duration::seconds(4));
            let recent = media_at(now - Duration::days(1));
            for m in [&unused1, &in_report, &unused2, &in_answer, &unused3, &recent] {
                s.media_complete(m).await.unwrap();
            }
            let report_id = Uuid::now_v7();
            let declared = vec![DeclaredMedia { id: in_report.id, kind: MediaKind::Photo }];
            s.create_report(&key(a.user_id), a.user_id, report_for(report_id, declared), "ALA").await.unwrap();
            let answer_media = in_answer.id;
            let answer = move |r: &mut Report, _: Uuid| -> Result<(), Refusal> {
                let photo = MediaRef { id: answer_media, kind: MediaKind::Photo, state: MediaState::Pending, sha256: None, size: None, content_type: None };
                r.answer = Some(Answer { text: "done".into(), media: vec![photo], agency: "mobility".into(), at: Utc::now() });
                Ok(())
            };
            assert!(matches!(s.mutate_report(None, report_id, &answer).await.unwrap(), MutateOutcome::Applied(_)));

            // Two files per pass: each pass looks at the next two, never at one looked at before.
            let before = now - Duration::days(14);
            let pass = s.media_sweep(before, 2).await.unwrap();
            assert_eq!(pass, MediaSweep { deleted: vec![unused1.id], more: true });
            let pass = s.media_sweep(before, 2).await.unwrap();
            assert_eq!(pass, MediaSweep { deleted: vec![unused2.id], more: true });
            let pass = s.media_sweep(before, 2).await.unwrap();
            assert_eq!(pass, MediaSweep { deleted: vec![unused3.id], more: false });
            assert_eq!(s.media_sweep(before, 2).await.unwrap(), MediaSweep::default(), "nothing left to look at");
            for gone in [&unused1, &unused2, &unused3] {
                assert_eq!(s.media(gone.id).await.unwrap(), None);
            }
            for kept in [&in_report, &in_answer, &recent] {
                assert!(s.media(kept.id).await.unwrap().is_some(), "used or within the grace period");
            }
            let (r, _) = s.report(report_id).await.unwrap().unwrap();
            assert_eq!(r.media[0].state, MediaState::Received, "the report's file is untouched");
            // Once past the grace period, the recent one goes too; the used ones stay.
            let later = s.media_sweep(now + Duration::days(1), 500).await.unwrap();
            assert_eq!(later, MediaSweep { deleted: vec![recent.id], more: false });
            assert!(s.media(in_report.id).await.unwrap().is_some());
            assert!(s.media(in_answer.id).await.unwrap().is_some());
        }
    };
}
