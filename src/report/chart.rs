//! SVG charts (plotters, SVG backend only) and the text bar chart for terminals.
//!
//! Each chart is a function from plain figures to an SVG string: no files, no report logic,
//! so a test can parse the SVG and look for the series it must hold.

use std::collections::BTreeSet;
use std::fmt::Write;

use anyhow::{Result, anyhow};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// One pipeline's stacked bar: stage medians bottom-up, and the end-to-end median with its
/// error bar (the interval of the median, or the min–max range).
#[derive(Debug, Clone, PartialEq)]
pub struct StageBar {
    pub label: String,
    /// (category, seconds), in stacking order.
    pub segments: Vec<(String, f64)>,
    pub e2e: f64,
    pub error: Option<(f64, f64)>,
}

/// A point of the peak-memory-versus-time scatter.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPoint {
    pub label: String,
    pub e2e_s: f64,
    pub peak_mem_mib: f64,
}

/// One service's memory over a run: a line per container that ran for it. A service run as
/// one-off jobs has several containers, and a line drawn across the time between them would
/// show memory that no process held.
#[derive(Debug, Clone, PartialEq)]
pub struct MemorySeries {
    pub name: String,
    /// Per container, (seconds since the clock started, MiB).
    pub lines: Vec<Vec<(f64, f64)>>,
}

/// One stage of the run on the memory chart: a shaded band from its start to its end,
/// labelled with the stage's name, so a reader sees which stage used the memory.
#[derive(Debug, Clone, PartialEq)]
pub struct StageBand {
    pub label: String,
    /// The category's name (legend) and its index in the stage chart's order (colour), so a
    /// colour means the same category on both charts.
    pub category: String,
    pub color_index: usize,
    /// Seconds since the clock started.
    pub start: f64,
    pub end: f64,
}

/// How opaque a stage band is: enough to tell stages apart, little enough that the grid and
/// every line stay readable through it.
const BAND_OPACITY: f64 = 0.14;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;
const FONT: &str = "sans-serif";

fn chart_error<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing a chart: {e}")
}

/// A palette that tells neighbouring categories apart and stays readable when printed.
fn color(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 10] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
        RGBColor(227, 119, 194),
    ];
    COLORS[i % COLORS.len()]
}

/// Round an axis maximum up so the top bar or point never touches the frame.
fn headroom(max: f64) -> f64 {
    if max > 0.0 { max * 1.12 } else { 1.0 }
}

/// Light grid lines: visible enough to read a value off, faint enough not to compete.
const LIGHT_GRID: RGBColor = RGBColor(242, 242, 242);

fn whole(value: &f64) -> String {
    format!("{value:.0}")
}

/// Width of the legend column to the right of a chart.
const LEGEND_WIDTH: u32 = 200;

/// How a legend entry is drawn.
enum Mark {
    Fill(RGBAColor),
    Line(ShapeStyle),
}

/// The legend in its own column beside the plot, so it never hides data however many bars
/// or lines there are.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(String, Mark)],
) -> Result<()> {
    let font = (FONT, 13).into_font();
    for (i, (label, mark)) in entries.iter().enumerate() {
        let y = 70 + 22 * i as i32;
        match mark {
            Mark::Fill(color) => area
                .draw(&Rectangle::new([(8, y - 6), (22, y + 6)], color.filled()))
                .map_err(chart_error)?,
            Mark::Line(style) => area
                .draw(&PathElement::new(vec![(6, y), (24, y)], *style))
                .map_err(chart_error)?,
        }
        area.draw(&Text::new(label.clone(), (30, y - 7), font.clone()))
            .map_err(chart_error)?;
    }
    Ok(())
}

