// Reports: registration, rule-checked changes, the operators' lists.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qala_protocol::{Entity, EntityKind, OpOutcome, PublicReport, Report, ReportQuery, ReportStatus};
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::media::{fill_pending, fill_pending_many};
use super::quotas::{charge_in, charge_many_in};
use super::{
    Backend, Db, DbRow, ROWS_PER_STATEMENT, To, Tx, ledger_outcome, op_record, op_records, op_seen, parse_uuid, ts,
    write_changes_at,
};
use crate::domain::quota::Charge;
use crate::domain::reports::{registration_number, registration_year};
use crate::domain::stats::{AnswerTimes, StatsRow};
use crate::store::error::StoreResult;
use crate::store::{MutateOutcome, Mutator, OpKey, PublicRequestQuery, ReportStore};

/// What a report's row and its change rows hold, computed once from the report.
pub(super) struct StoredReport<'a> {
    report: &'a Report,
    owner: Uuid,
    id: String,
    view: String,
    /// The public copy's change payload; `None` when the report has none ([`Report::is_published`]).
    public: Option<String>,
    district: &'static str,
    settled_at: Option<String>,
    /// What the public statistics need of the answer, in columns the database can aggregate.
    answer_secs: Option<i64>,
    answer_on_time: Option<i32>,
    /// When the change is made: the time its change rows carry.
    at: DateTime<Utc>,
}

impl<'a> StoredReport<'a> {
    pub(super) fn new(report: &'a Report, owner: Uuid, at: DateTime<Utc>) -> StoreResult<Self> {
        // Where the public copy lives and whether it is still in the public scope (see `qala_protocol::scope`).
        let public = report
            .is_published()
            .then(|| serde_json::to_string(&Entity::PublicReport(PublicReport::from(report))))
            .transpose()?;
        Ok(StoredReport {
            report,
            owner,
            id: report.id.to_string(),
            view: serde_json::to_string(report)?,
            public,
            district: qala_protocol::districts::code_of(report.location.lat, report.location.lon),
            settled_at: settled_at(report).map(ts),
            answer_secs: report.answer.as_ref().map(|a| (a.at - report.registered_at).num_seconds()),
            answer_on_time: report.answer.as_ref().map(|a| i32::from(a.at <= report.deadline)),
            at,
        })
    }
}

/// Stores the report's row, its media links and its two change rows (the author's full view and the
/// public view; a report that is no longer published leaves the public log).
pub(super) async fn save_report(
    tx: &mut Tx,
    report: &Report,
    owner: Uuid,
    insert: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let row = StoredReport::new(report, owner, now)?;
    if insert {
        return insert_reports(tx, std::slice::from_ref(&row)).await;
    }
    sqlx::query(
        "UPDATE reports SET category = $1, agency = $2, status = $3, deadline = $4, view = $5,
                            answer_secs = $6, answer_on_time = $7, settled_at = $8, in_scope = $9, published = $9
                         WHERE id = $10",
        // Both from whether there is a public copy now: `published` stays so, while `in_scope`
        // drops when the hourly sweep takes a long-settled report off the phones.
    )
    .bind(&report.category)
    .bind(&report.agency)
    .bind(report.status.as_str())
    .bind(ts(report.deadline))
    .bind(&row.view)
    .bind(row.answer_secs)
    .bind(row.answer_on_time)
    .bind(&row.settled_at)
    .bind(i32::from(row.public.is_some()))
    .bind(&row.id)
    .execute(&mut **tx)
    .await?;
    // The public copy's earlier rows go now rather than at the next compaction: a phone streaming
    // from an older cursor must not receive a description an operator redacted, or a report
    // that is no longer published, on its way to the newer row.
    sqlx::query("DELETE FROM changes WHERE kind = 'public_report' AND entity_id = $1")
        .bind(&row.id)
        .execute(&mut **tx)
        .await?;
    links_and_changes(tx, std::slice::from_ref(&row)).await
}

