//! Light and dark themes: follow the system by default, switchable, remembered per browser.

use leptos::prelude::*;

/// The user's theme choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Follow the operating system's setting.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The value of `data-theme` on `<html>` and in local storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Parses a stored value; anything unknown means [`Theme::System`].
    pub fn parse(value: &str) -> Theme {
        match value {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The next choice when the switch is pressed: system → light → dark → system.
    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    /// The i18n key of the switch's label.
    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "theme.system",
            Theme::Light => "theme.light",
            Theme::Dark => "theme.dark",
        }
    }
}

/// A button that cycles the theme and applies it to the document.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let theme = RwSignal::new(Theme::System);

    // The stored choice is read after hydration (the server rendered "system"), then every
    // change is applied to <html data-theme> and remembered.
    #[cfg(feature = "hydrate")]
    Effect::new(move |loaded: Option<()>| {
        if loaded.is_none()
            && let Some(stored) = browser::load()
        {
            theme.set(stored);
        }
        browser::apply(theme.get());
    });

    view! {
        <button
            type="button"
            class="theme-switch"
            data-testid="theme-switch"
            on:click=move |_| theme.update(|t| *t = t.next())
        >
            {move || crate::i18n::t(theme.get().label())}
        </button>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Theme;

    /// Where the choice is remembered in the browser.
    const STORAGE_KEY: &str = "intraday.theme";

    pub fn load() -> Option<Theme> {
        let storage = web_sys::window()?.local_storage().ok()??;
        storage
            .get_item(STORAGE_KEY)
            .ok()?
            .map(|v| Theme::parse(&v))
    }

    pub fn apply(theme: Theme) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(root) = window.document().and_then(|d| d.document_element()) {
            // Storage and attribute failures only lose the preference, never the page.
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
        if let Ok(Some(storage)) = window.local_storage() {
            let _ = storage.set_item(STORAGE_KEY, theme.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn theme_cycles_through_all_three_and_round_trips() {
        let mut t = Theme::System;
        let mut seen = vec![];
        for _ in 0..3 {
            seen.push(t);
            assert_eq!(Theme::parse(t.as_str()), t);
            t = t.next();
        }
        assert_eq!(t, Theme::System);
        assert_eq!(seen, [Theme::System, Theme::Light, Theme::Dark]);
        assert_eq!(Theme::parse("purple"), Theme::System);
    }
}
