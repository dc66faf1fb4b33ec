-- Public reports get a table of their own, with the columns the screens search by: "same problem
-- nearby?" (category, open, a latitude band) and the city feed (newest first). The pull is scoped
-- now (see the README, "Pull (scoped)"): a phone holds only the reports of its districts that are
-- open or recently settled, and its cursor is a text the server gives.
CREATE TABLE public_reports (
    id            TEXT PRIMARY KEY,
    district      TEXT NOT NULL,
    category      TEXT NOT NULL,
    open          INTEGER NOT NULL,
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    registered_at TEXT NOT NULL,
    data          TEXT NOT NULL
);
CREATE INDEX public_reports_near ON public_reports(category, open, lat);
CREATE INDEX public_reports_feed ON public_reports(registered_at, id);
CREATE INDEX public_reports_district ON public_reports(district);

-- The public reports pulled before move out of `entities` by being pulled again: the cursor (a
-- number, every row up to it) becomes the same place in the city's bucket; the buckets it does not
-- name (my own reports, the districts) start with a snapshot, which also brings my reports again.
DELETE FROM entities WHERE kind = 'public_report';
UPDATE meta SET value = 'city:' || value WHERE key = 'cursor' AND value <> '0';