/// Inserts new reports with their links and change rows: three statements per
/// [`ROWS_PER_STATEMENT`] reports, however many there are. Each statement is a round trip to the
/// database (on SQLite, to the connection's thread), which is what a report costs most.
pub(super) async fn insert_reports(tx: &mut Tx, rows: &[StoredReport<'_>]) -> StoreResult<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO reports (id, owner, reg_number, category, agency, status, deadline, registered_at, view,
                                  answer_secs, answer_on_time, district, settled_at, in_scope, published) ",
        );
        qb.push_values(chunk, |mut b, row| {
            let r = row.report;
            b.push_bind(&row.id)
                .push_bind(row.owner.to_string())
                .push_bind(&r.registration_number)
                .push_bind(&r.category)
                .push_bind(&r.agency)
                .push_bind(r.status.as_str())
                .push_bind(ts(r.deadline))
                .push_bind(ts(r.registered_at))
                .push_bind(&row.view)
                .push_bind(row.answer_secs)
                .push_bind(row.answer_on_time)
                .push_bind(row.district)
                .push_bind(&row.settled_at)
                .push_bind(i32::from(row.public.is_some()))
                .push_bind(i32::from(row.public.is_some()));
        });
        qb.build().execute(&mut **tx).await?;
        links_and_changes(tx, chunk).await?;
    }
    Ok(())
}

/// The media links and change rows of stored reports, one statement each.
async fn links_and_changes(tx: &mut Tx, rows: &[StoredReport<'_>]) -> StoreResult<()> {
    let mut links: Vec<(Uuid, &str, bool)> = Vec::new();
    for row in rows {
        let answer = row.report.answer.iter().flat_map(|a| a.media.iter()).map(|m| (m.id, row.id.as_str(), true));
        links.extend(row.report.media.iter().map(|m| (m.id, row.id.as_str(), false)).chain(answer));
    }
    if !links.is_empty() {
        let mut qb = QueryBuilder::<Db>::new("INSERT INTO report_media (media_id, report_id, in_answer) ");
        qb.push_values(&links, |mut b, (media_id, report_id, in_answer)| {
            b.push_bind(media_id.to_string()).push_bind(*report_id).push_bind(*in_answer as i64);
        });
        qb.push(" ON CONFLICT DO NOTHING");
        qb.build().execute(&mut **tx).await?;
    }
    let mut changes = Vec::with_capacity(rows.len() * 2);
    for row in rows {
        // The author's change row is `{"report": <view>}`: reuse the view's JSON rather than encode it again.
        let own = Some(format!("{{\"report\":{}}}", row.view));
        changes.push(((EntityKind::Report, row.id.as_str(), To::Owner(row.owner), own), row.at));
        changes.push(((EntityKind::PublicReport, row.id.as_str(), To::District(row.district), row.public.clone()), row.at));
    }
    write_changes_at(tx, &changes).await
}

/// When a report reached the final status it is in (`None` while it is open): the public scope
/// keeps it for the public window after that.
pub(super) fn settled_at(report: &Report) -> Option<DateTime<Utc>> {
    if report.status.is_open() {
        return None;
    }
    let reached = report.history.iter().rev().find(|h| h.status == report.status).map(|h| h.at);
    Some(reached.unwrap_or(report.registered_at))
}

pub(super) async fn load_report(tx: &mut Tx, id: Uuid) -> StoreResult<Option<(Report, Uuid)>> {
    let row = sqlx::query("SELECT owner, view FROM reports WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| -> StoreResult<(Report, Uuid)> {
        Ok((serde_json::from_str(r.get("view"))?, parse_uuid(r.get("owner"))?))
    })
    .transpose()
}

