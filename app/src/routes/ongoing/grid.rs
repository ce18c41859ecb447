//! The grid: an accessible table that renders only the rows in view (plus a margin), so 10,000
//! rows cost the DOM of about forty; sortable by any column, columns chosen per user (kept in
//! this browser under their login), arrows move between rows and Enter opens one.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::store::Store;
use super::{Setup, cell_ctx, panel_href};
use crate::i18n::t;
use crate::ongoing::OngoingRow;
use crate::ongoing::view::{self, Column, Ctx, Order};

/// Height of a row (px): fixed, so a row's place follows from its index.
pub const ROW_HEIGHT: f64 = 34.0;
/// Rows rendered above and below the visible ones.
const MARGIN_ROWS: usize = 8;

/// The grid.
#[component]
pub fn Grid(
    /// The ids in order (filtered and sorted).
    ids: Memo<Vec<String>>,
    /// The order.
    order: Memo<Order>,
    /// The shown columns.
    columns: RwSignal<Vec<Column>>,
    /// The page's filters (kept in links).
    filters: Memo<Vec<(String, String)>>,
    /// The grid's setup.
    setup: Setup,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    let selected = RwSignal::new(0usize);
    let scroller = NodeRef::<leptos::html::Div>::new();
    let navigate = use_navigate();
    let path = leptos_router::hooks::use_location().pathname;

    let window = move || {
        let n = ids.with(Vec::len);
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(MARGIN_ROWS);
        let count = (viewport.get() / ROW_HEIGHT).ceil() as usize + 2 * MARGIN_ROWS;
        let first = first.min(n);
        (first, (first + count).min(n), n)
    };
    let keep_in_view = move |i: usize| {
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        let top = i as f64 * ROW_HEIGHT;
        let height = f64::from(el.client_height()) - ROW_HEIGHT;
        let current = f64::from(el.scroll_top());
        if top < current {
            el.set_scroll_top(top as i32);
        } else if top > current + height - ROW_HEIGHT {
            el.set_scroll_top((top - height + ROW_HEIGHT) as i32);
        }
    };
    let open = {
        let navigate = navigate.clone();
        move |id: &str| {
            navigate(
                &panel_href(id, &filters.get_untracked()),
                Default::default(),
            )
        }
    };
    let on_key = {
        let open = open.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let n = ids.with_untracked(Vec::len);
            if n == 0 {
                return;
            }
            let page = (viewport.get_untracked() / ROW_HEIGHT).floor().max(1.0) as usize;
            let current = selected.get_untracked().min(n - 1);
            let next = match ev.key().as_str() {
                "ArrowDown" => (current + 1).min(n - 1),
                "ArrowUp" => current.saturating_sub(1),
                "PageDown" => (current + page).min(n - 1),
                "PageUp" => current.saturating_sub(page),
                "Home" => 0,
                "End" => n - 1,
                "Enter" => {
                    ev.prevent_default();
                    if let Some(id) = ids.with_untracked(|ids| ids.get(current).cloned()) {
                        open(&id);
                    }
                    return;
                }
                _ => return,
            };
            ev.prevent_default();
            selected.set(next);
            keep_in_view(next);
        }
    };
    let heading = move |c: Column| {
        let sorted = move || match order.get() {
            Order::By(col, true) if col == c => "ascending",
            Order::By(col, false) if col == c => "descending",
            _ => "none",
        };
        let navigate = navigate.clone();
        let sort = move |_| {
            let next = match order.get_untracked() {
                Order::By(col, true) if col == c => Order::By(c, false),
                Order::By(col, false) if col == c => Order::Attention,
                _ => Order::By(c, true),
            };
            let value = next.param().unwrap_or_default();
            // The same path: an open panel stays open.
            let url = format!(
                "{}{}",
                path.get_untracked(),
                crate::components::filter_bar::with_param(&filters.get_untracked(), "sort", &value)
            );
            navigate(&url, Default::default());
        };
        view! {
            <th scope="col" aria-sort=sorted data-col=c.as_str()>
                <button type="button" class="sort" on:click=sort data-testid=format!("sort-{}", c.as_str())>
                    {t(c.key())}
                </button>
            </th>
        }
    };
    let rows = move || {
        let (first, last, _) = window();
        let cols = columns.get();
        let sel = selected.get();
        let now = store.now.get();
        let tz = crate::format::time_zone(
            filters
                .with(|f| f.iter().find(|(k, _)| k == "tz").map(|(_, v)| v.clone()))
                .as_deref(),
        );
        ids.with(|ids| {
            store.grid.with(|g| {
                let ctx = cell_ctx(g, &setup, now);
                ids[first..last]
                    .iter()
                    .enumerate()
                    .filter_map(|(k, id)| g.rows.get(id).map(|r| (first + k, r)))
                    .map(|(i, r)| {
                        row_view(r, i, i == sel, &cols, &ctx, tz, &filters.get_untracked())
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <div
            class="grid-scroll"
            node_ref=scroller
            tabindex="0"
            role="region"
            aria-label=t("ongoing.title")
            data-testid="grid"
            on:scroll=move |_| {
                if let Some(el) = scroller.get_untracked() {
                    scroll_top.set(f64::from(el.scroll_top()));
                    viewport.set(f64::from(el.client_height()));
                }
            }
            on:keydown=on_key
            on:focus=move |_| {
                if let Some(el) = scroller.get_untracked() {
                    viewport.set(f64::from(el.client_height()));
                }
            }
        >
            <table class="grid" role="grid" aria-rowcount=move || window().2 + 1 aria-label=t("ongoing.title")>
                <thead>
                    <tr aria-rowindex="1">
                        {move || columns.get().into_iter().map(&heading).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true" style:height=move || format!("{}px", window().0 as f64 * ROW_HEIGHT)></tr>
                    {rows}
                    <tr class="spacer" aria-hidden="true" style:height=move || {
                        let (_, last, n) = window();
                        format!("{}px", (n - last) as f64 * ROW_HEIGHT)
                    }></tr>
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn row_view(
    r: &OngoingRow,
    index: usize,
    selected: bool,
    columns: &[Column],
    ctx: &Ctx<'_>,
    tz: chrono_tz::Tz,
    filters: &[(String, String)],
) -> impl IntoView + use<> {
    let href = panel_href(&r.id, filters);
    let label = crate::i18n::fill(t("ongoing.row_label"), &[&r.id, &r.customer_name]);
    let cells = columns
        .iter()
        .map(|c| cell(r, *c, ctx, tz, &href))
        .collect_view();
    view! {
        <tr
            aria-rowindex=index + 2
            aria-selected=selected.to_string()
            aria-label=label
            class:selected=selected
            class:attention=!view::reasons(r, ctx).is_empty()
            data-testid="row"
            data-id=r.id.clone()
        >
            {cells}
        </tr>
    }
}

fn cell(r: &OngoingRow, c: Column, ctx: &Ctx<'_>, tz: chrono_tz::Tz, href: &str) -> AnyView {
    let text = view::cell_text(r, c, ctx, tz);
    let col = c.as_str();
    match c {
        Column::Status => {
            let s = view::status_name(r);
            view! {
                <td data-col=col>
                    <span class=format!("badge status-{s}")>{t(view::status_key(s))}</span>
                    {view::is_stuck(r, ctx).then(|| view! { <span class="badge stuck">{t("ongoing.stuck")}</span> })}
                </td>
            }
            .into_any()
        }
        Column::Customer => view! {
            <td data-col=col class="text" title=r.customer_name.clone()>
                // Isolated: a right-to-left or override mark in a name stays inside it.
                <a href=href.to_owned()><bdi>{text}</bdi></a>
            </td>
        }
        .into_any(),
        Column::Breach => {
            let level = match view::breach_in_ms(r, ctx) {
                Some(left) if left <= 0 => "bad",
                Some(left) if left * 4 <= i64::from((ctx.service_level)(&r.queue_id)) * 1_000 => {
                    "warn"
                }
                _ => "",
            };
            view! { <td data-col=col class=format!("num {level}")>{text}</td> }.into_any()
        }
        Column::Sentiment => {
            let level = if r.sentiment_known && r.sentiment <= ctx.negative_at {
                "bad"
            } else if r.sentiment_known && r.sentiment < 0 {
                "warn"
            } else {
                ""
            };
            view! { <td data-col=col class=format!("num {level}")>{text}</td> }.into_any()
        }
        Column::Escalation => {
            let key = r.escalation.as_ref().map(|e| match e.kind {
                crate::model::event::EscalationKind::Agent => "ongoing.escalation_agent",
                crate::model::event::EscalationKind::Customer => "ongoing.escalation_customer",
            });
            view! {
                <td data-col=col class:bad=r.open_escalation>
                    {key.map(|k| view! { <span class="badge escalation" title=r.escalation.as_ref().and_then(|e| e.note.clone()).unwrap_or_default()>"⚑ "{t(k)}</span> })}
                </td>
            }
            .into_any()
        }
        Column::Subject | Column::Agent | Column::Monitors | Column::Id | Column::Queue => {
            view! { <td data-col=col class="text" title=text.clone()>{text.clone()}</td> }
                .into_any()
        }
        _ => view! { <td data-col=col class="num">{text}</td> }.into_any(),
    }
}
