# Qala in Kazakh: every text the resident's app and its notifications show (the console's
# and the statistics page's are in staff/kk.ftl). One file per language; every file has every key.

## The resident's app (qala-ui), and the words the others share: status-*, reason-*

outside-app = Бұл экран Qala қосымшасының ішінде жұмыс істейді.
loading = Жүктелуде…
not-found = Табылмады.
back = Артқа
cancel = Болдырмау
saved = Сақталды.
me = Мен
tab-reports = Өтініштер
tab-news = Жаңалықтар
tab-projects = Жобалар
tab-settings = Баптаулар
tab-city = Қала
find-number-hint = Өтініш нөмірі, мысалы ALA-2026-000123
find = Табу
no-city-reports = Таңдалған аудандарда әзірге өтініш жоқ. Аудандарды баптауларда таңдаңыз.
load-more = Бұрынғы өтініштер
districts-followed = Менің аудандарым
districts-followed-hint = Олардың ашық және жақында жабылған өтініштері телефонда сақталады: қала таспасы мен «Осындай мәселе жақын жерде ме?» желісіз де жұмыс істейді.
whole-city = Бүкіл қала

sync-signed-out = Кірмегенсіз: кіріп жіберу үшін басыңыз
sync-signed-out-waiting = { $n } жазба күтіп тұр: кіріп жіберу үшін басыңыз
sync-uploading = Жіберілуде… { $percent }%
sync-offline = Желі жоқ — бәрі телефонда сақталған
sync-offline-waiting = Желі жоқ — желі пайда болғанда { $n } жазба жіберіледі
sync-waiting = { $n } жазба жіберуді күтуде
sync-last = Синхрондалды: { $time }
sync-never = Әлі синхрондалмаған
sync-failed = { $n } ақау

report-problem = Мәселе туралы хабарлау
my-reports = Менің өтініштерім
no-reports = Өтініш әзірге жоқ. Шұңқыр, сынған шам немесе қоқыс көрдіңіз бе? Хабарлаңыз.
number-pending = Нөмір әлі жоқ
days-left = { $n } күн қалды
due-today = мерзімі бүгін
overdue-by = { $n } күнге кешікті

status-queued = Жіберуді күтуде
status-submitted = Жіберілді
status-refused = Сервер қабылдамады
status-registered = Тіркелді
status-assigned = Орындаушы тағайындалды
status-in_progress = Жұмыста
status-done = Жауап бар
status-rejected = Қабылданбады
status-reopened = Қайта жұмысқа жіберілді
status-closed = Жабылды
status-withdrawn = Кері қайтарылды

sign-in = Кіру
sign-in-why = Кірмейінше өтініштер телефонда сақталады; кейін жіберіледі. Нөміріңіз ешкімге көрсетілмейді.
phone = Телефон нөмірі
phone-invalid = Қазақстанның ұялы нөмірін енгізіңіз, мысалы +7 701 234 56 78.
send-code = Код алу
code-sent = { $number } нөміріне код жібердік.
code = SMS-тегі код
change-number = Басқа нөмір

step-photo = Фото немесе бейне
remove = Алып тастау
step-location = Қайда
location-none = Орны көрсетілмеген
location-gps = GPS, дәлдігі { $n } м
location-gps-unknown = GPS
location-address = Мекенжай бойынша
use-my-location = Менің орным
no-fix = GPS орынды анықтамады. Ауданды таңдап, мекенжайды жазыңыз.
no-gps-hint = Бұл құрылғыда GPS жоқ: ауданды таңдап, мекенжайды жазыңыз немесе картадан координаттарды қойыңыз.
poor-fix = Орын дөрекі анықталды: табу үшін мекенжайды қосыңыз.
district = Аудан
choose-district = Ауданды таңдаңыз
address = Мекенжай немесе бағдар
address-placeholder = Көше, үй, кіреберіс, бағдар
coordinates = Немесе картадағы координаттар
coords-invalid = Бұл координаттар емес: «43.2389, 76.8897» түрінде жазыңыз.
step-category = Не болды
categories-after-sync = Санаттар алғашқы синхрондаумен келеді; өтінішті қазір де сақтауға болады.
step-description = Сипаттама (міндетті емес)
description-placeholder = Не дұрыс емес және қашаннан бері?
same-problem = Жақын жерде дәл осындай мәселе бар ма?
same-problem-hint = Бұл өтініштер қалада қаралуда. Сіздікі солардың бірі болса, жаңасын жібермей, соны бақылаңыз.
same-discard = Дәл сол: менікін жібермеу
public-preview = Барлығы не көреді
preview-media = { $n ->
    [0] Фото жоқ
   *[other] { $n } фото немесе бейне
}
preview-private = Атыңыз бен телефон нөміріңіз жарияланбайды.
still-needed = Тағы керек:
need-location = орны
need-category = санаты
need-address = мекенжайы
send = Жіберу
discard = Жобаны жою