/// Appends the filters of an operator's report query.
pub(super) fn push_filters(qb: &mut QueryBuilder<Db>, agency: Option<&str>, q: &ReportQuery, now: DateTime<Utc>) {
    if let Some(a) = agency {
        qb.push(" AND agency = ").push_bind(a.to_string());
    }
    if let Some(s) = q.status {
        qb.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(c) = &q.category {
        qb.push(" AND category = ").push_bind(c.clone());
    }
    let open: Vec<&str> = ReportStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
    let open_list = open.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    if let Some(before) = q.due_before {
        qb.push(format!(" AND status IN ({open_list}) AND deadline < ")).push_bind(ts(before));
    }
    if let Some(overdue) = q.overdue {
        if overdue {
            qb.push(format!(" AND status IN ({open_list}) AND deadline < ")).push_bind(ts(now));
        } else {
            qb.push(format!(" AND NOT (status IN ({open_list}) AND deadline < ")).push_bind(ts(now)).push(")");
        }
    }
    if let Some(from) = q.from {
        qb.push(" AND registered_at >= ").push_bind(ts(from));
    }
    if let Some(to) = q.to {
        qb.push(" AND registered_at < ").push_bind(ts(to));
    }
}

#[async_trait]
impl ReportStore for Backend {
    async fn create_report(&self, op: &OpKey, owner: Uuid, report: Report, prefix: &str) -> StoreResult<OpOutcome> {
        let mut tx = self.begin().await?;
        let outcome = create_in(&mut tx, op, owner, report, prefix, None).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn mutate_report(&self, op: Option<&OpKey>, report_id: Uuid, rule: &Mutator<'_>) -> StoreResult<MutateOutcome> {
        let mut tx = self.begin().await?;
        let outcome = mutate_in(&mut tx, op, report_id, rule).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn report(&self, id: Uuid) -> StoreResult<Option<(Report, Uuid)>> {
        let row = sqlx::query("SELECT owner, view FROM reports WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| -> StoreResult<(Report, Uuid)> {
            Ok((serde_json::from_str(r.get("view"))?, parse_uuid(r.get("owner"))?))
        })
        .transpose()
    }

    async fn report_by_number(&self, number: &str) -> StoreResult<Option<Report>> {
        let view: Option<String> = sqlx::query_scalar("SELECT view FROM reports WHERE reg_number = $1")
            .bind(number)
            .fetch_optional(&self.read)
            .await?;
        view.map(|v| Ok(serde_json::from_str(&v)?)).transpose()
    }

    async fn stats_rows(
        &self,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<StatsRow>, Vec<AnswerTimes>)> {
        let since = since.map(ts).unwrap_or_default();
        let rows = sqlx::query(
            "SELECT category, agency, status, COUNT(*) AS n,
                    SUM(CASE WHEN deadline < $1 THEN 1 ELSE 0 END) AS late,
                    SUM(CASE WHEN answer_on_time = 1 THEN 1 ELSE 0 END) AS on_time
             FROM reports WHERE registered_at >= $2 GROUP BY category, agency, status",
        )
        .bind(ts(now))
        .bind(&since)
        .fetch_all(&self.read)
        .await?;
        let count = |r: &DbRow, c: &str| -> StoreResult<u64> { Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0).max(0) as u64) };
        let mut stats = Vec::with_capacity(rows.len());
        for r in &rows {
            let status: String = r.try_get("status")?;
            let Some(status) = ReportStatus::parse(&status) else { continue };
            stats.push(StatsRow {
                category: r.try_get("category")?,
                agency: r.try_get("agency")?,
                status,
                count: count(r, "n")?,
                past_deadline: count(r, "late")?,
                answered_on_time: count(r, "on_time")?,
            });
        }
        let rows = sqlx::query(
            "SELECT category, agency, answer_secs / 360 AS tenths, COUNT(*) AS n
             FROM reports WHERE registered_at >= $1 AND status IN ('done', 'closed') AND answer_secs IS NOT NULL
             GROUP BY category, agency, answer_secs / 360",
        )
        .bind(&since)
        .fetch_all(&self.read)
        .await?;
        let mut times = Vec::with_capacity(rows.len());
        for r in &rows {
            times.push(AnswerTimes {
                category: r.try_get("category")?,
                agency: r.try_get("agency")?,
                tenths: r.try_get("tenths")?,
                count: count(r, "n")?,
            });
        }
        Ok((stats, times))
    }

    async fn public_requests(&self, q: &PublicRequestQuery) -> StoreResult<Vec<Report>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT view FROM reports WHERE published = 1");
        let list = |qb: &mut QueryBuilder<Db>, column: &str, values: &[String]| {
            qb.push(format!(" AND {column} IN ("));
            let mut sep = qb.separated(", ");
            for v in values {
                sep.push_bind(v.clone());
            }
            qb.push(")");
        };
        if let Some(numbers) = &q.numbers {
            list(&mut qb, "reg_number", numbers);
        } else {
            if let Some(categories) = &q.categories {
                list(&mut qb, "category", categories);
            }
            if let Some(open) = q.open {
                let open_list: Vec<String> =
                    ReportStatus::ALL.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
                qb.push(format!(" AND status {} ({})", if open { "IN" } else { "NOT IN" }, open_list.join(", ")));
            }
            if let Some(from) = q.from {
                qb.push(" AND registered_at >= ").push_bind(ts(from));
            }
            if let Some(to) = q.to {
                qb.push(" AND registered_at <= ").push_bind(ts(to));
            }
        }
        qb.push(" ORDER BY registered_at DESC LIMIT ").push_bind(i64::from(q.limit));
        let views: Vec<String> = qb.build_query_scalar().fetch_all(&self.read).await?;
        views.iter().map(|v| Ok(serde_json::from_str(v)?)).collect()
    }

    async fn public_feed(
        &self,
        before: Option<(DateTime<Utc>, Uuid)>,
        districts: &[String],
        limit: u32,
    ) -> StoreResult<Vec<Report>> {
        // One index range per district, each at most `limit` keys, merged here; then the views of
        // the page alone. A page costs the same however many reports the districts have (an IN
        // list would sort them all).
        let (at, id) = match before {
            Some((at, id)) => (ts(at), id.to_string()),
            None => (ts(Utc::now() + chrono::Duration::days(1)), Uuid::max().to_string()),
        };
        let mut keys: Vec<(String, String)> = Vec::new();
        let all = [None];
        let parts: Vec<Option<&String>> =
            if districts.is_empty() { all.to_vec() } else { districts.iter().map(Some).collect() };
        for d in parts {
            let mut qb = QueryBuilder::<Db>::new("SELECT registered_at, id FROM reports WHERE (registered_at < ");
            qb.push_bind(&at).push(" OR (registered_at = ").push_bind(&at).push(" AND id < ").push_bind(&id);
            qb.push(")) AND published = 1");
            if let Some(d) = d {
                qb.push(" AND district = ").push_bind(d);
            }
            qb.push(" ORDER BY registered_at DESC, id DESC LIMIT ").push_bind(i64::from(limit));
            keys.extend(qb.build_query_as::<(String, String)>().fetch_all(&self.read).await?);
        }
        keys.sort_by(|a, b| b.cmp(a));
        keys.truncate(limit as usize);
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Db>::new("SELECT view FROM reports WHERE published = 1 AND id IN (");
        let mut list = qb.separated(", ");
        for (_, id) in &keys {
            list.push_bind(id.clone());
        }
        qb.push(") ORDER BY registered_at DESC, id DESC");
        let views: Vec<String> = qb.build_query_scalar().fetch_all(&self.read).await?;
        views.iter().map(|v| Ok(serde_json::from_str(v)?)).collect()
    }

    async fn list_reports(
        &self,
        agency: Option<&str>,
        q: &ReportQuery,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<Report>, u64)> {
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM reports WHERE 1 = 1");
        push_filters(&mut count, agency, q, now);
        let total: i64 = count.build_query_scalar().fetch_one(&self.read).await?;
        let mut list = QueryBuilder::<Db>::new("SELECT view FROM reports WHERE 1 = 1");
        push_filters(&mut list, agency, q, now);
        list.push(" ORDER BY deadline, registered_at LIMIT ")
            .push_bind(i64::from(q.limit.unwrap_or(50).min(500)))
            .push(" OFFSET ")
            .push_bind(i64::from(q.offset.unwrap_or(0)));
        let views: Vec<String> = list.build_query_scalar().fetch_all(&self.read).await?;
        let items = views.iter().map(|v| serde_json::from_str(v)).collect::<Result<Vec<Report>, _>>()?;
        Ok((items, total as u64))
    }
}

