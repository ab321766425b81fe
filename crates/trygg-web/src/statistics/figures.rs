//! Published tables as a page shows them: a bar chart drawn on the server as SVG, a summary
//! in words, and the numbers in a table. A suppressed count is shown as suppressed, never as
//! zero, and never as a bar.

use trygg_domain::statistics::{Comparison, TableView};

use crate::i18n::Lang;

/// The wide chart's drawing area, in the SVG's own units: labels on the left, bars to the
/// right, room for the value after the longest bar.
const WIDTH: u32 = 740;
const LABEL_WIDTH: u32 = 310;
const BAR_SPACE: u32 = 340;
/// Labels longer than this are shortened in the chart (the table beside has them whole).
const LABEL_CHARS: usize = 40;
const ROW_HEIGHT: u32 = 26;
const BAR_HEIGHT: u32 = 16;
/// The narrow chart, for a phone: each label on its own line above its bar, drawn at about
/// the screen's width so that its text stays the page's size rather than shrinking to 6 px.
const NARROW_WIDTH: u32 = 300;
const NARROW_BAR_SPACE: u32 = 230;
const NARROW_ROW_HEIGHT: u32 = 46;
/// A previous period's mark never sits on the axis, where a zero would hide it.
const MARK_MIN_X: u32 = 3;
/// A change is given in per cent only from this many cases the period before: 3 → 16 is
/// "+13", not "+433 %".
const MIN_FOR_PERCENT: u64 = 20;

/// A table with its chart: what a page shows for each published table.
#[derive(Debug)]
pub struct Figure {
    /// Unique on the page: the chart's title and summary are named by it.
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The chart wide and narrow.
    pub charts: [Chart; 2],
    pub grid: Grid,
    /// The period shown and the one compared with, in words, where the page knows them: the
    /// legend names them.
    pub periods: Option<(String, String)>,
}

/// Horizontal bars, one per category, with the previous period's as a mark where compared;
/// drawn twice, wide and narrow, and the page shows the one that fits.
#[derive(Debug)]
pub struct Chart {
    /// `wide` or `narrow`: which screens it is for, and part of its ids.
    pub fit: &'static str,
    pub width: u32,
    pub height: u32,
    pub axis_x: u32,
    pub bars: Vec<Bar>,
    pub compared: bool,
}

#[derive(Debug)]
pub struct Bar {
    pub label: String,
    pub label_x: u32,
    pub label_y: u32,
    /// `end` beside the bar (wide), `start` above it (narrow).
    pub label_anchor: &'static str,
    /// The baseline of the value's text, and the bar's top.
    pub text_y: u32,
    pub bar_y: u32,
    pub width: u32,
    pub value: String,
    pub value_x: u32,
    pub suppressed: bool,
    /// Where the previous period's count is marked, if it was published.
    pub previous_x: Option<u32>,
}

/// A table: a header row, then one row per category (the total last).
#[derive(Debug)]
pub struct Grid {
    pub corner: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug)]
pub struct Row {
    pub label: String,
    pub total: bool,
    pub cells: Vec<Cell>,
}

#[derive(Debug)]
pub struct Cell {
    pub text: String,
    pub suppressed: bool,
}

/// One bar's worth: a category and its count, compared with the previous period's where it
/// is.
#[derive(Debug)]
pub struct Point {
    pub label: String,
    pub count: Option<u64>,
    /// The count per 100 000 inhabitants, where the catalogue has the population.
    pub rate: Option<f64>,
    pub previous: Option<Comparison>,
}

impl Point {
    fn previous_count(&self) -> Option<u64> {
        self.previous.as_ref().and_then(|previous| previous.count)
    }
}

/// Names the categories of a table's dimensions in the page's language.
pub trait Labels {
    fn dimension(&self, code: &str) -> String;
    fn category(&self, dimension: &str, code: &str, label: &str) -> String;
}

