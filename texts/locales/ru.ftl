# Qala in Russian: every text the resident's app, its notifications, the operator
# console and the public statistics page show. One file per language; every file has every key.

## The resident's app (qala-ui), and the words the others share: status-*, reason-*

outside-app = Этот экран работает внутри приложения Qala.
loading = Загрузка…
not-found = Не найдено.
back = Назад
cancel = Отмена
saved = Сохранено.
me = Я
tab-reports = Обращения
tab-news = Новости
tab-projects = Проекты
tab-settings = Настройки

sync-signed-out = Вы не вошли: нажмите, чтобы войти и отправить
sync-signed-out-waiting = { $n ->
    [one] { $n } запись ждёт: нажмите, чтобы войти и отправить
    [few] { $n } записи ждут: нажмите, чтобы войти и отправить
   *[other] { $n } записей ждут: нажмите, чтобы войти и отправить
}
sync-uploading = Отправка… { $percent }%
sync-offline = Нет сети — всё сохранено на телефоне
sync-offline-waiting = Нет сети — { $n ->
    [one] { $n } запись будет отправлена
    [few] { $n } записи будут отправлены
   *[other] { $n } записей будут отправлены
}, когда сеть появится
sync-waiting = { $n ->
    [one] { $n } запись ждёт отправки
    [few] { $n } записи ждут отправки
   *[other] { $n } записей ждут отправки
}
sync-last = Синхронизировано { $time }
sync-never = Ещё не синхронизировано
sync-failed = { $n ->
    [one] { $n } проблема
    [few] { $n } проблемы
   *[other] { $n } проблем
}

report-problem = Сообщить о проблеме
my-reports = Мои обращения
no-reports = Обращений пока нет. Увидели яму, сломанный фонарь или мусор? Сообщите.
number-pending = Номера ещё нет
days-left = { $n ->
    [one] остался { $n } день
    [few] осталось { $n } дня
   *[other] осталось { $n } дней
}
due-today = срок сегодня
overdue-by = просрочено на { $n ->
    [one] { $n } день
    [few] { $n } дня
   *[other] { $n } дней
}

status-queued = Ждёт отправки
status-submitted = Отправлено
status-refused = Сервер не принял
status-registered = Зарегистрировано
status-assigned = Назначен исполнитель
status-in_progress = В работе
status-done = Есть ответ
status-rejected = Отклонено
status-reopened = Возвращено в работу
status-closed = Закрыто
status-withdrawn = Отозвано

sign-in = Войти
sign-in-why = Обращения хранятся на телефоне, пока вы не войдёте; потом они отправятся. Ваш номер никому не показывается.
phone = Номер телефона
phone-invalid = Введите мобильный номер Казахстана, например +7 701 234 56 78.
send-code = Получить код
code-sent = Мы отправили код на { $number }.
code = Код из SMS
change-number = Другой номер

step-photo = Фото или видео
remove = Убрать
step-location = Где
location-none = Место не указано
location-gps = GPS, точность { $n } м
location-gps-unknown = GPS
location-address = По адресу
use-my-location = Моё местоположение
no-fix = GPS не определил место. Выберите район и введите адрес.
no-gps-hint = На этом устройстве нет GPS: выберите район и введите адрес или вставьте координаты с карты.
poor-fix = Место определено грубо: добавьте адрес, чтобы его нашли.
district = Район
choose-district = Выберите район
address = Адрес или ориентир
address-placeholder = Улица, дом, подъезд, ориентир
coordinates = Или координаты с карты
coords-invalid = Это не координаты: введите как «43.2389, 76.8897».
step-category = Что случилось
categories-after-sync = Категории придут с первой синхронизацией; обращение можно сохранить и сейчас.
step-description = Описание (необязательно)
description-placeholder = Что не так и с какого времени?
same-problem = Такая же проблема рядом?
same-problem-hint = Эти обращения уже у города. Если ваше — одно из них, следите за ним, а не отправляйте ещё одно.
same-discard = Это то же самое: не отправлять моё
public-preview = Что увидят все
preview-media = { $n ->
    [0] Без фото
    [one] { $n } фото или видео
   *[other] { $n } фото или видео
}
preview-private = Ваше имя и номер телефона не публикуются.
still-needed = Ещё нужно:
need-location = место
need-category = категория
need-address = адрес
send = Отправить
discard = Удалить черновик

