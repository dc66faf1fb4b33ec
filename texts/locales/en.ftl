# Qala in English: every text the resident's app, its notifications, the operator
# console and the public statistics page show. One file per language; every file has every key.

## The resident's app (qala-ui), and the words the others share: status-*, reason-*

outside-app = This screen runs inside the Qala app.
loading = Loading…
not-found = Not found.
back = Back
cancel = Cancel
saved = Saved.
me = Me
tab-reports = Reports
tab-news = News
tab-projects = Projects
tab-settings = Settings

sync-signed-out = Not signed in: tap to sign in and send
sync-signed-out-waiting = { $n ->
    [one] 1 item waits: tap to sign in and send it
   *[other] { $n } items wait: tap to sign in and send them
}
sync-uploading = Uploading… { $percent }%
sync-offline = Offline — everything is kept on the phone
sync-offline-waiting = Offline — { $n ->
    [one] 1 item will be sent
   *[other] { $n } items will be sent
} when the network is back
sync-waiting = { $n ->
    [one] 1 item waiting to be sent
   *[other] { $n } items waiting to be sent
}
sync-last = Synced { $time }
sync-never = Not synced yet
sync-failed = { $n ->
    [one] 1 problem
   *[other] { $n } problems
}

report-problem = Report a problem
my-reports = My reports
no-reports = No reports yet. Seen a pothole, a broken lamp or rubbish? Report it.
number-pending = No number yet
days-left = { $n ->
    [one] 1 day left
   *[other] { $n } days left
}
due-today = due today
overdue-by = overdue by { $n ->
    [one] 1 day
   *[other] { $n } days
}

status-queued = Waiting to be sent
status-submitted = Sent
status-refused = Refused by the server
status-registered = Registered
status-assigned = Assigned
status-in_progress = In progress
status-done = Answered
status-rejected = Rejected
status-reopened = Reopened
status-closed = Closed
status-withdrawn = Withdrawn

sign-in = Sign in
sign-in-why = Reports are kept on the phone until you sign in; then they are sent. Your number is never shown to anyone.
phone = Phone number
phone-invalid = Enter a Kazakhstan mobile number, like +7 701 234 56 78.
send-code = Send code
code-sent = We sent a code to { $number }.
code = Code from the SMS
change-number = Another number

step-photo = Photo or video
remove = Remove
step-location = Where
location-none = No location yet
location-gps = GPS, accurate to { $n } m
location-gps-unknown = GPS
location-address = By address
use-my-location = Use my location
no-fix = No GPS fix. Choose the district and type the address.
no-gps-hint = This device has no GPS: choose the district and type the address, or paste coordinates from a map.
poor-fix = The fix is rough: add the address so they find the place.
district = District
choose-district = Choose the district
address = Address or landmark
address-placeholder = Street, house, entrance, landmark
coordinates = Or coordinates from a map
coords-invalid = These are not coordinates: use “43.2389, 76.8897”.
step-category = What
categories-after-sync = Categories arrive with the first sync; you can still save this report.
step-description = Description (optional)
description-placeholder = What is wrong, and since when?
same-problem = Same problem nearby?
same-problem-hint = These reports are already with the city. If yours is one of them, follow it instead of sending another.
same-discard = It is the same: don’t send mine
public-preview = What everyone will see
preview-media = { $n ->
    [0] No photos
    [one] 1 photo or video
   *[other] { $n } photos or videos
}
preview-private = Your name and phone number are not published.
still-needed = Still needed:
need-location = the place
need-category = the category
need-address = the address
send = Send
discard = Discard this draft

agency = Agency
deadline = Deadline
executor = Executor
answer = The agency’s answer
before = Before
after = After
rejected-why = Why it was rejected
reason-not_competence = Not this agency’s responsibility
reason-duplicate = Duplicate report
reason-private_property = Private property
reason-insufficient_info = Not enough information
reason-not_a_problem = Not a city problem
reason-other = Other
your-rating = Your rating:
rate-answer = Rate the answer
low-rating-reopens = A rating of 1 or 2 sends the report back to the agency.
rate-comment = What do you think of the work? (optional)
rate-send = Rate
complain = Complain about the answer
complain-placeholder = What is wrong with the answer?
complain-send = Send complaint
withdraw = Withdraw this report
history = History
refused-because = The server refused it: { $reason }