/// Registers a report in the caller's transaction, charging `quota` when the report is new.
/// Writes nothing unless the outcome is `Applied`.
pub(super) async fn create_in(
    tx: &mut Tx,
    op: &OpKey,
    owner: Uuid,
    mut report: Report,
    prefix: &str,
    quota: Option<&Charge>,
) -> StoreResult<OpOutcome> {
    let now = report.registered_at;
    // Both idempotency checks in one statement: the op ledger, and the report id itself.
    let (op_user, existing): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT (SELECT user_id FROM applied_ops WHERE op_id = $1), (SELECT owner FROM reports WHERE id = $2)",
    )
    .bind(op.op_id.to_string())
    .bind(report.id.to_string())
    .fetch_one(&mut **tx)
    .await?;
    if let Some(user) = op_user {
        return Ok(ledger_outcome(&user, op));
    }
    if let Some(existing) = existing {
        return Ok(existing_report(&existing, owner));
    }
    // Only a new report counts, and nothing below refuses it, so a charge never outlives its report.
    if let Some(quota) = quota
        && !charge_in(tx, quota).await?
    {
        return Ok(quota.refused());
    }
    let year = registration_year(now);
    let seq = take_numbers(tx, &counter_name(prefix, year), 1).await?;
    report.registration_number = registration_number(prefix, year, seq);
    fill_pending(tx, &mut report, owner).await?;
    save_report(tx, &report, owner, true, now).await?;
    op_record(tx, op, now).await?;
    Ok(OpOutcome::Applied)
}

