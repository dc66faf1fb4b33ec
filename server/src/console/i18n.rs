//! The console's words in Kazakh, Russian and English. A missing key shows as `⟦key⟧`, which the
//! tests look for on every page they open.

use qala_protocol::{Lang, ReportStatus};

/// The language a page is rendered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L(pub Lang);

pub fn parse_lang(code: &str) -> Option<Lang> {
    Lang::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(code))
}

impl L {
    pub fn t(self, key: &str) -> &'static str {
        match STRINGS.iter().find(|(k, _)| *k == key) {
            Some((_, [kk, ru, en])) => match self.0 {
                Lang::Kk => kk,
                Lang::Ru => ru,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "console text missing");
                "⟦missing text⟧"
            }
        }
    }

    pub fn status(self, s: ReportStatus) -> &'static str {
        self.t(&format!("status.{}", s.as_str()))
    }
}

/// Key, then Kazakh, Russian, English.
const STRINGS: &[(&str, [&str; 3])] = &[
    ("nav.queue", ["Кезек", "Очередь", "Queue"]),
    ("nav.escalation", ["Мерзімі өткендер", "Просроченные", "Overdue"]),
    ("nav.catalog", ["Санаттар мен мекемелер", "Категории и ведомства", "Categories and agencies"]),
    ("nav.staff", ["Қызметкерлер", "Сотрудники", "Staff"]),
    ("nav.news", ["Жаңалықтар", "Новости", "News"]),
    ("nav.projects", ["Қала жобалары", "Городские проекты", "City projects"]),
    ("nav.comments", ["Пікірлерді модерациялау", "Модерация комментариев", "Comment moderation"]),
    ("nav.holidays", ["Мереке күндері", "Праздничные дни", "Holidays"]),
    ("nav.logout", ["Шығу", "Выйти", "Sign out"]),
    ("nav.language", ["Тіл", "Язык", "Language"]),
    ("login.title", ["Операторға кіру", "Вход для операторов", "Operator sign-in"]),
    ("login.login", ["Логин", "Логин", "Login"]),
    ("login.password", ["Құпиясөз", "Пароль", "Password"]),
    ("login.submit", ["Кіру", "Войти", "Sign in"]),
    ("login.failed", ["Логин немесе құпиясөз қате.", "Неверный логин или пароль.", "Wrong login or password."]),
    (
        "login.limited",
        [
            "Қате әрекеттер тым көп. 15 минуттан кейін қайталаңыз.",
            "Слишком много неудачных попыток. Повторите через 15 минут.",
            "Too many failed attempts. Try again in 15 minutes.",
        ],
    ),
    ("queue.title", ["Өтініштер кезегі", "Очередь обращений", "Report queue"]),
    ("queue.total", ["Табылды", "Найдено", "Found"]),
    ("queue.empty", ["Сүзгіге сәйкес өтініш жоқ.", "Нет обращений по этому фильтру.", "No reports match this filter."]),
    (
        "queue.routed",
        [
            "Өтініш басқа мекемеге жіберілді; тұрғын оны көреді.",
            "Обращение передано в другое ведомство; житель это увидит.",
            "The report went to another agency; the resident will see it.",
        ],
    ),
    ("queue.number", ["Тіркеу нөмірі", "Регистрационный номер", "Registration number"]),
    ("queue.open", ["Ашу", "Открыть", "Open"]),
    (
        "queue.no_number",
        [
            "Сіздің кезегіңізде мұндай нөмір жоқ:",
            "В вашей очереди нет обращения с номером",
            "No report in your queue has the number",
        ],
    ),
    ("queue.overdue", ["Мерзімі өтті", "Срок истёк", "Overdue"]),
    ("filter.status", ["Күйі", "Статус", "Status"]),
    ("filter.category", ["Санат", "Категория", "Category"]),
    ("filter.overdue", ["Тек мерзімі өткендер", "Только просроченные", "Overdue only"]),
    ("filter.from", ["Тіркелген күннен", "Зарегистрировано с", "Registered from"]),
    ("filter.to", ["дейін", "по", "to"]),
    ("filter.any", ["Барлығы", "Любой", "Any"]),
    ("filter.apply", ["Көрсету", "Показать", "Show"]),
    ("filter.reset", ["Тазарту", "Сбросить", "Reset"]),
    ("col.number", ["Нөмірі", "Номер", "Number"]),
    ("col.category", ["Санат", "Категория", "Category"]),
    ("col.agency", ["Мекеме", "Ведомство", "Agency"]),
    ("col.address", ["Мекенжай", "Адрес", "Address"]),
    ("col.age", ["Жасы", "Возраст", "Age"]),
    ("col.deadline", ["Мерзімі", "Срок", "Deadline"]),
    ("col.status", ["Күйі", "Статус", "Status"]),
    ("age.d", ["к.", "дн.", "d"]),
    ("age.h", ["сағ.", "ч", "h"]),
    ("unit.m", ["м", "м", "m"]),
    ("page.prev", ["Алдыңғы", "Назад", "Previous"]),
    ("page.next", ["Келесі", "Далее", "Next"]),
    ("escalation.title", ["Мерзімі өткен өтініштер", "Просроченные обращения", "Overdue reports"]),
    (
        "escalation.none",
        [
            "Мерзімі өткен немесе ертеңге дейін мерзімі бітетін өтініш жоқ.",
            "Нет просроченных обращений и обращений со сроком до конца следующего рабочего дня.",
            "Nothing is overdue or due by the end of the next working day.",
        ],
    ),
    (
        "escalation.note",
        [
            "Мерзімі өткендер (қызыл) және келесі жұмыс күнінің соңына дейін мерзімі бітетіндер (сары).",
            "Просроченные (красным) и те, чей срок истекает до конца следующего рабочего дня (жёлтым).",
            "Overdue (red), and due by the end of the next working day (amber).",
        ],
    ),
    ("escalation.late", ["Мерзімі өткен", "Просрочено", "Overdue"]),
    ("escalation.soon", ["Мерзімі жақын", "Срок скоро", "Due soon"]),
    ("escalation.late_by", ["Кешігу, жұмыс күні", "Просрочка, рабочих дней", "Late by, working days"]),
    ("report.registered", ["Тіркелді", "Зарегистрировано", "Registered"]),
    ("report.executor", ["Орындаушы", "Исполнитель", "Executor"]),
    ("report.description", ["Сипаттама", "Описание", "Description"]),
    ("report.location", ["Орны", "Местоположение", "Location"]),
    ("report.open_map", ["Картадан ашу", "Открыть на карте", "Open on a map"]),
    ("report.media", ["Тұрғынның фотосы мен видеосы", "Фото и видео жителя", "The resident's photos and video"]),
    ("report.media_pending", ["Әлі жүктелмеді", "Ещё не загружено", "Not uploaded yet"]),
    ("report.photo", ["Фото", "Фото", "Photo"]),
    ("report.answer", ["Мекеменің жауабы", "Ответ ведомства", "The agency's answer"]),
    ("report.rejection", ["Қабылданбады", "Отклонено", "Rejected"]),
    ("report.rating", ["Тұрғынның бағасы", "Оценка жителя", "The resident's rating"]),
    ("report.complaints", ["Шағымдар", "Жалобы", "Complaints"]),
    ("report.history", ["Тарих", "История", "History"]),
    ("report.time", ["Уақыты", "Время", "Time"]),
    ("report.by", ["Кім", "Кто", "By"]),
    ("report.note", ["Ескертпе", "Примечание", "Note"]),
    (
        "report.saved",
        [
            "Сақталды. Тұрғын оны келесі синхрондауда көреді.",
            "Сохранено. Житель увидит это при следующей синхронизации.",
            "Saved. The resident sees it at the next sync.",
        ],
    ),
    ("act.title", ["Әрекеттер", "Действия", "Actions"]),
    (
        "act.closed",
        ["Өтініш жабық: әрекет жоқ.", "Обращение закрыто: действий нет.", "The report is closed: no actions."],
    ),
    ("act.answer", ["Жауап беру", "Ответить", "Answer"]),
    ("act.answer_text", ["Не істелді", "Что сделано", "What was done"]),
    ("act.photos", ["Фотоесеп (5 файлға дейін)", "Фотоотчёт (до 5 файлов)", "Photo report (up to 5 files)"]),
    (
        "act.photo_required",
        [
            "Жауапқа фотоесеп керек: тұрғын оны өз фотосымен салыстырады.",
            "К ответу нужен фотоотчёт: житель сравнит его со своим фото.",
            "An answer needs a photo report: the resident compares it with their own photo.",
        ],
    ),
    (
        "act.compare",
        ["Тұрғынның фотосы, салыстыру үшін:", "Фото жителя, для сравнения:", "The resident's photo, to compare with:"],
    ),
    (
        "report.nearby",
        [
            "Жақын жердегі осы санаттағы ашық өтініштер (мүмкін қайталау)",
            "Открытые обращения этой категории рядом (возможные повторы)",
            "Open reports of this category nearby (possible duplicates)",
        ],
    ),
    ("act.reject", ["Қабылдамау", "Отклонить", "Reject"]),
    ("act.reject_reason", ["Себебі", "Причина", "Reason"]),
    ("act.reject_text", ["Тұрғынға түсіндірме", "Пояснение для жителя", "Explanation for the resident"]),
    ("act.assign", ["Орындаушы тағайындау", "Назначить исполнителя", "Assign an executor"]),
    (
        "act.executor",
        ["Бригада, мердігер немесе қызметкер", "Бригада, подрядчик или сотрудник", "Brigade, contractor or employee"],
    ),
    ("act.note", ["Ескертпе (міндетті емес)", "Примечание (необязательно)", "Note (optional)"]),
    ("act.start", ["Жұмысқа алу", "Взять в работу", "Start work"]),
    ("act.route", ["Басқа мекемеге жіберу", "Передать в другое ведомство", "Route to another agency"]),
    ("act.route_to", ["Мекеме", "Ведомство", "Agency"]),
    ("reason.not_competence", ["Біздің құзыретімізде емес", "Не в нашей компетенции", "Not within our competence"]),
    ("reason.duplicate", ["Қайталанған өтініш", "Повторное обращение", "Duplicate"]),
    ("reason.private_property", ["Жеке меншік", "Частная собственность", "Private property"]),
    ("reason.insufficient_info", ["Ақпарат жеткіліксіз", "Недостаточно информации", "Not enough information"]),
    ("reason.not_a_problem", ["Қалалық мәселе емес", "Не городская проблема", "Not a city problem"]),
    ("reason.other", ["Басқа", "Другое", "Other"]),
    ("status.submitted", ["Жіберілді", "Отправлено", "Submitted"]),
    ("status.registered", ["Тіркелді", "Зарегистрировано", "Registered"]),
    ("status.assigned", ["Орындаушы тағайындалды", "Назначен исполнитель", "Assigned"]),
    ("status.in_progress", ["Жұмыста", "В работе", "In progress"]),
    ("status.done", ["Орындалды", "Выполнено", "Done"]),
    ("status.rejected", ["Қабылданбады", "Отклонено", "Rejected"]),
    ("status.reopened", ["Қайта ашылды", "Открыто повторно", "Reopened"]),
    ("status.closed", ["Жабылды", "Закрыто", "Closed"]),
    ("status.withdrawn", ["Кері қайтарылды", "Отозвано", "Withdrawn"]),
    ("role.resident", ["Тұрғын", "Житель", "Resident"]),
    ("role.operator", ["Оператор", "Оператор", "Operator"]),
    ("role.admin", ["Әкімші", "Администратор", "Administrator"]),
    ("role.system", ["Жүйе", "Система", "System"]),
    ("error.title", ["Орындалмады", "Не выполнено", "Not done"]),
    ("error.back", ["Кезекке оралу", "Вернуться к очереди", "Back to the queue"]),
    (
        "error.internal",
        [
            "Сервер қатесі; ол журналға жазылды.",
            "Ошибка сервера; она записана в журнал.",
            "Server error; it has been logged.",
        ],
    ),
    (
        "error.csrf",
        [
            "Форма ескірген немесе басқа сайттан жіберілген. Бетті жаңартып, қайталаңыз.",
            "Форма устарела или отправлена с другого сайта. Обновите страницу и повторите.",
            "The form is stale or came from another site. Reload the page and try again.",
        ],
    ),
    ("error.admin_only", ["Тек әкімшілерге.", "Только для администраторов.", "For administrators only."]),
    ("error.no_report", ["Мұндай өтініш жоқ.", "Такого обращения нет.", "No such report."]),
    ("common.save", ["Сақтау", "Сохранить", "Save"]),
    ("common.add", ["Қосу", "Добавить", "Add"]),
    ("common.delete", ["Жою", "Удалить", "Delete"]),
    ("field.code", ["Коды (a–z, 0–9, _)", "Код (a–z, 0–9, _)", "Code (a–z, 0–9, _)"]),
    ("field.name_kk", ["Атауы (қазақша)", "Название (казахский)", "Name (Kazakh)"]),
    ("field.name_ru", ["Атауы (орысша)", "Название (русский)", "Name (Russian)"]),
    ("field.name_en", ["Атауы (ағылшынша)", "Название (английский)", "Name (English)"]),
    (
        "catalog.note",
        [
            "Өзгерістер жаңа өтініштерге бірден қолданылады; тұрғындар оларды синхрондау кезінде алады. Бұрын белгіленген мерзімдер өзгермейді.",
            "Изменения сразу действуют для новых обращений; жители получат их при синхронизации. Уже назначенные сроки не меняются.",
            "Changes apply to new reports at once; residents get them at their next sync. Deadlines already set do not change.",
        ],
    ),
    ("catalog.agencies", ["Мекемелер", "Ведомства", "Agencies"]),
    ("catalog.categories", ["Санаттар", "Категории", "Categories"]),
    ("catalog.new_agency", ["Жаңа мекеме", "Новое ведомство", "New agency"]),
    ("catalog.new_category", ["Жаңа санат", "Новая категория", "New category"]),
    ("catalog.days", ["Мерзімі, жұмыс күні", "Срок, рабочих дней", "Deadline, working days"]),
    ("catalog.icon", ["Белгіше", "Значок", "Icon"]),
    ("catalog.active", ["Өтініштер қабылданады", "Принимает обращения", "Takes reports"]),
    ("catalog.inactive", ["өтініш қабылдамайды", "не принимает обращения", "takes no reports"]),
    ("staff.login", ["Логин", "Логин", "Login"]),
    ("staff.name", ["Аты", "Имя", "Name"]),
    ("staff.role", ["Рөлі", "Роль", "Role"]),
    ("staff.disabled", ["Өшірілген", "Отключён", "Disabled"]),
    ("staff.new_password", ["Жаңа құпиясөз", "Новый пароль", "New password"]),
    ("staff.disable", ["Өшіру", "Отключить", "Disable"]),
    ("staff.create", ["Қызметкер қосу", "Добавить сотрудника", "Add a staff member"]),
    (
        "staff.created",
        [
            "Құпиясөз бір рет қана көрсетіледі, оны қызметкерге беріңіз:",
            "Пароль показан один раз, передайте его сотруднику:",
            "The password is shown this once; hand it over:",
        ],
    ),
    (
        "staff.password_note",
        [
            "Құпиясөзді сервер жасайды және бір рет көрсетеді. Операторға мекеме керек, әкімшіге керек емес.",
            "Пароль создаёт сервер и показывает один раз. Оператору нужно ведомство, администратору — нет.",
            "The server makes the password and shows it once. An operator needs an agency; an administrator has none.",
        ],
    ),
    ("news.headline", ["Тақырып", "Заголовок", "Title"]),
    ("news.body", ["Мәтін", "Текст", "Text"]),
    ("news.date", ["Күні", "Дата", "Date"]),
    ("news.published", ["Жарияланды", "Опубликовано", "Published"]),
    ("news.draft", ["Жарияланбаған", "Не опубликовано", "Not published"]),
    ("news.publish", ["Жариялау", "Опубликовать", "Publish"]),
    ("news.unpublish", ["Жариялауды тоқтату", "Снять с публикации", "Unpublish"]),
    ("news.publish_now", ["Бірден жариялау", "Опубликовать сразу", "Publish at once"]),
    ("news.edit", ["Жаңалықты өзгерту", "Изменить новость", "Edit news"]),
    ("news.create", ["Жаңалық қосу", "Добавить новость", "Add news"]),
    ("projects.create", ["Жоба қосу", "Добавить проект", "Add a project"]),
    ("projects.description", ["Сипаттама", "Описание", "Description"]),
    ("projects.stages", ["Кезеңдері", "Этапы", "Stages"]),
    ("projects.discussion_until", ["Талқылау мерзімі (күні)", "Обсуждение до (дата)", "Discussion until (date)"]),
    (
        "projects.stages_help",
        [
            "Кезеңдер: әр жолда бір кезең, «қазақша | орысша | ағылшынша»; орындалған кезеңнің алдына + қойыңыз.",
            "Этапы: по одному на строку, «казахский | русский | английский»; перед выполненным этапом поставьте +.",
            "Stages: one per line, “Kazakh | Russian | English”; put + before a stage that is done.",
        ],
    ),
    ("pstatus.discussion", ["Талқылауда", "Обсуждение", "Discussion"]),
    ("pstatus.approved", ["Мақұлданды", "Одобрен", "Approved"]),
    ("pstatus.in_progress", ["Іске асырылуда", "Реализуется", "In progress"]),
    ("pstatus.done", ["Аяқталды", "Завершён", "Done"]),
    ("pstatus.cancelled", ["Тоқтатылды", "Отменён", "Cancelled"]),
    ("comments.none", ["Пікір жоқ.", "Комментариев нет.", "No comments."]),
    ("comments.author", ["Авторы", "Автор", "Author"]),
    ("comments.text", ["Пікір", "Комментарий", "Comment"]),
    ("comments.flags", ["Шағымдар", "Жалобы", "Flags"]),
    ("comments.hidden", ["Жасырылған", "Скрыт", "Hidden"]),
    ("comments.visible", ["Көрінеді", "Виден", "Visible"]),
    ("comments.pending", ["Модераторды күтуде", "Ждёт модератора", "Waiting for a moderator"]),
    ("comments.reason", ["Жасыру себебі", "Причина скрытия", "Reason for hiding"]),
    ("comments.hide", ["Жасыру", "Скрыть", "Hide"]),
    ("comments.restore", ["Қайтару", "Вернуть", "Restore"]),
    ("comments.keep", ["Бұзушылық жоқ", "Нарушений нет", "No violation"]),
    (
        "holidays.note",
        [
            "Мерзімдер жұмыс күнімен есептеледі. Өзгеріс жаңа мерзімдерге қолданылады; бұрын белгіленгендері өзгермейді.",
            "Сроки считаются в рабочих днях. Изменение действует для новых сроков; уже назначенные не меняются.",
            "Deadlines count working days. A change applies to new deadlines; those already set do not change.",
        ],
    ),
    ("holidays.date", ["Күні", "Дата", "Date"]),
    ("holidays.name", ["Атауы", "Название", "Name"]),
    ("holidays.kind", ["Түрі", "Вид", "Kind"]),
    ("holidays.off", ["Демалыс", "Выходной", "Day off"]),
    ("holidays.working", ["Жұмыс күні (ауыстырылған)", "Рабочий день (перенос)", "Working day (transferred)"]),
    (
        "holidays.working_hint",
        [
            "Бұл демалыс емес, ауыстырылған жұмыс күні",
            "Это не выходной, а перенесённый рабочий день",
            "Not a day off but a transferred working day",
        ],
    ),
    ("holidays.add", ["Күн қосу", "Добавить день", "Add a day"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the console's code asks for, taken from its source.
    fn keys_used() -> Vec<String> {
        let sources = [
            include_str!("admin/mod.rs"),
            include_str!("admin/catalog.rs"),
            include_str!("admin/staff.rs"),
            include_str!("admin/news.rs"),
            include_str!("admin/projects.rs"),
            include_str!("admin/comments.rs"),
            include_str!("admin/holidays.rs"),
            include_str!("layout.rs"),
            include_str!("queue.rs"),
            include_str!("report.rs"),
            include_str!("session.rs"),
        ];
        let mut keys = Vec::new();
        for src in sources {
            let mut rest = src;
            while let Some(i) = rest.find('"') {
                rest = &rest[i + 1..];
                let Some(end) = rest.find('"') else { break };
                let lit = &rest[..end];
                rest = &rest[end + 1..];
                let known_prefix = lit.split_once('.').is_some_and(|(p, k)| {
                    !k.is_empty()
                        && STRINGS.iter().any(|(key, _)| key.starts_with(&format!("{p}.")))
                        && lit.bytes().all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
                });
                if known_prefix {
                    keys.push(lit.to_string());
                }
            }
        }
        keys
    }

    #[test]
    fn every_key_used_has_all_three_languages() {
        let used = keys_used();
        assert!(used.len() > 100, "found only {} keys: the scan is broken", used.len());
        for key in used {
            assert!(STRINGS.iter().any(|(k, _)| *k == key), "no text for {key}");
        }
        for (key, texts) in STRINGS {
            assert!(texts.iter().all(|t| !t.trim().is_empty()), "{key} has an empty translation");
        }
        let mut keys: Vec<_> = STRINGS.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "a key is listed twice");
    }

    #[test]
    fn dynamic_keys_exist() {
        for s in ReportStatus::ALL {
            for lang in Lang::ALL {
                assert!(!L(lang).status(s).contains('⟦'), "{s:?}");
            }
        }
        for r in crate::console::report::REJECT_REASONS {
            assert!(!L(Lang::Kk).t(&format!("reason.{}", crate::console::report::reason_code(r))).contains('⟦'));
        }
        assert_eq!(L(Lang::En).t("no.such"), "⟦missing text⟧");
        assert_eq!(parse_lang("KK"), Some(Lang::Kk));
    }
}