no-news = No news yet.
no-projects = No city projects yet.
project-discussion = Under discussion
project-approved = Approved
project-in_progress = Being built
project-done = Finished
project-cancelled = Cancelled
stages = Stages
discussion = Discussion
no-comments = No comments yet. Be the first.
discussion-closed = The discussion is closed.
position-for = For
position-against = Against
position-neutral = Neutral
comment-placeholder = Your opinion
comment-send = Comment
comment-queued = waiting to be sent
comment-flag = Report
comment-flag-hint = Abuse, spam or someone's personal data: moderators will look. Three reports hide a comment until they do.
comment-flagged = reported to moderators
reply = Reply
replying = Replying to a comment.

language = Language
server = Server
video-wifi-only = Send videos only over Wi-Fi
account = Account
sign-out = Sign out
wifi-waiting = { $n ->
    [one] 1 video waits for Wi-Fi
   *[other] { $n } videos wait for Wi-Fi
}
send-anyway = Send now anyway
take-photo = Take a photo
record-video = Record a video
from-gallery = From the gallery
locating = Finding your location…
locating-accuracy = Finding your location: ±{ $n } m so far…
location-denied = Qala may not use your location. Choose the district and type the address (or allow location in the phone's settings).
server-change-waiting = { $n ->
    [one] 1 item has not been sent yet.
   *[other] { $n } items have not been sent yet.
} They will go to the new server after you sign in there; anything about reports of the old server will be refused there.
server-change-confirm = Change the server anyway
server-changed = Server changed. Sign in to it.

## Notifications (the app's shell); { $number } is the registration number

notify-answered = { $number }: the agency answered
notify-status = { $number }: { $status }

## The operator console (qala-server, /console)

console-nav-queue = Queue
console-nav-escalation = Overdue
console-nav-catalog = Categories and agencies
console-nav-staff = Staff
console-nav-news = News
console-nav-projects = City projects
console-nav-comments = Comment moderation
console-nav-holidays = Holidays
console-nav-logout = Sign out
console-nav-language = Language
console-login-title = Operator sign-in
console-login-login = Login
console-login-password = Password
console-login-submit = Sign in
console-login-failed = Wrong login or password.
console-login-limited = Too many failed attempts. Try again in 15 minutes.
console-queue-title = Report queue
console-queue-total = Found
console-queue-empty = No reports match this filter.
console-queue-routed = The report went to another agency; the resident will see it.
console-queue-number = Registration number
console-queue-open = Open
console-queue-no_number = No report in your queue has the number
console-queue-overdue = Overdue
console-filter-status = Status
console-filter-category = Category
console-filter-overdue = Overdue only
console-filter-from = Registered from
console-filter-to = to
console-filter-any = Any
console-filter-apply = Show
console-filter-reset = Reset
console-col-number = Number
console-col-category = Category
console-col-agency = Agency
console-col-address = Address
console-col-age = Age
console-col-deadline = Deadline
console-col-status = Status
console-age-d = d
console-age-h = h
console-unit-m = m
console-page-prev = Previous
console-page-next = Next
console-escalation-title = Overdue reports
console-escalation-none = Nothing is overdue or due by the end of the next working day.
console-escalation-note = Overdue (red), and due by the end of the next working day (amber).
console-escalation-late = Overdue
console-escalation-soon = Due soon
console-escalation-late_by = Late by, working days
console-report-registered = Registered
console-report-executor = Executor
console-report-description = Description
console-report-location = Location
console-report-open_map = Open on a map
console-report-media = The resident's photos and video
console-report-media_pending = Not uploaded yet
console-report-photo = Photo
console-report-answer = The agency's answer
console-report-rejection = Rejected
console-report-rating = The resident's rating
console-report-complaints = Complaints
console-report-history = History
console-report-time = Time
console-report-by = By
console-report-note = Note
console-report-saved = Saved. The resident sees it at the next sync.
console-act-title = Actions
console-act-closed = The report is closed: no actions.
console-act-answer = Answer
console-act-answer_text = What was done
console-act-photos = Photo report (up to 5 files)
console-act-photo_required = An answer needs a photo report: the resident compares it with their own photo.
console-act-compare = The resident's photo, to compare with:
console-report-nearby = Open reports of this category nearby (possible duplicates)
console-act-reject = Reject
console-act-reject_reason = Reason
console-act-reject_text = Explanation for the resident
console-act-assign = Assign an executor
console-act-executor = Brigade, contractor or employee
console-act-note = Note (optional)
console-act-start = Start work
console-act-route = Route to another agency
console-act-route_to = Agency
console-role-resident = Resident
console-role-operator = Operator
console-role-admin = Administrator
console-role-system = System
console-error-title = Not done
console-error-back = Back to the queue
console-error-internal = Server error; it has been logged.
console-error-csrf = The form is stale or came from another site. Reload the page and try again.
console-error-admin_only = For administrators only.
console-error-no_report = No such report.
console-common-save = Save
console-common-add = Add
console-common-delete = Delete
console-field-code = Code (a–z, 0–9, _)
console-field-name_kk = Name (Kazakh)
console-field-name_ru = Name (Russian)
console-field-name_en = Name (English)
console-catalog-note = Changes apply to new reports at once; residents get them at their next sync. Deadlines already set do not change.
console-catalog-agencies = Agencies
console-catalog-categories = Categories
console-catalog-new_agency = New agency
console-catalog-new_category = New category
console-catalog-days = Deadline, working days
console-catalog-icon = Icon
console-catalog-active = Takes reports
console-catalog-inactive = takes no reports
console-staff-login = Login
console-staff-name = Name
console-staff-role = Role
console-staff-disabled = Disabled
console-staff-new_password = New password
console-staff-disable = Disable
console-staff-create = Add a staff member
console-staff-created = The password is shown this once; hand it over:
console-staff-password_note = The server makes the password and shows it once. An operator needs an agency; an administrator has none.
console-news-headline = Title
console-news-body = Text
console-news-date = Date
console-news-published = Published
console-news-draft = Not published
console-news-publish = Publish
console-news-unpublish = Unpublish
console-news-publish_now = Publish at once
console-news-edit = Edit news
console-news-create = Add news
console-projects-create = Add a project
console-projects-description = Description
console-projects-stages = Stages
console-projects-discussion_until = Discussion until (date)
console-projects-stages_help = Stages: one per line, “Kazakh | Russian | English”; put + before a stage that is done.
console-comments-none = No comments.
console-comments-author = Author
console-comments-text = Comment
console-comments-flags = Flags
console-comments-hidden = Hidden
console-comments-visible = Visible
console-comments-pending = Waiting for a moderator
console-comments-reason = Reason for hiding
console-comments-hide = Hide
console-comments-restore = Restore
console-comments-keep = No violation
console-holidays-note = Deadlines count working days. A change applies to new deadlines; those already set do not change.
console-holidays-date = Date
console-holidays-name = Name
console-holidays-kind = Kind
console-holidays-off = Day off
console-holidays-working = Working day (transferred)
console-holidays-working_hint = Not a day off but a transferred working day
console-holidays-add = Add a day

## The public statistics page (qala-server, /stats)

stats-title = Qala: report statistics
stats-received = Received
stats-in-progress = In progress
stats-overdue = Overdue
stats-on-time = On time
stats-hours-to-answer = Hours to answer (median)
stats-last-30-days = Last 30 days
stats-all-time = All time
stats-total = Total
stats-categories = Categories
stats-agencies = Agencies