agency = Исполнитель (ведомство)
deadline = Срок
executor = Бригада
answer = Ответ ведомства
before = До
after = После
rejected-why = Почему отклонено
reason-not_competence = Не в компетенции ведомства
reason-duplicate = Повторное обращение
reason-private_property = Частная собственность
reason-insufficient_info = Недостаточно сведений
reason-not_a_problem = Не городская проблема
reason-other = Другое
your-rating = Ваша оценка:
rate-answer = Оцените ответ
low-rating-reopens = Оценка 1 или 2 вернёт обращение в работу.
rate-comment = Что скажете о работе? (необязательно)
rate-send = Оценить
complain = Пожаловаться на ответ
complain-placeholder = Что не так с ответом?
complain-send = Отправить жалобу
withdraw = Отозвать обращение
history = История
refused-because = Сервер не принял: { $reason }

no-news = Новостей пока нет.
no-projects = Городских проектов пока нет.
project-discussion = Обсуждается
project-approved = Утверждён
project-in_progress = Строится
project-done = Завершён
project-cancelled = Отменён
stages = Этапы
discussion = Обсуждение
no-comments = Комментариев пока нет. Будьте первым.
discussion-closed = Обсуждение закрыто.
position-for = За
position-against = Против
position-neutral = Нейтрально
comment-placeholder = Ваше мнение
comment-send = Комментировать
comment-queued = ждёт отправки
comment-flag = Пожаловаться
comment-flag-hint = Оскорбления, спам или чужие личные данные: модераторы проверят. Три жалобы скрывают комментарий до проверки.
comment-flagged = жалоба отправлена модераторам
reply = Ответить
replying = Ответ на комментарий.

language = Язык
server = Сервер
video-wifi-only = Отправлять видео только по Wi-Fi
account = Учётная запись
sign-out = Выйти
wifi-waiting = { $n ->
    [one] { $n } видео ждёт Wi-Fi
    [few] { $n } видео ждут Wi-Fi
   *[other] { $n } видео ждут Wi-Fi
}
send-anyway = Отправить сейчас
take-photo = Сделать фото
record-video = Снять видео
from-gallery = Из галереи
locating = Определяем местоположение…
locating-accuracy = Определяем местоположение: пока ±{ $n } м…
location-denied = Qala не разрешено определять местоположение. Выберите район и введите адрес (или разрешите доступ к местоположению в настройках телефона).
server-change-waiting = { $n ->
    [one] { $n } запись ещё не отправлена.
    [few] { $n } записи ещё не отправлены.
   *[other] { $n } записей ещё не отправлены.
} Они уйдут на новый сервер после входа в него; всё, что касается обращений старого сервера, там будет отклонено.
server-change-confirm = Всё равно сменить сервер
server-changed = Сервер изменён. Войдите в него.

## Notifications (the app's shell); { $number } is the registration number

notify-answered = { $number }: ведомство ответило
notify-status = { $number }: { $status }

## The operator console (qala-server, /console)