/// Stacked stage bars per pipeline with error bars on the end-to-end median; `categories`
/// fixes the stacking order and the colours, so that a colour means the same stage in every
/// report.
pub fn stage_bars(bars: &[StageBar], categories: &[&str], title: &str) -> Result<String> {
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH + LEGEND_WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let (plot, legend) = root.split_horizontally(WIDTH);
        let top = bars
            .iter()
            .map(|b| {
                let stacked: f64 = b.segments.iter().map(|(_, s)| s).sum();
                stacked.max(b.e2e).max(b.error.map_or(0.0, |e| e.1))
            })
            .fold(0.0, f64::max);
        // One segment per bar, but at least two: a single segment is the range 0..0, which
        // plotters cannot map, and a lone pipeline's bars would not be drawn at all.
        let n = bars.len().max(2);
        let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
        // plotters' integer ranges include their end: 0..n − 1 is n segments.
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 22))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((0..n - 1).into_segmented(), 0f64..headroom(top))
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(LIGHT_GRID)
            .y_label_formatter(&whole)
            .x_labels(n)
            .x_label_formatter(&|value| match value {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc("seconds (median)")
            .label_style((FONT, 14))
            .draw()
            .map_err(chart_error)?;

        for (ci, category) in categories.iter().enumerate() {
            let fill = color(ci).filled();
            let rects = bars.iter().enumerate().filter_map(|(i, bar)| {
                let position = bar.segments.iter().position(|(c, _)| c == category)?;
                let base: f64 = bar.segments[..position].iter().map(|(_, s)| s).sum();
                let height = bar.segments[position].1;
                let mut rect = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), base),
                        (SegmentValue::Exact(i + 1), base + height),
                    ],
                    fill,
                );
                rect.set_margin(0, 0, 8, 8);
                Some(rect)
            });
            chart.draw_series(rects).map_err(chart_error)?;
        }
        chart
            .draw_series(bars.iter().enumerate().filter_map(|(i, bar)| {
                let (low, high) = bar.error?;
                Some(ErrorBar::new_vertical(
                    SegmentValue::CenterOf(i),
                    low,
                    bar.e2e,
                    high,
                    BLACK.stroke_width(2),
                    10,
                ))
            }))
            .map_err(chart_error)?;
        let mut entries: Vec<(String, Mark)> = categories
            .iter()
            .enumerate()
            .map(|(ci, category)| (category.to_string(), Mark::Fill(color(ci).to_rgba())))
            .collect();
        entries.push((
            "end-to-end interval".to_string(),
            Mark::Line(BLACK.stroke_width(2)),
        ));
        draw_legend(&legend, &entries)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Peak memory against end-to-end time, one labelled point per pipeline.
pub fn memory_vs_time(points: &[ScatterPoint], title: &str) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let max_x = points.iter().map(|p| p.e2e_s).fold(0.0, f64::max);
        let max_y = points.iter().map(|p| p.peak_mem_mib).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 22))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..headroom(max_x), 0f64..headroom(max_y))
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .light_line_style(LIGHT_GRID)
            .x_label_formatter(&whole)
            .y_label_formatter(&whole)
            .x_desc("end-to-end time, median [s]")
            .y_desc("peak memory, median [MiB]")
            .label_style((FONT, 14))
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(points.iter().enumerate().map(|(i, p)| {
                // Alternate labels above-left and below-right of their point: neighbours in a
                // cluster (often along a rising diagonal: slower stacks hold more memory) then
                // do not print over each other or over the points.
                let offset = if i % 2 == 0 { (-30, -20) } else { (8, 4) };
                EmptyElement::at((p.e2e_s, p.peak_mem_mib))
                    + Circle::new((0, 0), 5, color(0).filled())
                    + Text::new(p.label.clone(), offset, (FONT, 13).into_font())
            }))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Memory of each container over one run, plus their time-aligned sum (the stack), over