/// The outcome of creating a report whose id is already stored, by `existing` (its owner).
fn existing_report(existing: &str, owner: Uuid) -> OpOutcome {
    if existing == owner.to_string() {
        OpOutcome::Duplicate
    } else {
        OpOutcome::Rejected { code: "id_conflict".into(), reason: "this report id belongs to someone else".into() }
    }
}

/// The counter of a city's registration numbers in a year.
fn counter_name(prefix: &str, year: i32) -> String {
    format!("reg:{prefix}:{year}")
}

/// Takes the next `count` numbers of a counter; returns the first.
async fn take_numbers(tx: &mut Tx, counter: &str, count: i64) -> StoreResult<i64> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO counters (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value",
    )
    .bind(counter)
    .bind(count)
    .fetch_one(&mut **tx)
    .await?;
    Ok(last - count + 1)
}

/// A report to register, as a push carries it.
pub(super) struct Registration {
    pub op: OpKey,
    pub owner: Uuid,
    pub report: Report,
    pub prefix: Arc<str>,
    pub quota: Option<Charge>,
}

/// Registers reports in the caller's transaction with the outcomes and the stored data that
/// [`create_in`] gives each in turn, in a handful of statements per [`ROWS_PER_STATEMENT`] reports
/// instead of eight per report: this is what lets thirty phones' pushes share one commit cheaply.
/// What depends on the order of the ops — an op or report id twice in one chunk, an account whose
/// quota does not take all its reports — goes through [`create_in`] in its place in the order,
/// which stays the one definition of the rules.
pub(super) async fn create_many_in(tx: &mut Tx, run: Vec<Registration>) -> StoreResult<Vec<OpOutcome>> {
    let mut outcomes = Vec::with_capacity(run.len());
    let mut run = run.into_iter().peekable();
    while run.peek().is_some() {
        let chunk: Vec<Registration> = run.by_ref().take(ROWS_PER_STATEMENT).collect();
        outcomes.extend(create_chunk_in(tx, chunk).await?);
    }
    Ok(outcomes)
}

