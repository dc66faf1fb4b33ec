# Qala in English: every text the resident's app and its notifications show (the console's
# and the statistics page's are in staff/en.ftl). One file per language; every file has every key.

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
tab-city = City
find-number-hint = Report number, e.g. ALA-2026-000123
find = Find
no-city-reports = No reports of the districts you follow yet. Choose districts in Settings.
load-more = Older reports
districts-followed = Districts I follow
districts-followed-hint = Their open and recently settled reports are kept on the phone, for the city feed and "same problem nearby?" without a network.
whole-city = The whole city

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
reason-private_property = Private property — not published
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
public-text = The agency hid personal details from the public text. Everyone sees:
my-data = My data
export-data = Download my data
export-saved = Saved: { $path }
delete-account = Delete my account
delete-account-warning = Your phone number, sessions and comments will be deleted, and this phone will forget everything of your account. Your reports lose your name. What should happen to reports the agency still works on?
delete-keep-anonymous = Keep them, anonymous
delete-withdraw = Withdraw them
delete-account-confirm = Delete my account for good
anonymise = Remove my name from this report
anonymise-warning = The report stays for the agency and the city, but it will no longer be yours: it leaves your list, and you cannot rate it or complain about the answer.
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
