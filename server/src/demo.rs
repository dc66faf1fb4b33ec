//! Demo content for `serve --demo`: news, two city projects with a discussion, and staff accounts
//! whose passwords are printed once, when they are created.

use chrono::{Duration, Utc};
use qala_protocol::{LocalizedText, NewComment, NewsInput, Position, Project, ProjectStage, ProjectStatus, Role};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{generate_password, hash_password};
use crate::domain::display_name;
use crate::error::AppResult;
use crate::store::{NewStaff, OpKey, StoreError};

fn t(kk: &str, ru: &str, en: &str) -> LocalizedText {
    LocalizedText::new(kk, ru, en)
}

pub async fn seed(st: &AppState) -> AppResult<()> {
    let done = st.store.meta_get_or_init("demo_seeded", "no").await?;
    if done == "yes" {
        return Ok(());
    }
    let now = Utc::now();
    for (title, body) in [
        (
            t("Қар тазалау маусымы басталды", "Начался сезон уборки снега", "Snow removal season has started"),
            t(
                "Қалада 400-ден астам техника жұмыс істейді. Тазаланбаған аулалар туралы қосымшада хабарлаңыз.",
                "В городе работают более 400 единиц техники. Сообщайте о неубранных дворах в приложении.",
                "More than 400 machines are at work in the city. Report uncleared yards in the app.",
            ),
        ),
        (
            t("Жарық шамдарын ауыстыру", "Замена уличных фонарей", "Street lights are being replaced"),
            t(
                "Бостандық ауданында 1200 шам LED-ке ауыстырылады.",
                "В Бостандыкском районе 1200 фонарей заменят на светодиодные.",
                "1,200 street lights in Bostandyk district will be replaced with LED lamps.",
            ),
        ),
        (
            t("Qala қосымшасы іске қосылды", "Запущено приложение Qala", "The Qala app is live"),
            t(
                "Мәселені бір минутта, тіпті интернетсіз де хабарлаңыз.",
                "Сообщайте о проблеме за минуту — даже без интернета.",
                "Report a problem in a minute — even offline.",
            ),
        ),
    ] {
        st.store.put_news(Uuid::now_v7(), &NewsInput { title, body, published: true }, now).await?;
    }
    let park = Project {
        id: Uuid::now_v7(),
        title: t("Саябақты қайта жаңарту", "Реконструкция парка", "Park renovation"),
        description: t(
            "Жаңа жолдар, жарық және балалар алаңы.",
            "Новые дорожки, освещение и детская площадка.",
            "New paths, lighting and a playground.",
        ),
        status: ProjectStatus::Discussion,
        stages: vec![
            ProjectStage { title: t("Талқылау", "Обсуждение", "Discussion"), done: false },
            ProjectStage { title: t("Жобалау", "Проектирование", "Design"), done: false },
        ],
        discussion_until: Some(now + Duration::days(60)),
        created_at: now,
    };
    let lane = Project {
        id: Uuid::now_v7(),
        title: t("Велосипед жолағы", "Велодорожка по проспекту", "A bike lane on the avenue"),
        description: t(
            "Даңғыл бойымен 5 км велосипед жолағы.",
            "5 км велодорожки вдоль проспекта.",
            "5 km of bike lane along the avenue.",
        ),
        status: ProjectStatus::Discussion,
        stages: vec![ProjectStage { title: t("Талқылау", "Обсуждение", "Discussion"), done: false }],
        discussion_until: None,
        created_at: now,
    };
    st.store.put_project(&park).await?;
    st.store.put_project(&lane).await?;
    let residents = [
        st.store.resident_for_phone("+77000000001", now).await?,
        st.store.resident_for_phone("+77000000002", now).await?,
    ];
    let comments = [
        (park.id, &residents[0], Position::For, "Наконец-то! Нужна ещё и скамейка у входа."),
        (park.id, &residents[1], Position::Against, "Сначала отремонтируйте дорогу к парку."),
        (lane.id, &residents[1], Position::Neutral, "Где будут парковки для велосипедов?"),
    ];
    for (project, who, position, body) in comments {
        let c = NewComment {
            id: Uuid::now_v7(),
            project_id: project,
            parent_id: None,
            body: body.into(),
            position,
            created_at: now,
        };
        let op = OpKey { op_id: Uuid::now_v7(), user_id: who.user_id, kind: "comment" };
        st.store.add_comment(&op, &display_name(who.user_id), &c, now).await?;
    }
    for (login, role, agency) in [("operator", Role::Operator, Some("mobility")), ("admin", Role::Admin, None)] {
        let password = generate_password();
        let staff = NewStaff {
            login: login.into(),
            password_hash: hash_password(&password)?,
            role,
            agency: agency.map(String::from),
            display_name: login.into(),
        };
        match st.store.create_staff(&staff, now).await {
            Ok(_) => println!("demo {login} account: login={login} password={password} (printed once)"),
            Err(StoreError::Taken(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    st.store.meta_set("demo_seeded", "yes").await?;
    Ok(())
}