/// the run's stages drawn as shaded, labelled bands.
pub fn memory_over_time(
    series: &[MemorySeries],
    bands: &[StageBand],
    title: &str,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH + LEGEND_WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let (plot, legend) = root.split_horizontally(WIDTH);
        let stack = stack_total(series);
        let all = series
            .iter()
            .flat_map(|s| s.lines.iter().flatten())
            .chain(stack.lines.iter().flatten());
        let (max_t, max_mib) = all.fold((0.0f64, 0.0f64), |(t, m), p| (t.max(p.0), m.max(p.1)));
        let max_t = bands.iter().map(|b| b.end).fold(max_t, f64::max);
        let top = headroom(max_mib);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 22))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..max_t.max(1.0), 0f64..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .light_line_style(LIGHT_GRID)
            .x_label_formatter(&whole)
            .y_label_formatter(&whole)
            .x_desc("seconds since the clock started")
            .y_desc("working set [MiB]")
            .label_style((FONT, 14))
            .draw()
            .map_err(chart_error)?;
        let mut entries = Vec::new();
        let (x_px, _) = chart.plotting_area().dim_in_pixel();
        let rows = label_rows(bands, max_t.max(1.0) / f64::from(x_px.max(1)));
        for (i, band) in bands.iter().enumerate() {
            let tint = color(band.color_index);
            chart
                .draw_series([
                    Rectangle::new(
                        [(band.start, 0.0), (band.end, top)],
                        tint.mix(BAND_OPACITY).filled(),
                    ),
                    Rectangle::new([(band.start, 0.0), (band.start, top)], tint.stroke_width(1)),
                ])
                .map_err(chart_error)?;
            let row = 0.985 - 0.045 * rows[i] as f64;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!(" {}", band.label),
                    (band.start, top * row),
                    (FONT, 12).into_font(),
                )))
                .map_err(chart_error)?;
            let entry = format!("stage: {}", band.category);
            if !entries.iter().any(|(name, _)| *name == entry) {
                entries.push((entry, Mark::Fill(tint.mix(0.3))));
            }
        }
        // The stack first, so a container that holds nearly all of it stays visible on top.
        for (i, one) in std::iter::once(&stack).chain(series).enumerate() {
            let style = if i == 0 {
                BLACK.stroke_width(2)
            } else {
                color(i - 1).stroke_width(2)
            };
            for line in &one.lines {
                chart
                    .draw_series(LineSeries::new(line.iter().copied(), style))
                    .map_err(chart_error)?;
            }
            entries.push((one.name.clone(), Mark::Line(style)));
        }
        draw_legend(&legend, &entries)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// About how wide a character of the 12-pixel band labels is, in pixels.
const LABEL_CHAR_PX: f64 = 7.0;

/// The row (0 at the top) of each band's label: the first row where it does not run into the
/// label before it, so that short neighbouring stages do not overprint. `seconds_per_px`
/// turns a label's width into time.
fn label_rows(bands: &[StageBand], seconds_per_px: f64) -> Vec<usize> {
    let mut row_ends: Vec<f64> = Vec::new();
    bands
        .iter()
        .map(|band| {
            let width = (band.label.chars().count() + 1) as f64 * LABEL_CHAR_PX * seconds_per_px;
            let row = row_ends
                .iter()
                .position(|end| *end <= band.start)
                .unwrap_or(row_ends.len());
            if row == row_ends.len() {
                row_ends.push(0.0);
            }
            row_ends[row] = band.start + width;
            row
        })
        .collect()
}

/// The stack's working set at each instant any container was read: every container alive then
/// (between its first and its last reading) counts with its latest reading. Summing only the
/// readings taken at exactly one instant would not do: the sampler also reads at stage
/// boundaries, so one instant can hold a container twice (a spike) or one lone container (a
/// dip to nearly nothing).
fn stack_total(series: &[MemorySeries]) -> MemorySeries {
    // Instants are whole milliseconds in samples.csv; key on them to align containers.
    let ms = |t: f64| (t * 1000.0).round() as u64;
    let lines: Vec<&Vec<(f64, f64)>> = series
        .iter()
        .flat_map(|s| &s.lines)
        .filter(|line| !line.is_empty())
        .collect();
    let instants: BTreeSet<u64> = lines
        .iter()
        .flat_map(|line| line.iter().map(|point| ms(point.0)))
        .collect();
    let sums = instants.into_iter().map(|at| {
        let total: f64 = lines
            .iter()
            .filter(|line| ms(line[0].0) <= at && at <= ms(line[line.len() - 1].0))
            .map(|line| {
                let upto = line.partition_point(|point| ms(point.0) <= at);
                line[upto - 1].1
            })
            .sum();
        (at as f64 / 1000.0, total)
    });
    MemorySeries {
        name: "stack (sum)".to_string(),
        lines: vec![sums.collect()],
    }
}

