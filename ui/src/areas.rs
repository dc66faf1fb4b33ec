//! The city's districts, for a location without a GPS fix: the resident picks the district and types
//! the address, and the report carries the district's centre with an honest accuracy radius, marked
//! as an address (never a fake fix). Operators route by the address text; the point only places the
//! report on the map roughly. These are Almaty's eight districts (the demo city).

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
    pub fn name(&self, lang: qala_protocol::Lang) -> &'static str {
        match lang {
            qala_protocol::Lang::Kk => self.name[0],
            qala_protocol::Lang::Ru => self.name[1],
            qala_protocol::Lang::En => self.name[2],
        }
    }
}

pub fn find(code: &str) -> Option<&'static Area> {
    AREAS.iter().find(|a| a.code == code)
}

/// The glyph a category's icon name stands for (no icon font to download).
pub fn icon(name: &str) -> &'static str {
    match name {
        "broom" => "🧹",
        "trash" => "🗑️",
        "dump" => "🚯",
        "street" => "🛣️",
        "road" => "🚧",
        "sidewalk" => "🚶",
        "lamp" => "💡",
        "water" => "🌊",
        "manhole" => "⚠️",
        "elevator" => "🛗",
        "dog" => "🐕",
        "tree" => "🌳",
        "tree_warning" => "🌲",
        "bus" => "🚌",
        "traffic_light" => "🚦",
        "playground" => "🛝",
        "house" => "🏠",
        "radiator" => "🔥",
        "tap" => "🚰",
        "snow" => "❄️",
        "crane" => "🏗️",
        _ => "📍",
    }
}