impl Figure {
    /// A figure of a published table of one or two dimensions: bars over the first
    /// dimension's categories (their totals over the second), the table in full.
    pub fn of_table(
        id: &str,
        title: String,
        table: &TableView,
        lang: Lang,
        labels: &impl Labels,
    ) -> Figure {
        let first = &table.dimensions[0];
        let columns = table.dimensions.get(1).map_or(1, |d| d.categories.len());
        let points: Vec<Point> = first
            .categories
            .iter()
            .enumerate()
            .map(|(row, category)| {
                // The row's total: its cell in the second dimension's last (`total`) category.
                let cell = &table.cells[row * columns + columns - 1];
                Point {
                    label: labels.category(&first.id, &category.code, &category.label),
                    count: cell.count,
                    rate: cell.rate,
                    previous: cell.previous.clone(),
                }
            })
            .collect();
        let corner = labels.dimension(&first.id);
        let Some(second) = table.dimensions.get(1) else {
            return Figure::of_points(id, title, corner, points, lang);
        };
        let grid = Grid {
            corner,
            columns: second
                .categories
                .iter()
                .map(|c| labels.category(&second.id, &c.code, &c.label))
                .collect(),
            rows: points
                .iter()
                .enumerate()
                .map(|(row, point)| Row {
                    label: point.label.clone(),
                    total: row + 1 == points.len(),
                    cells: table.cells[row * columns..(row + 1) * columns]
                        .iter()
                        .map(|cell| Cell::count(lang, cell.count))
                        .collect(),
                })
                .collect(),
        };
        Figure::new(id, title, points, grid, lang)
    }

    /// A figure of categories and their counts, the total last: a row each with the count,
    /// and where compared the previous period's count and the change.
    pub fn of_points(
        id: &str,
        title: String,
        corner: String,
        points: Vec<Point>,
        lang: Lang,
    ) -> Figure {
        let grid = Grid::compared(lang, corner, &points);
        Figure::new(id, title, points, grid, lang)
    }

    fn new(id: &str, title: String, points: Vec<Point>, grid: Grid, lang: Lang) -> Figure {
        let compared = points.iter().any(|point| point.previous.is_some());
        // Every dimension ends with its total, which the bars leave out.
        let bars = &points[..points.len().saturating_sub(1)];
        Figure {
            id: id.to_owned(),
            title,
            summary: summary(lang, &points),
            charts: [
                Chart::wide(bars, compared, lang),
                Chart::narrow(bars, compared, lang),
            ],
            grid,
            periods: None,
        }
    }
}

/// Where a chart puts a row's parts, given its top and its bar's width.
struct Geometry {
    fit: &'static str,
    width: u32,
    axis_x: u32,
    bar_space: u32,
    row_height: u32,
    /// The label's position and anchor, and the bar's top, from the row's top.
    label: fn(u32) -> (u32, u32, &'static str),
    bar_top: fn(u32) -> u32,
}

impl Chart {
    fn wide(points: &[Point], compared: bool, lang: Lang) -> Chart {
        let geometry = Geometry {
            fit: "wide",
            width: WIDTH,
            axis_x: LABEL_WIDTH,
            bar_space: BAR_SPACE,
            row_height: ROW_HEIGHT,
            label: |top| (LABEL_WIDTH - 8, top + BAR_HEIGHT - 3, "end"),
            bar_top: |top| top,
        };
        Chart::drawn(&geometry, points, compared, lang)
    }

    fn narrow(points: &[Point], compared: bool, lang: Lang) -> Chart {
        let geometry = Geometry {
            fit: "narrow",
            width: NARROW_WIDTH,
            axis_x: 1,
            bar_space: NARROW_BAR_SPACE,
            row_height: NARROW_ROW_HEIGHT,
            label: |top| (1, top + 14, "start"),
            bar_top: |top| top + 21,
        };
        Chart::drawn(&geometry, points, compared, lang)
    }