console-nav-queue = Очередь
console-nav-escalation = Просроченные
console-nav-catalog = Категории и ведомства
console-nav-staff = Сотрудники
console-nav-news = Новости
console-nav-projects = Городские проекты
console-nav-comments = Модерация комментариев
console-nav-holidays = Праздничные дни
console-nav-logout = Выйти
console-nav-language = Язык
console-login-title = Вход для операторов
console-login-login = Логин
console-login-password = Пароль
console-login-submit = Войти
console-login-failed = Неверный логин или пароль.
console-login-limited = Слишком много неудачных попыток. Повторите через 15 минут.
console-queue-title = Очередь обращений
console-queue-total = Найдено
console-queue-empty = Нет обращений по этому фильтру.
console-queue-routed = Обращение передано в другое ведомство; житель это увидит.
console-queue-number = Регистрационный номер
console-queue-open = Открыть
console-queue-no_number = В вашей очереди нет обращения с номером
console-queue-overdue = Срок истёк
console-filter-status = Статус
console-filter-category = Категория
console-filter-overdue = Только просроченные
console-filter-from = Зарегистрировано с
console-filter-to = по
console-filter-any = Любой
console-filter-apply = Показать
console-filter-reset = Сбросить
console-col-number = Номер
console-col-category = Категория
console-col-agency = Ведомство
console-col-address = Адрес
console-col-age = Возраст
console-col-deadline = Срок
console-col-status = Статус
console-age-d = дн.
console-age-h = ч
console-unit-m = м
console-page-prev = Назад
console-page-next = Далее
console-escalation-title = Просроченные обращения
console-escalation-none = Нет просроченных обращений и обращений со сроком до конца следующего рабочего дня.
console-escalation-note = Просроченные (красным) и те, чей срок истекает до конца следующего рабочего дня (жёлтым).
console-escalation-late = Просрочено
console-escalation-soon = Срок скоро
console-escalation-late_by = Просрочка, рабочих дней
console-report-registered = Зарегистрировано
console-report-executor = Исполнитель
console-report-description = Описание
console-report-location = Местоположение
console-report-open_map = Открыть на карте
console-report-media = Фото и видео жителя
console-report-media_pending = Ещё не загружено
console-report-photo = Фото
console-report-answer = Ответ ведомства
console-report-rejection = Отклонено
console-report-rating = Оценка жителя
console-report-complaints = Жалобы
console-report-history = История
console-report-time = Время
console-report-by = Кто
console-report-note = Примечание
console-report-saved = Сохранено. Житель увидит это при следующей синхронизации.
console-act-title = Действия
console-act-closed = Обращение закрыто: действий нет.
console-act-answer = Ответить
console-act-answer_text = Что сделано
console-act-photos = Фотоотчёт (до 5 файлов)
console-act-photo_required = К ответу нужен фотоотчёт: житель сравнит его со своим фото.
console-act-compare = Фото жителя, для сравнения:
console-report-nearby = Открытые обращения этой категории рядом (возможные повторы)
console-act-reject = Отклонить
console-act-reject_reason = Причина
console-act-reject_text = Пояснение для жителя
console-act-assign = Назначить исполнителя
console-act-executor = Бригада, подрядчик или сотрудник
console-act-note = Примечание (необязательно)
console-act-start = Взять в работу
console-act-route = Передать в другое ведомство
console-act-route_to = Ведомство
console-role-resident = Житель
console-role-operator = Оператор
console-role-admin = Администратор
console-role-system = Система
console-error-title = Не выполнено
console-error-back = Вернуться к очереди
console-error-internal = Ошибка сервера; она записана в журнал.
console-error-csrf = Форма устарела или отправлена с другого сайта. Обновите страницу и повторите.
console-error-admin_only = Только для администраторов.
console-error-no_report = Такого обращения нет.
console-common-save = Сохранить
console-common-add = Добавить
console-common-delete = Удалить
console-field-code = Код (a–z, 0–9, _)
console-field-name_kk = Название (казахский)
console-field-name_ru = Название (русский)
console-field-name_en = Название (английский)
console-catalog-note = Изменения сразу действуют для новых обращений; жители получат их при синхронизации. Уже назначенные сроки не меняются.
console-catalog-agencies = Ведомства
console-catalog-categories = Категории
console-catalog-new_agency = Новое ведомство
console-catalog-new_category = Новая категория
console-catalog-days = Срок, рабочих дней
console-catalog-icon = Значок
console-catalog-active = Принимает обращения
console-catalog-inactive = не принимает обращения
console-staff-login = Логин
console-staff-name = Имя
console-staff-role = Роль
console-staff-disabled = Отключён
console-staff-new_password = Новый пароль
console-staff-disable = Отключить
console-staff-create = Добавить сотрудника
console-staff-created = Пароль показан один раз, передайте его сотруднику:
console-staff-password_note = Пароль создаёт сервер и показывает один раз. Оператору нужно ведомство, администратору — нет.
console-news-headline = Заголовок
console-news-body = Текст
console-news-date = Дата
console-news-published = Опубликовано
console-news-draft = Не опубликовано
console-news-publish = Опубликовать
console-news-unpublish = Снять с публикации
console-news-publish_now = Опубликовать сразу
console-news-edit = Изменить новость
console-news-create = Добавить новость
console-projects-create = Добавить проект
console-projects-description = Описание
console-projects-stages = Этапы
console-projects-discussion_until = Обсуждение до (дата)
console-projects-stages_help = Этапы: по одному на строку, «казахский | русский | английский»; перед выполненным этапом поставьте +.
console-comments-none = Комментариев нет.
console-comments-author = Автор
console-comments-text = Комментарий
console-comments-flags = Жалобы
console-comments-hidden = Скрыт
console-comments-visible = Виден
console-comments-pending = Ждёт модератора
console-comments-reason = Причина скрытия
console-comments-hide = Скрыть
console-comments-restore = Вернуть
console-comments-keep = Нарушений нет
console-holidays-note = Сроки считаются в рабочих днях. Изменение действует для новых сроков; уже назначенные не меняются.
console-holidays-date = Дата
console-holidays-name = Название
console-holidays-kind = Вид
console-holidays-off = Выходной
console-holidays-working = Рабочий день (перенос)
console-holidays-working_hint = Это не выходной, а перенесённый рабочий день
console-holidays-add = Добавить день

## The public statistics page (qala-server, /stats)

stats-title = Qala: статистика обращений
stats-received = Поступило
stats-in-progress = В работе
stats-overdue = Просрочено
stats-on-time = В срок
stats-hours-to-answer = До ответа, ч (медиана)
stats-last-30-days = Последние 30 дней
stats-all-time = За всё время
stats-total = Всего
stats-categories = Категории
stats-agencies = Ведомства