/// A horizontal bar chart in text, for terminals and for the report's plain-text readers.
pub fn text_bars(items: &[(String, f64)], unit: &str, width: usize) -> String {
    let max = items.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let label_width = items
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (label, value) in items {
        let eighths = if max > 0.0 {
            (value / max * (width * 8) as f64).round() as usize
        } else {
            0
        };
        let mut bar = "█".repeat(eighths / 8);
        if eighths % 8 > 0 {
            // U+2589 … U+258F are the left seven-eighths … one-eighth blocks.
            bar.push(char::from_u32(0x2590 - (eighths % 8) as u32).unwrap_or('▏'));
        }
        let _ = writeln!(out, "{label:<label_width$}  {bar} {value:.1} {unit}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).expect("the chart is well-formed SVG");
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(|t| t.trim().to_string()))
            .collect()
    }

    #[test]
    fn stage_bars_hold_every_category_and_pipeline() {
        let bars = vec![
            StageBar {
                label: "p01".into(),
                segments: vec![("startup".into(), 10.0), ("processing".into(), 20.0)],
                e2e: 31.0,
                error: Some((29.0, 35.0)),
            },
            StageBar {
                label: "p02".into(),
                segments: vec![("startup".into(), 12.0), ("transform".into(), 5.0)],
                e2e: 18.0,
                error: None,
            },
        ];
        let order = ["startup", "processing", "transform"];
        let svg = stage_bars(&bars, &order, "Stages").unwrap();
        let texts = texts(&svg);
        for expected in ["p01", "p02", "startup", "processing", "transform", "Stages"] {
            assert!(
                texts.iter().any(|t| t == expected),
                "{expected} in {texts:?}"
            );
        }
        let doc = roxmltree::Document::parse(&svg).unwrap();
        // Background, legend boxes and one rectangle per segment at least.
        let rects = doc.descendants().filter(|n| n.has_tag_name("rect")).count();
        assert!(rects >= 4 + 3, "{rects} rects");
    }

    #[test]
    fn a_single_pipeline_still_gets_its_stacked_bars() {
        let bars = vec![StageBar {
            label: "p00".into(),
            segments: vec![("ingestion".into(), 2.0), ("transform".into(), 26.0)],
            e2e: 29.0,
            error: Some((26.0, 30.0)),
        }];
        let svg = stage_bars(&bars, &["ingestion", "transform"], "Stages").unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        // Inside the plot area (x ≥ 80 px, left of the legend), one rectangle per segment.
        let bar_rects = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter(|n| {
                let x: f64 = n.attribute("x").and_then(|v| v.parse().ok()).unwrap_or(0.0);
                let w: f64 = n
                    .attribute("width")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0.0);
                x >= 80.0 && x < f64::from(WIDTH) && w > 0.0 && w < f64::from(WIDTH) / 2.0
            })
            .count();
        assert_eq!(bar_rects, 2, "{svg}");
    }

    #[test]
    fn memory_chart_draws_one_line_per_container_and_the_stack() {
        let series = vec![
            MemorySeries {
                name: "kafka".into(),
                lines: vec![vec![(0.0, 100.0), (0.2, 120.0)]],
            },
            MemorySeries {
                name: "flink".into(),
                lines: vec![vec![(0.0, 300.0), (0.2, 310.0)]],
            },
        ];
        let total = stack_total(&series);
        assert_eq!(total.lines, vec![vec![(0.0, 400.0), (0.2, 430.0)]]);
        // A second reading of kafka at 0.2 s (a stage boundary's) counts once, and flink's
        // reading alone at 0.3 s holds kafka's latest.
        let mut again = series.clone();
        again[0].lines[0].push((0.2, 120.0));
        again[0].lines[0].push((0.4, 125.0));
        again[1].lines[0].extend([(0.3, 320.0), (0.4, 330.0)]);
        assert_eq!(
            stack_total(&again).lines,
            vec![vec![(0.0, 400.0), (0.2, 430.0), (0.3, 440.0), (0.4, 455.0)]]
        );
        let svg = memory_over_time(&series, &[], "p01 memory").unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let lines = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .count();
        // Three data lines, three legend samples.
        assert!(lines >= 3, "{lines} polylines");
        let texts = texts(&svg);
        assert!(texts.contains(&"stack (sum)".to_string()));
        assert!(texts.contains(&"kafka".to_string()));
    }

    #[test]
    fn one_off_containers_of_a_service_are_separate_lines_in_one_colour() {
        let series = vec![MemorySeries {
            name: "dbt".into(),
            lines: vec![
                vec![(1.0, 50.0), (1.2, 60.0)],
                vec![(5.0, 80.0), (5.2, 90.0)],
            ],
        }];
        let svg = memory_over_time(&series, &[], "p00 memory").unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let polylines: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .filter_map(|n| n.attribute("points").map(str::to_string))
            .collect();
        // Two container lines (no segment bridging 1.2 s to 5.0 s), the stack, the legend.
        let two_points = polylines
            .iter()
            .filter(|p| p.split_whitespace().count() == 2)
            .count();
        assert!(two_points >= 2, "{polylines:?}");
        assert_eq!(texts(&svg).iter().filter(|t| *t == "dbt").count(), 1);
    }

    #[test]
    fn stages_are_shaded_labelled_bands_behind_the_memory_lines() {
        let series = vec![MemorySeries {
            name: "dbt".into(),
            lines: vec![vec![(1.0, 50.0), (2.0, 60.0), (9.0, 80.0)]],
        }];
        let band = |label: &str, category: &str, color_index, start, end| StageBand {
            label: label.into(),
            category: category.into(),
            color_index,
            start,
            end,
        };
        let bands = [
            band("generate", "ingestion", 1, 0.5, 2.5),
            band("silver", "processing", 2, 2.5, 4.0),
            band("dbt", "transform", 3, 4.0, 9.5),
        ];
        let svg = memory_over_time(&series, &bands, "p00 memory").unwrap();
        let texts = texts(&svg);
        for label in [
            "generate",
            "silver",
            "dbt",
            "stage: ingestion",
            "stage: transform",
        ] {
            assert!(
                texts.iter().any(|t| t.trim() == label),
                "{label} in {texts:?}"
            );
        }
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let shaded: Vec<roxmltree::Node> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter(|n| n.attribute("opacity") == Some("0.14"))
            .collect();
        assert_eq!(shaded.len(), 3, "one band per stage: {svg}");
        // Bands lie in time order, each as wide as its stage (2 s, 1.5 s, 5.5 s).
        let x = |n: &roxmltree::Node, a| n.attribute(a).unwrap().parse::<f64>().unwrap();
        let widths: Vec<f64> = shaded.iter().map(|n| x(n, "width")).collect();
        assert!(x(&shaded[0], "x") < x(&shaded[1], "x") && x(&shaded[1], "x") < x(&shaded[2], "x"));
        assert!((widths[2] / widths[0] - 2.75).abs() < 0.1, "{widths:?}");
        // The bands are drawn before the data, so every line stays on top of them.
        let position = |n: &roxmltree::Node| n.range().start;
        let data_line = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .find(|n| n.attribute("points").unwrap().split_whitespace().count() == 3)
            .expect("the dbt line");
        assert!(shaded.iter().all(|b| position(b) < position(&data_line)));
    }

    #[test]
    fn labels_of_short_neighbouring_stages_go_to_rows_of_their_own() {
        let band = |label: &str, start: f64| StageBand {
            label: label.into(),
            category: "processing".into(),
            color_index: 2,
            start,
            end: start + 1.0,
        };
        // 0.1 s per pixel: "create-topics" (14 characters) is 9.8 s wide.
        let bands = [
            band("create-topics", 0.0),
            band("generate", 1.0),
            band("bronze", 2.0),
            band("silver", 12.0),
        ];
        assert_eq!(label_rows(&bands, 0.1), [0, 1, 2, 0]);
    }

    #[test]
    fn text_bars_scale_to_the_longest() {
        let chart = text_bars(&[("p01".into(), 100.0), ("p02".into(), 50.0)], "s", 10);
        let lines: Vec<&str> = chart.lines().collect();
        assert_eq!(lines[0], "p01  ██████████ 100.0 s");
        assert_eq!(lines[1], "p02  █████ 50.0 s");
        let partial = text_bars(&[("a".into(), 8.0), ("b".into(), 1.0)], "s", 1);
        assert_eq!(partial.lines().nth(1), Some("b  ▏ 1.0 s"));
    }
}