/// What becomes of one op of a chunk.
enum Plan {
    Decided(OpOutcome),
    /// New, charged: registered with its neighbours.
    Together(Registration),
    /// Goes through [`create_in`] on its own.
    Alone(Registration),
}

/// [`create_many_in`] for at most [`ROWS_PER_STATEMENT`] ops.
async fn create_chunk_in(tx: &mut Tx, mut chunk: Vec<Registration>) -> StoreResult<Vec<OpOutcome>> {
    // One report alone costs as many statements either way: the rules' own path takes it.
    if chunk.len() == 1
        && let Some(r) = chunk.pop()
    {
        return Ok(vec![create_in(tx, &r.op, r.owner, r.report, &r.prefix, r.quota.as_ref()).await?]);
    }
    let (mut ops, mut ids) = (HashSet::new(), HashSet::new());
    let repeats = chunk.iter().any(|r| !ops.insert(r.op.op_id) | !ids.insert(r.report.id));
    if repeats {
        let mut outcomes = Vec::with_capacity(chunk.len());
        for r in chunk {
            outcomes.push(create_in(tx, &r.op, r.owner, r.report, &r.prefix, r.quota.as_ref()).await?);
        }
        return Ok(outcomes);
    }
    // Which ops the ledger knows and which report ids exist: both idempotency checks, one statement.
    let mut ledger: HashMap<String, String> = HashMap::new();
    let mut existing: HashMap<String, String> = HashMap::new();
    let mut qb = QueryBuilder::<Db>::new("SELECT 'op' AS what, op_id AS id, user_id AS who FROM applied_ops WHERE op_id IN (");
    let mut list = qb.separated(", ");
    for r in &chunk {
        list.push_bind(r.op.op_id.to_string());
    }
    qb.push(") UNION ALL SELECT 'report', id, owner FROM reports WHERE id IN (");
    let mut list = qb.separated(", ");
    for r in &chunk {
        list.push_bind(r.report.id.to_string());
    }
    qb.push(")");
    for (what, id, who) in qb.build_query_as::<(String, String, String)>().fetch_all(&mut **tx).await? {
        let known = if what == "op" { &mut ledger } else { &mut existing };
        known.insert(id, who);
    }
    let decided = |r: &Registration| -> Option<OpOutcome> {
        if let Some(user) = ledger.get(&r.op.op_id.to_string()) {
            return Some(ledger_outcome(user, &r.op));
        }
        existing.get(&r.report.id.to_string()).map(|owner| existing_report(owner, r.owner))
    };
    // The quotas: each account's new reports charged together. An account whose reports do not all
    // fit (or whose charges disagree on the limit) is left uncharged, and its reports go one by one,
    // so the ones that fit still count.
    let key = |q: &Charge| (q.user_id, q.kind, q.day);
    let mut totals: Vec<Charge> = Vec::new();
    let mut mixed = HashSet::new();
    for q in chunk.iter().filter(|r| decided(r).is_none()).filter_map(|r| r.quota.as_ref()) {
        match totals.iter_mut().find(|t| key(t) == key(q)) {
            Some(t) if t.limit == q.limit => t.amount += q.amount,
            Some(_) => {
                mixed.insert(key(q));
            }
            None => totals.push(q.clone()),
        }
    }
    totals.retain(|t| !mixed.contains(&key(t)));
    let charged: HashSet<_> = charge_many_in(tx, &totals).await?.into_iter().collect();
    let plans: Vec<Plan> = chunk
        .into_iter()
        .map(|r| match (decided(&r), &r.quota) {
            (Some(outcome), _) => Plan::Decided(outcome),
            (None, Some(q)) if !charged.contains(&key(q)) => Plan::Alone(r),
            (None, _) => Plan::Together(r),
        })
        .collect();
    // In the order of the ops: each stretch registered together, then the op that must go alone,
    // so registration numbers and change rows come in the order one op at a time gives them.
    let mut outcomes = Vec::with_capacity(plans.len());
    let mut stretch: Vec<Registration> = Vec::new();
    for plan in plans {
        match plan {
            Plan::Decided(outcome) => outcomes.push(outcome),
            Plan::Together(r) => {
                stretch.push(r);
                outcomes.push(OpOutcome::Applied);
            }
            Plan::Alone(r) => {
                register_together(tx, std::mem::take(&mut stretch)).await?;
                outcomes.push(create_in(tx, &r.op, r.owner, r.report, &r.prefix, r.quota.as_ref()).await?);
            }
        }
    }
    register_together(tx, stretch).await?;
    Ok(outcomes)
}