agency = Орындаушы мекеме
deadline = Мерзімі
executor = Бригада
answer = Мекеменің жауабы
before = Бұрын
after = Кейін
rejected-why = Неге қабылданбады
reason-not_competence = Мекеменің құзыретінде емес
reason-duplicate = Қайталанған өтініш
reason-private_property = Жеке меншік — жарияланбайды
reason-insufficient_info = Мәлімет жеткіліксіз
reason-not_a_problem = Қалалық мәселе емес
reason-other = Басқа
your-rating = Сіздің бағаңыз:
rate-answer = Жауапты бағалаңыз
low-rating-reopens = 1 немесе 2 баға өтінішті қайта жұмысқа жібереді.
rate-comment = Жұмыс туралы пікіріңіз? (міндетті емес)
rate-send = Бағалау
complain = Жауапқа шағымдану
complain-placeholder = Жауаптың несі дұрыс емес?
complain-send = Шағым жіберу
withdraw = Өтінішті кері қайтару
public-text = Ведомство жария мәтіннен жеке деректерді алып тастады. Бәрі көреді:
my-data = Менің деректерім
export-data = Деректерімді жүктеп алу
export-saved = Сақталды: { $path }
delete-account = Аккаунтымды жою
delete-account-warning = Телефон нөміріңіз, сеанстарыңыз бен пікірлеріңіз жойылады, ал бұл телефон аккаунтыңыз туралы бәрін ұмытады. Өтініштеріңіз сізбен байланысын жоғалтады. Ведомство әлі қарап жатқан өтініштермен не істеу керек?
delete-keep-anonymous = Жасырын қалдыру
delete-withdraw = Кері қайтару
delete-account-confirm = Аккаунтты біржола жою
anonymise = Өтініштен атымды алып тастау
anonymise-warning = Өтініш ведомство мен қалада қалады, бірақ енді сіздікі болмайды: ол тізіміңізден кетеді, жауапты бағалай да, оған шағымдана да алмайсыз.
history = Тарих
refused-because = Сервер қабылдамады: { $reason }

no-news = Жаңалық әзірге жоқ.
no-projects = Қалалық жоба әзірге жоқ.
project-discussion = Талқылануда
project-approved = Бекітілді
project-in_progress = Салынуда
project-done = Аяқталды
project-cancelled = Болдырылмады
stages = Кезеңдер
discussion = Талқылау
no-comments = Пікір әзірге жоқ. Бірінші болыңыз.
discussion-closed = Талқылау жабық.
position-for = Қолдаймын
position-against = Қарсымын
position-neutral = Бейтарап
comment-placeholder = Сіздің пікіріңіз
comment-send = Пікір жазу
comment-queued = жіберуді күтуде
comment-flag = Шағымдану
comment-flag-hint = Қорлау, спам немесе біреудің жеке деректері: модераторлар тексереді. Үш шағым пікірді тексерілгенге дейін жасырады.
comment-flagged = шағым модераторларға жіберілді
reply = Жауап беру
replying = Пікірге жауап.

language = Тіл
server = Сервер
video-wifi-only = Бейнені тек Wi-Fi арқылы жіберу
account = Тіркелгі
sign-out = Шығу
wifi-waiting = { $n } бейне Wi-Fi күтуде
send-anyway = Қазір жіберу
take-photo = Суретке түсіру
record-video = Бейнеге түсіру
from-gallery = Галереядан
locating = Орныңыз анықталуда…
locating-accuracy = Орныңыз анықталуда: әзірге ±{ $n } м…
location-denied = Qala-ға орныңызды анықтауға рұқсат жоқ. Ауданды таңдап, мекенжайды жазыңыз (немесе телефон баптауларында орынға рұқсат беріңіз).
server-change-waiting = { $n } жазба әлі жіберілмеді. Олар жаңа серверге кіргеннен кейін сонда жіберіледі; ескі сервердің өтініштеріне қатысты жазбалар онда қабылданбайды.
server-change-confirm = Бәрібір серверді ауыстыру
server-changed = Сервер ауыстырылды. Оған кіріңіз.

## Notifications (the app's shell); { $number } is the registration number

notify-answered = { $number }: мекеме жауап берді
notify-status = { $number }: { $status }
