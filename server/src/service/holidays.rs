//! The working calendar's dated days: public holidays and the decrees that move them. Deadlines
//! count working days, so an edit reloads the calendar at once (deadlines already set stay).

use chrono::{Datelike, NaiveDate, Utc};

use super::ServiceResult;
use super::access::Admin;
use crate::app::AppState;
use crate::domain::calendar::Holiday;

/// This year's days and later ones; the past no longer matters to a deadline being set.
pub async fn upcoming(st: &AppState, _: &Admin) -> ServiceResult<Vec<Holiday>> {
    let this_year = Utc::now().year();
    let all = st.store.holidays().await?;
    Ok(all.into_iter().filter(|h| h.date.year() >= this_year).collect())
}

/// Adds a day, or replaces the one on that date.
pub async fn put(st: &AppState, _: &Admin, holiday: Holiday) -> ServiceResult<()> {
    let holiday = Holiday { name: holiday.name.trim().into(), ..holiday };
    qala_protocol::validate::text(&holiday.name, "name", 200, true)?;
    st.store.put_holiday(&holiday).await?;
    st.catalog.reload(st.store.as_ref()).await?;
    Ok(())
}

/// Takes the day out of the calendar. A day that is not in it is already where the caller wants
/// it, so that is no error (a repeated request does no harm).
pub async fn delete(st: &AppState, _: &Admin, date: NaiveDate) -> ServiceResult<()> {
    if st.store.delete_holiday(date).await? {
        st.catalog.reload(st.store.as_ref()).await?;
    }
    Ok(())
}
