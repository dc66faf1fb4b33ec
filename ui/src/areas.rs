//! What the screens add to the city's districts (`qala_protocol::districts`): the glyphs of the
//! categories' icons.

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
