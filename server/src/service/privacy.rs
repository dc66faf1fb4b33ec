//! A resident's rights over their data, as Kazakhstan's law on personal data gives them: to know
//! what is kept ("Download my data"), to take their name off a report after the fact, and to have
//! their account deleted. Each is the resident's own act, online, on their own data only.

use chrono::Utc;
use qala_protocol::{DeleteAccount, PersonalData, Report, ReportsOnDeletion};
use uuid::Uuid;

use super::access::Resident;
use super::{ServiceError, ServiceResult};
use crate::app::AppState;
use crate::domain::reports::{Action, WORKING, apply};
use crate::store::MutateOutcome;

/// The account anonymised reports belong to: nobody signs in as it (no phone, no password), and
/// no Open311 channel may take its name.
pub const ANONYMOUS_ACCOUNT: &str = "anonymised";

/// Everything the server keeps about the resident.
pub async fn export(st: &AppState, me: &Resident) -> ServiceResult<PersonalData> {
    st.store
        .personal_data(me.user_id, Utc::now())
        .await?
        .ok_or_else(|| ServiceError::NotFound("no such account".into()))
}

/// Takes the resident's name off one of their reports: it leaves their phone and their account,
/// and stays — with its history, answer and public copy — for the agency and the city.
pub async fn anonymise(st: &AppState, me: &Resident, report: Uuid) -> ServiceResult<()> {
    let now = Utc::now();
    let anonymous = st.store.channel_account(ANONYMOUS_ACCOUNT, now).await?;
    match st.store.anonymise_reports(me.user_id, Some(&[report]), anonymous.user_id, now).await? {
        0 => Err(ServiceError::NotFound("no such report of yours".into())),
        _ => Ok(()),
    }
}

/// Deletes the resident's account: the reports the agency still works are withdrawn if the
/// resident chose so; then, in one transaction, every report is anonymised, the personal data
/// erased and every session ended. A deletion cut short before that is finished by asking again.
pub async fn delete_account(st: &AppState, me: &Resident, req: DeleteAccount) -> ServiceResult<()> {
    let now = Utc::now();
    if req.reports == ReportsOnDeletion::Withdraw {
        let mine = st.store.personal_data(me.user_id, now).await?.map(|d| d.reports).unwrap_or_default();
        for report in mine.iter().filter(|r| WORKING.contains(&r.status)) {
            withdraw(st, me, report).await?;
        }
    }
    let anonymous = st.store.channel_account(ANONYMOUS_ACCOUNT, now).await?;
    st.store.erase_account(me.user_id, anonymous.user_id, now).await?;
    tracing::info!(user = %me.user_id, "account deleted at the resident's request");
    Ok(())
}

/// Withdraws one of the resident's reports by the same rule as the phone's withdraw op.
async fn withdraw(st: &AppState, me: &Resident, report: &Report) -> ServiceResult<()> {
    let catalog = st.catalog.get();
    let now = Utc::now();
    let action = Action::Withdraw { reason: Some("account deleted".into()) };
    let rule = move |r: &mut Report, owner| {
        apply(r, owner, me, &action, now, &catalog.calendar, &|c| catalog.deadline_days(c))
    };
    match st.store.mutate_report(None, report.id, &rule).await? {
        // Settled since it was read, or gone: nothing to withdraw; it is anonymised next.
        MutateOutcome::Applied(_) | MutateOutcome::Refused(_) | MutateOutcome::NotFound | MutateOutcome::Duplicate => {
            Ok(())
        }
    }
}