    fn drawn(geometry: &Geometry, points: &[Point], compared: bool, lang: Lang) -> Chart {
        let largest = points
            .iter()
            .flat_map(|point| [point.count, point.previous_count()])
            .flatten()
            .max()
            .unwrap_or(0)
            .max(1);
        let scale = |count: u64| (count * u64::from(geometry.bar_space) / largest) as u32;
        let bars = points
            .iter()
            .enumerate()
            .map(|(row, point)| {
                let top = row as u32 * geometry.row_height + 4;
                let (label_x, label_y, label_anchor) = (geometry.label)(top);
                let bar_y = (geometry.bar_top)(top);
                let width = point.count.map_or(0, scale);
                Bar {
                    label: shortened(&point.label),
                    label_x,
                    label_y,
                    label_anchor,
                    text_y: bar_y + BAR_HEIGHT - 3,
                    bar_y,
                    width,
                    value: Cell::count(lang, point.count).text,
                    value_x: geometry.axis_x + width + 6,
                    suppressed: point.count.is_none(),
                    previous_x: point
                        .previous_count()
                        .map(|count| geometry.axis_x + scale(count).max(MARK_MIN_X)),
                }
            })
            .collect::<Vec<_>>();
        Chart {
            fit: geometry.fit,
            width: geometry.width,
            height: bars.len() as u32 * geometry.row_height + 8,
            axis_x: geometry.axis_x,
            bars,
            compared,
        }
    }

    pub fn bar_height(&self) -> u32 {
        BAR_HEIGHT
    }
}

impl Grid {
    /// One row per point: the count, and where compared the previous period's and the change;
    /// then, where the population is known, the rates per 100 000 inhabitants.
    fn compared(lang: Lang, corner: String, points: &[Point]) -> Grid {
        let compared = points.iter().any(|point| point.previous.is_some());
        let rated = points.iter().any(|point| point.rate.is_some());
        let mut columns = vec![lang.text("statistics-count")];
        if compared {
            columns.push(lang.text("statistics-previous"));
            columns.push(lang.text("statistics-change"));
        }
        if rated {
            columns.push(lang.text("statistics-rate"));
            if compared {
                columns.push(lang.text("statistics-rate-previous"));
            }
        }
        Grid {
            corner,
            columns,
            rows: points
                .iter()
                .enumerate()
                .map(|(row, point)| {
                    let mut cells = vec![Cell::count(lang, point.count)];
                    if compared {
                        let previous = point.previous.as_ref();
                        cells.push(Cell::count(lang, previous.and_then(|p| p.count)));
                        cells.push(Cell {
                            text: previous.map_or_else(
                                || "–".to_owned(),
                                |p| change(lang, p.count, p.change, p.change_percent),
                            ),
                            suppressed: false,
                        });
                    }
                    if rated {
                        cells.push(Cell::rate(lang, point.rate));
                        if compared {
                            let before = point.previous.as_ref().and_then(|p| p.rate);
                            cells.push(Cell::rate(lang, before));
                        }
                    }
                    Row {
                        label: point.label.clone(),
                        total: row + 1 == points.len(),
                        cells,
                    }
                })
                .collect(),
        }
    }
}

impl Cell {
    /// A rate per 100 000 to one decimal; a dash where there is none (its count hidden, or
    /// no population for its category).
    fn rate(lang: Lang, rate: Option<f64>) -> Cell {
        Cell {
            text: rate.map_or_else(|| "–".to_owned(), |rate| lang.decimal(rate, 1)),
            suppressed: false,
        }
    }

    pub fn count(lang: Lang, count: Option<u64>) -> Cell {
        Cell {
            text: count.map_or_else(|| lang.text("statistics-suppressed"), |n| lang.number(n)),
            suppressed: count.is_none(),
        }
    }
}

fn shortened(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
    short.push('…');
    short
}

/// A change as a signed count, with the percentage where the period before had enough cases
/// for one to mean something; a dash where a count is suppressed.
fn change(lang: Lang, before: Option<u64>, change: Option<i64>, percent: Option<f64>) -> String {
    let enough = before.is_some_and(|before| before >= MIN_FOR_PERCENT);
    match (change, percent) {
        (Some(change), Some(percent)) if enough => {
            format!("{} ({})", lang.signed(change), lang.percent(percent))
        }
        (Some(change), _) => lang.signed(change),
        (None, _) => "–".to_owned(),
    }
}

/// The chart in words: the total, the largest category, the previous period's total, and
/// how many categories are suppressed.
fn summary(lang: Lang, points: &[Point]) -> String {
    let Some((total, categories)) = points.split_last() else {
        return String::new();
    };
    let count = |count: Option<u64>| Cell::count(lang, count).text;
    let mut summary = vec![lang.text_with(
        "statistics-summary-total",
        &[("total", &count(total.count))],
    )];
    if let Some(largest) = categories
        .iter()
        .filter(|point| point.count.is_some_and(|n| n > 0))
        .max_by_key(|point| point.count)
    {
        summary.push(lang.text_with(
            "statistics-summary-largest",
            &[
                ("category", &largest.label),
                ("count", &count(largest.count)),
            ],
        ));
    }
    if let Some(previous) = &total.previous {
        summary.push(lang.text_with(
            "statistics-summary-previous",
            &[("total", &count(previous.count))],
        ));
    }
    let hidden = categories
        .iter()
        .filter(|point| point.count.is_none())
        .count();
    if hidden > 0 {
        summary.push(lang.text_count("statistics-summary-suppressed", "count", hidden as i64));
    }
    if hidden * 2 > categories.len() {
        summary.push(lang.text("statistics-summary-advice"));
    }
    summary.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, count: Option<u64>, before: Option<u64>) -> Point {
        Point {
            label: label.to_owned(),
            count,
            rate: None,
            previous: Some(Comparison::between(count, before)),
        }
    }