/// Stores new, charged reports (in their order) as [`create_in`] would one after another: numbers
/// from one counter update per prefix and year, their media that already arrived, their rows.
async fn register_together(tx: &mut Tx, mut new: Vec<Registration>) -> StoreResult<()> {
    if new.is_empty() {
        return Ok(());
    }
    let counter = |r: &Registration| counter_name(&r.prefix, registration_year(r.report.registered_at));
    let mut counters: Vec<(String, i64)> = Vec::new();
    for r in &new {
        let name = counter(r);
        match counters.iter_mut().find(|c| c.0 == name) {
            Some(c) => c.1 += 1,
            None => counters.push((name, 1)),
        }
    }
    for (name, count) in counters {
        let first = take_numbers(tx, &name, count).await?;
        for (seq, r) in (first..).zip(new.iter_mut().filter(|r| counter(r) == name)) {
            r.report.registration_number = registration_number(&r.prefix, registration_year(r.report.registered_at), seq);
        }
    }
    {
        let mut filling: Vec<(&mut Report, Uuid)> = new.iter_mut().map(|r| (&mut r.report, r.owner)).collect();
        fill_pending_many(tx, &mut filling).await?;
    }
    // Each report's rows carry its own registration time, as `create_in` writes them.
    let rows = new
        .iter()
        .map(|r| StoredReport::new(&r.report, r.owner, r.report.registered_at))
        .collect::<StoreResult<Vec<_>>>()?;
    insert_reports(tx, &rows).await?;
    op_records(tx, &new.iter().map(|r| (&r.op, r.report.registered_at)).collect::<Vec<_>>()).await
}

/// Runs a rule on a report in the caller's transaction. Writes nothing unless it applies.
pub(super) async fn mutate_in(
    tx: &mut Tx,
    op: Option<&OpKey>,
    report_id: Uuid,
    rule: &Mutator<'_>,
) -> StoreResult<MutateOutcome> {
    let now = Utc::now();
    if let Some(op) = op
        && let Some(seen) = op_seen(tx, op).await?
    {
        return Ok(match seen {
            OpOutcome::Duplicate => MutateOutcome::Duplicate,
            _ => MutateOutcome::NotFound,
        });
    }
    let Some((mut report, owner)) = load_report(tx, report_id).await? else {
        return Ok(MutateOutcome::NotFound);
    };
    if let Err(refusal) = rule(&mut report, owner) {
        return Ok(MutateOutcome::Refused(refusal));
    }
    fill_pending(tx, &mut report, owner).await?;
    save_report(tx, &report, owner, false, now).await?;
    if let Some(op) = op {
        op_record(tx, op, now).await?;
    }
    Ok(MutateOutcome::Applied(Box::new(report)))
}
