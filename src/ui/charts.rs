//! Charts drawn on the server as SVG (plotters): small, sharp at any size, no script. Each
//! chart is an image with a label; the table beside it carries the same figures as text.

use plotters::prelude::*;

/// A bar chart of `bars` (label, value) with values up to `max`; `None` if it cannot be drawn.
pub fn bars(bars: &[(String, f64)], max: f64, caption: &str) -> Option<String> {
    if bars.is_empty() {
        return None;
    }
    let mut svg = String::new();
    {
        let height = 260;
        let width = (140 + 90 * u32::try_from(bars.len()).unwrap_or(10).min(12)).max(440);
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let top = if max > 0.0 { max * 1.1 } else { 1.0 };
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(40)
            .build_cartesian_2d((0..bars.len()).into_segmented(), 0.0..top)
            .ok()?;
        let labels: Vec<String> = bars.iter().map(|(label, _)| label.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len())
            .y_label_formatter(&|value| format!("{value:.0}"))
            .x_label_formatter(&|value| match value {
                SegmentValue::CenterOf(index) => labels.get(*index).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .ok()?;
        let colour = RGBColor(11, 83, 148);
        chart
            .draw_series(bars.iter().enumerate().map(|(index, (_, value))| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(index), 0.0),
                        (SegmentValue::Exact(index + 1), *value),
                    ],
                    colour.filled(),
                );
                bar.set_margin(0, 0, 12, 12);
                bar
            }))
            .ok()?;
        root.present().ok()?;
    }
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_an_svg_with_its_labels_escaped() {
        let svg = bars(
            &[("Xuất sắc".into(), 3.0), ("<b>Tốt</b>".into(), 5.0)],
            5.0,
            "Số cơ quan theo xếp loại",
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("Xuất sắc"));
        assert!(!svg.contains("<b>"), "labels are text, never markup");
        assert!(bars(&[], 1.0, "nothing").is_none());
    }
}
