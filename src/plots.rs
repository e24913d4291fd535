//! The pictures testbenches ask for ([`Plot`]), drawn with plotters: eye
//! diagrams and signals over time, rendered in memory to PNG bytes so they
//! are written atomically like every other output.
//!
//! Labels need a TrueType font; the first of [`FONT_PATHS`] that exists is
//! used (Debian: package `fonts-dejavu-core`).

use linkforge_verif::tb::Plot;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where a sans-serif TrueType font is looked for.
pub const FONT_PATHS: [&str; 3] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
];

/// Size of every picture in pixels.
const SIZE: (u32, u32) = (1200, 560);

/// A picture that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the picture: {0}")]
pub struct PlotError(String);

fn plot_error(e: impl std::fmt::Display) -> PlotError {
    PlotError(e.to_string())
}

/// Registers the label font once per process.
fn ensure_font() -> Result<(), PlotError> {
    static FONT: OnceLock<Result<(), String>> = OnceLock::new();
    FONT.get_or_init(|| {
        let path = FONT_PATHS
            .iter()
            .find(|p| std::path::Path::new(p).exists())
            .ok_or_else(|| {
                format!(
                    "no font for the labels (install fonts-dejavu-core; looked for {})",
                    FONT_PATHS.join(", ")
                )
            })?;
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        // The font registry keeps fonts for the life of the process.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
            .map_err(|_| format!("{path} is not a usable TrueType font"))
    })
    .clone()
    .map_err(PlotError)
}

/// Renders `draw` on a white canvas of [`SIZE`] and encodes it as PNG.
fn render(
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<(), PlotError>,
) -> Result<Vec<u8>, PlotError> {
    ensure_font()?;
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        draw(&root)?;
        root.present().map_err(plot_error)?;
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(plot_error)?;
    writer.write_image_data(&rgb).map_err(plot_error)?;
    writer.finish().map_err(plot_error)?;
    Ok(png)
}

/// The range `values` span, widened by a tenth on each side (and never empty).
fn padded_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return -1.0..1.0;
    }
    let pad = ((hi - lo) / 10.0).max(1.0);
    lo - pad..hi + pad
}

/// Splits eye points into traces where the time goes back.
fn traces(points: &[(f64, f64)]) -> Vec<&[(f64, f64)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..points.len() {
        if points[i].0 < points[i - 1].0 {
            out.push(&points[start..i]);
            start = i;
        }
    }
    if start < points.len() {
        out.push(&points[start..]);
    }
    out
}

/// Where the picture with `suffix` of a run traced to `wave` goes: beside
/// it, `NAME.SUFFIX.png` for `NAME.vcd`.
pub fn picture_path(wave: &Path, suffix: &str) -> PathBuf {
    wave.with_extension(format!("{suffix}.png"))
}

/// `plot` as PNG bytes.
pub fn draw(plot: &Plot) -> Result<Vec<u8>, PlotError> {
    match plot {
        Plot::Eyes { panels, unit } => {
            let panels: Vec<(&str, &[(f64, f64)])> = panels
                .iter()
                .map(|(title, points)| (title.as_str(), points.as_slice()))
                .collect();
            eye_diagrams(&panels, unit)
        }
        Plot::ValueAndFlag {
            points,
            time_unit,
            value_title,
            value_unit,
            flag_title,
        } => value_and_flag(points, time_unit, value_title, value_unit, flag_title),
    }
}

/// Eye diagrams side by side, one per `(title, points)` panel: each point
/// is (time from the sampling instant in UI, value in `unit`), consecutive
/// points with rising time forming one trace.
fn eye_diagrams(panels: &[(&str, &[(f64, f64)])], unit: &str) -> Result<Vec<u8>, PlotError> {
    render(|root| {
        // One vertical scale for all panels, so the eyes compare.
        let range = padded_range(panels.iter().flat_map(|(_, p)| p.iter().map(|&(_, y)| y)));
        let areas = root.split_evenly((1, panels.len().max(1)));
        for (area, (title, points)) in areas.iter().zip(panels) {
            let mut chart = ChartBuilder::on(area)
                .caption(*title, ("sans-serif", 22))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(55)
                .build_cartesian_2d(-1.0f64..1.0, range.clone())
                .map_err(plot_error)?;
            chart
                .configure_mesh()
                .x_desc("time from the sampling instant (UI)")
                .y_desc(unit)
                .draw()
                .map_err(plot_error)?;
            for trace in traces(points) {
                chart
                    .draw_series(LineSeries::new(trace.iter().copied(), BLUE.mix(0.12)))
                    .map_err(plot_error)?;
            }
        }
        Ok(())
    })
}

/// A value and a flag over time, in two panels sharing the time axis: the
/// value as points (`value_title`, axis `value_unit`) above, the flag as a
/// step line (`flag_title`) below.
fn value_and_flag(
    points: &[(u64, f64, bool)],
    time_unit: &str,
    value_title: &str,
    value_unit: &str,
    flag_title: &str,
) -> Result<Vec<u8>, PlotError> {
    render(|root| {
        let end = points.last().map_or(1, |p| p.0.max(1));
        let (top, bottom) = root.split_vertically((SIZE.1 as f64 * 0.7) as u32);
        let range = padded_range(points.iter().map(|p| p.1));
        let mut chart = ChartBuilder::on(&top)
            .caption(value_title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(55)
            .build_cartesian_2d(0u64..end, range)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .y_desc(value_unit)
            .draw()
            .map_err(plot_error)?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(t, v, _)| Circle::new((t, v), 1, BLUE.filled())),
            )
            .map_err(plot_error)?;
        let mut flag = ChartBuilder::on(&bottom)
            .caption(flag_title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(0u64..end, -0.2f64..1.2)
            .map_err(plot_error)?;
        flag.configure_mesh()
            .x_desc(time_unit)
            .y_labels(2)
            .draw()
            .map_err(plot_error)?;
        let steps = points.windows(2).flat_map(|w| {
            let level = f64::from(u8::from(w[0].2));
            [(w[0].0, level), (w[1].0, level)]
        });
        flag.draw_series(LineSeries::new(steps, RED.stroke_width(2)))
            .map_err(plot_error)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_split_where_time_goes_back() {
        let pts = [(-1.0, 0.0), (0.0, 1.0), (-1.0, 2.0), (0.5, 3.0), (0.9, 4.0)];
        let t = traces(&pts);
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].len(), 3);
    }

    #[test]
    fn pictures_are_png() {
        if ensure_font().is_err() {
            linkforge_verif::testenv::skip(&format!("no label font ({})", FONT_PATHS.join(", ")));
            return;
        }
        let eye: Vec<(f64, f64)> = (0..64)
            .map(|i| (f64::from(i) / 32.0 - 1.0, f64::from(i)))
            .collect();
        let png = eye_diagrams(&[("in", &eye), ("out", &eye)], "LSB").expect("draws");
        assert_eq!(&png[1..4], b"PNG");
        let series: Vec<(u64, f64, bool)> = (0..100).map(|i| (i, (i % 7) as f64, i > 50)).collect();
        let png = value_and_flag(&series, "UI", "code", "steps", "lock").expect("draws");
        assert_eq!(&png[1..4], b"PNG");
    }
}