    #[test]
    fn a_suppressed_count_is_never_a_bar_nor_a_zero() {
        let figure = Figure::of_points(
            "kind",
            "Per typ".into(),
            "Typ".into(),
            vec![
                point("Hot", Some(12), Some(8)),
                point("Våld", None, Some(4)),
                point("Annat", Some(0), None),
                point("Totalt", Some(14), Some(12)),
            ],
            Lang::Sv,
        );
        let bars = &figure.charts[0].bars;
        assert_eq!(bars.len(), 3, "the total is in the table, not a bar");
        assert_eq!((bars[0].width, bars[0].value.as_str()), (BAR_SPACE, "12"));
        assert_eq!((bars[1].width, bars[1].value.as_str()), (0, "skyddat"));
        assert!(bars[1].suppressed && !bars[2].suppressed);
        assert_eq!(bars[1].previous_x, Some(LABEL_WIDTH + BAR_SPACE / 3));
        let cells: Vec<&str> = figure.grid.rows[1]
            .cells
            .iter()
            .map(|cell| cell.text.as_str())
            .collect();
        assert_eq!(cells, ["skyddat", "4", "–"]);
        assert_eq!(
            figure.grid.rows[0].cells[2].text, "+4",
            "8 before: too few for a per cent"
        );
        assert!(figure.grid.rows[3].total);
        assert_eq!(
            figure.summary,
            "Totalt: 14. Flest: Hot (12). Perioden före: 12. En kategori är skyddad."
        );
    }

    #[test]
    fn changes_are_in_per_cent_only_on_counts_that_bear_it_and_a_zero_before_is_seen() {
        let figure = Figure::of_points(
            "kind",
            "Per typ".into(),
            "Typ".into(),
            vec![
                point("Hot", Some(16), Some(3)),
                point("Våld", Some(1_530), Some(1_200)),
                point("Annat", Some(2), Some(0)),
                point("Totalt", Some(1_548), Some(1_203)),
            ],
            Lang::Sv,
        );
        let change = |row: usize| figure.grid.rows[row].cells[2].text.clone();
        assert_eq!(change(0), "+13");
        assert_eq!(change(1), "+330 (+27,5\u{a0}%)");
        assert_eq!(figure.grid.rows[1].cells[0].text, "1\u{a0}530");
        assert_eq!(
            figure.charts[0].bars[2].previous_x,
            Some(LABEL_WIDTH + MARK_MIN_X)
        );
    }

    #[test]
    fn long_labels_are_shortened_in_the_chart_only() {
        let long = "Hot och våld mot medarbetare och förtroendevalda i kommunen";
        let figure = Figure::of_points(
            "area",
            "Per område".into(),
            "Område".into(),
            vec![point(long, Some(5), None), point("Totalt", Some(5), None)],
            Lang::Sv,
        );
        assert_eq!(figure.charts[0].bars[0].label.chars().count(), LABEL_CHARS);
        assert!(figure.charts[0].bars[0].label.ends_with('…'));
        assert_eq!(figure.grid.rows[0].label, long);
    }
}
