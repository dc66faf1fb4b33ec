//! The city's districts. They serve twice: a resident without a GPS fix picks one and the report
//! carries its centre with an honest accuracy radius (marked as an address, never a fake fix); and the
//! server files every report under the district nearest its point, so that a phone can hold only the
//! public reports of the districts its resident chose (see `sync`, scopes). These are Almaty's eight
//! districts (the demo city); a report is filed under the district whose centre is nearest, which is a
//! coarse stand-in for the districts' real borders.

/// What a phone's scope names to follow every district of the city (and the reports outside them).
pub const WHOLE_CITY: &str = "*";

/// A district: code, names (kk, ru, en), centre and the radius that covers most of it.
pub struct Area {
    pub code: &'static str,
    pub name: [&'static str; 3],
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f32,
}

pub const AREAS: [Area; 8] = [
    Area {
        code: "alatau",
        name: ["Алатау ауданы", "Алатауский район", "Alatau district"],
        lat: 43.285,
        lon: 76.800,
        radius_m: 5000.0,
    },
    Area {
        code: "almaly",
        name: ["Алмалы ауданы", "Алмалинский район", "Almaly district"],
        lat: 43.252,
        lon: 76.912,
        radius_m: 2500.0,
    },
    Area {
        code: "auezov",
        name: ["Әуезов ауданы", "Ауэзовский район", "Auezov district"],
        lat: 43.225,
        lon: 76.845,
        radius_m: 3500.0,
    },
    Area {
        code: "bostandyk",
        name: ["Бостандық ауданы", "Бостандыкский район", "Bostandyk district"],
        lat: 43.205,
        lon: 76.905,
        radius_m: 4500.0,
    },
    Area {
        code: "zhetysu",
        name: ["Жетісу ауданы", "Жетысуский район", "Zhetysu district"],
        lat: 43.290,
        lon: 76.935,
        radius_m: 3500.0,
    },
    Area {
        code: "medeu",
        name: ["Медеу ауданы", "Медеуский район", "Medeu district"],
        lat: 43.245,
        lon: 76.975,
        radius_m: 5000.0,
    },
    Area {
        code: "nauryzbay",
        name: ["Наурызбай ауданы", "Наурызбайский район", "Nauryzbay district"],
        lat: 43.195,
        lon: 76.790,
        radius_m: 5000.0,
    },
    Area {
        code: "turksib",
        name: ["Түрксіб ауданы", "Турксибский район", "Turksib district"],
        lat: 43.345,
        lon: 76.975,
        radius_m: 5000.0,
    },
];

impl Area {
    pub fn name(&self, lang: crate::Lang) -> &'static str {
        match lang {
            crate::Lang::Kk => self.name[0],
            crate::Lang::Ru => self.name[1],
            crate::Lang::En => self.name[2],
        }
    }
}

pub fn find(code: &str) -> Option<&'static Area> {
    AREAS.iter().find(|a| a.code == code)
}

/// The district a point is filed under: the one whose centre is nearest (in the plane of the
/// city, where a degree of longitude is shorter than one of latitude), if the point is within three
/// of its radii — farther out it is outside the city's districts. `None` for a city without
/// districts, too.
pub fn nearest(lat: f64, lon: f64) -> Option<&'static Area> {
    let shrink = lat.to_radians().cos();
    let d2 = |a: &Area| {
        let (dy, dx) = (a.lat - lat, (a.lon - lon) * shrink);
        dy * dy + dx * dx
    };
    let a = AREAS.iter().min_by(|a, b| d2(a).total_cmp(&d2(b)))?;
    (crate::distance_m(lat, lon, a.lat, a.lon) <= 3.0 * f64::from(a.radius_m)).then_some(a)
}

/// The code of the district a point is filed under; empty in a city without districts.
pub fn code_of(lat: f64, lon: f64) -> &'static str {
    nearest(lat, lon).map_or("", |d| d.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_centre_is_filed_under_its_own_district_and_far_away_under_none() {
        for a in &AREAS {
            assert_eq!(nearest(a.lat, a.lon).map(|n| n.code), Some(a.code));
        }
        assert_eq!(code_of(51.17, 71.45), "", "Astana is outside Almaty's districts");
    }

    #[test]
    fn codes_are_unique_and_plain() {
        for (i, a) in AREAS.iter().enumerate() {
            assert!(a.code.bytes().all(|b| b.is_ascii_lowercase()), "{}", a.code);
            assert!(AREAS[i + 1..].iter().all(|b| b.code != a.code), "{}", a.code);
            assert_eq!(find(a.code).map(|f| f.code), Some(a.code));
        }
    }
}
