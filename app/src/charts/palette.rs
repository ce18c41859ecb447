//! The charts' colours. Every fill has at least 3:1 contrast (WCAG 1.4.11) against both the
//! light (#ffffff) and dark (#161b22) card surfaces; text and axes use `currentColor`.

use plotters::style::RGBColor;

/// Drawn as this, then rewritten to `currentColor` so text and axes follow the theme.
pub const INK: RGBColor = RGBColor(1, 2, 3);
/// How [`INK`] appears in plotters' SVG output.
pub const INK_HEX: &str = "#010203";

/// Incoming conversations, and single-series bars.
pub const BLUE: RGBColor = RGBColor(0x2F, 0x7F, 0xD0);
/// Closed conversations, offline agents, neutral sentiment.
pub const GREY: RGBColor = RGBColor(0x7D, 0x85, 0x90);
/// Open (in queue), busy, the service level target.
pub const AMBER: RGBColor = RGBColor(0xC2, 0x7C, 0x0E);
/// Waiting, away.
pub const PURPLE: RGBColor = RGBColor(0x8B, 0x6F, 0xD6);
/// Wrap-up, mildly positive sentiment.
pub const TEAL: RGBColor = RGBColor(0x1B, 0x9A, 0xAA);
/// Available, free capacity, positive sentiment.
pub const GREEN: RGBColor = RGBColor(0x2D, 0xA4, 0x4E);
/// Busy (do not disturb), very negative sentiment.
pub const RED: RGBColor = RGBColor(0xE5, 0x53, 0x4B);
/// Negative sentiment.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Very positive sentiment.
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);

/// A conversation status's colour (the same as the grid's badges).
pub fn status(key: &str) -> RGBColor {
    match key {
        "open" => AMBER,
        "active" => BLUE,
        "waiting" => PURPLE,
        "wrap_up" => TEAL,
        _ => GREY,
    }
}

/// An agent presence's colour.
pub fn presence(key: &str) -> RGBColor {
    match key {
        "available" => GREEN,
        "busy" => AMBER,
        "busy_dnd" => RED,
        "away" => PURPLE,
        _ => GREY,
    }
}

/// A sentiment score's colour, red (−3) through grey (0) to green (+3).
pub fn sentiment(score: i8) -> RGBColor {
    match score {
        ..=-3 => RED,
        -2 => VERMILLION,
        -1 => AMBER,
        0 => GREY,
        1 => TEAL,
        2 => GREEN,
        _ => BLUISH_GREEN,
    }
}
