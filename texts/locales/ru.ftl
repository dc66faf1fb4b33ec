# Qala in Russian: every text the resident's app and its notifications show (the console's
# and the statistics page's are in staff/ru.ftl). One file per language; every file has every key.

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
tab-city = Город
find-number-hint = Номер обращения, например ALA-2026-000123
find = Найти
no-city-reports = В выбранных районах пока нет обращений. Выберите районы в настройках.
load-more = Более ранние обращения
districts-followed = Мои районы
districts-followed-hint = Их открытые и недавно закрытые обращения хранятся в телефоне: лента города и «Такая проблема рядом?» работают без сети.
whole-city = Весь город

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
reason-private_property = Частная собственность — не публикуется
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
public-text = Ведомство убрало личные данные из публичного текста. Все видят:
my-data = Мои данные
export-data = Скачать мои данные
export-saved = Сохранено: { $path }
delete-account = Удалить мой аккаунт
delete-account-warning = Ваш номер телефона, сеансы и комментарии будут удалены, а этот телефон забудет всё о вашем аккаунте. Ваши обращения потеряют связь с вами. Что сделать с обращениями, которые ведомство ещё рассматривает?
delete-keep-anonymous = Оставить анонимно
delete-withdraw = Отозвать
delete-account-confirm = Удалить аккаунт навсегда
anonymise = Убрать моё имя из обращения
anonymise-warning = Обращение останется у ведомства и в городе, но перестанет быть вашим: оно уйдёт из вашего списка, и вы не сможете оценить ответ или пожаловаться на него.
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
