//! City news, written by administrators. Phones pull a published item, or a tombstone when it is
//! unpublished or deleted.

use chrono::Utc;
use qala_protocol::{AdminNews, NewsInput};
use uuid::Uuid;

use super::access::Admin;
use super::catalog::localized;
use super::{ServiceError, ServiceResult};
use crate::app::AppState;

fn checked(n: NewsInput) -> ServiceResult<NewsInput> {
    let n = NewsInput { title: n.title.trimmed(), body: n.body.trimmed(), ..n };
    localized("title", &n.title, 200)?;
    localized("body", &n.body, 20_000)?;
    Ok(n)
}

pub async fn list(st: &AppState, _: &Admin) -> ServiceResult<Vec<AdminNews>> {
    Ok(st.store.news_all().await?)
}

pub async fn get(st: &AppState, _: &Admin, id: Uuid) -> ServiceResult<AdminNews> {
    let all = st.store.news_all().await?;
    all.into_iter().find(|n| n.item.id == id).ok_or_else(|| ServiceError::NotFound("no such news".into()))
}

pub async fn create(st: &AppState, _: &Admin, input: NewsInput) -> ServiceResult<Uuid> {
    let input = checked(input)?;
    let id = Uuid::now_v7();
    st.store.put_news(id, &input, Utc::now()).await?;
    Ok(id)
}

pub async fn update(st: &AppState, admin: &Admin, id: Uuid, input: NewsInput) -> ServiceResult<()> {
    let input = checked(input)?;
    get(st, admin, id).await?;
    st.store.put_news(id, &input, Utc::now()).await?;
    Ok(())
}

/// Publishes or withdraws an item, keeping its text.
pub async fn set_published(st: &AppState, admin: &Admin, id: Uuid, published: bool) -> ServiceResult<()> {
    let n = get(st, admin, id).await?;
    let input = NewsInput { title: n.item.title, body: n.item.body, published };
    st.store.put_news(id, &input, Utc::now()).await?;
    Ok(())
}

pub async fn delete(st: &AppState, _: &Admin, id: Uuid) -> ServiceResult<()> {
    if st.store.delete_news(id).await? { Ok(()) } else { Err(ServiceError::NotFound("no such news".into())) }
}
