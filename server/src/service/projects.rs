//! City projects under discussion or under way, with their stages; residents comment on them.

use chrono::Utc;
use qala_protocol::{Project, ProjectInput, ProjectStage, ProjectStatus};
use uuid::Uuid;

use super::access::Admin;
use super::catalog::localized;
use super::{ServiceError, ServiceResult};
use crate::app::AppState;

fn checked(p: ProjectInput) -> ServiceResult<ProjectInput> {
    let stages = p.stages.into_iter().map(|s| ProjectStage { title: s.title.trimmed(), done: s.done }).collect();
    let p = ProjectInput { title: p.title.trimmed(), description: p.description.trimmed(), stages, ..p };
    localized("title", &p.title, 200)?;
    localized("description", &p.description, 20_000)?;
    for (i, s) in p.stages.iter().enumerate() {
        localized(&format!("stages[{i}].title"), &s.title, 200)?;
    }
    Ok(p)
}

fn project(id: Uuid, input: ProjectInput, created_at: chrono::DateTime<Utc>) -> Project {
    Project {
        id,
        title: input.title,
        description: input.description,
        status: input.status,
        stages: input.stages,
        discussion_until: input.discussion_until,
        created_at,
    }
}

pub async fn list(st: &AppState, _: &Admin) -> ServiceResult<Vec<Project>> {
    Ok(st.store.projects_all().await?)
}

pub async fn get(st: &AppState, _: &Admin, id: Uuid) -> ServiceResult<Project> {
    st.store.project(id).await?.ok_or_else(|| ServiceError::NotFound("no such project".into()))
}

pub async fn create(st: &AppState, _: &Admin, input: ProjectInput) -> ServiceResult<Uuid> {
    let input = checked(input)?;
    let id = Uuid::now_v7();
    st.store.put_project(&project(id, input, Utc::now())).await?;
    Ok(id)
}

/// Replaces everything an administrator wrote; the creation time stays.
pub async fn update(st: &AppState, admin: &Admin, id: Uuid, input: ProjectInput) -> ServiceResult<()> {
    let input = checked(input)?;
    let old = get(st, admin, id).await?;
    st.store.put_project(&project(id, input, old.created_at)).await?;
    Ok(())
}

/// Moves a project on: its status and its stages, the rest as it was.
pub async fn set_progress(
    st: &AppState,
    admin: &Admin,
    id: Uuid,
    status: ProjectStatus,
    stages: Vec<ProjectStage>,
) -> ServiceResult<()> {
    let old = get(st, admin, id).await?;
    let input = ProjectInput {
        title: old.title,
        description: old.description,
        status,
        stages,
        discussion_until: old.discussion_until,
    };
    let input = checked(input)?;
    st.store.put_project(&project(id, input, old.created_at)).await?;
    Ok(())
}

pub async fn delete(st: &AppState, _: &Admin, id: Uuid) -> ServiceResult<()> {
    if st.store.delete_project(id).await? { Ok(()) } else { Err(ServiceError::NotFound("no such project".into())) }
}
