package dev.telescale.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Draws latency-by-percentile curves as a standalone SVG: the x axis is log-ish (each step is ten
 * times closer to 100 %: 0, 90, 99, 99.9 ...), so the tail gets as much room as the median; the y
 * axis is linear milliseconds. Stateless.
 */
final class LatencyPlot {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
    private static final int WIDTH = 800;
    private static final int HEIGHT = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private LatencyPlot() {
    }

    static String svg(String title, Map<String, Histogram> curves) {
        long total = curves.values().stream().mapToLong(Histogram::getTotalCount).max().orElse(0);
        // The x range ends where the data ends: one more nine than the sample count supports.
        int nines = Math.max(2, (int) Math.ceil(Math.log10(Math.max(10, total))));
        double maxMillis = curves.values().stream().mapToLong(Histogram::getMaxValue).max().orElse(1) / 1_000.0;
        double yTop = niceCeiling(Math.max(maxMillis * 1.05, 0.1));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT,
                escape("Latency by percentile: " + title)));
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        for (int i = 0; i <= 5; i++) {
            double value = yTop * i / 5;
            double y = TOP + plotHeight - plotHeight * i / 5.0;
            out.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT, y, LEFT + plotWidth, y, LEFT - 6, y + 4, trim(value)));
        }
        for (int nine = 0; nine <= nines; nine++) {
            double x = LEFT + plotWidth * nine / (double) nines;
            String label = nine == 0 ? "0%" : trim(100 - 100 / Math.pow(10, nine)) + "%";
            out.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x, TOP, x, TOP + plotHeight, x, TOP + plotHeight + 18, label));
        }
        out.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n"
                        + "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">ms</text>%n",
                LEFT + plotWidth / 2, HEIGHT - 18, TOP + plotHeight / 2, TOP + plotHeight / 2));
        int index = 0;
        for (Map.Entry<String, Histogram> curve : curves.entrySet()) {
            String colour = COLOURS[index % COLOURS.length];
            Histogram histogram = curve.getValue();
            if (histogram.getTotalCount() > 0) {
                List<String> points = new ArrayList<>();
                int steps = 400;
                for (int step = 0; step <= steps; step++) {
                    double position = nines * step / (double) steps;   // in "nines"
                    double percentile = 100 - 100 / Math.pow(10, position);
                    double value = (step == steps ? histogram.getMaxValue()
                            : histogram.getValueAtPercentile(percentile)) / 1_000.0;
                    double x = LEFT + plotWidth * position / nines;
                    double y = TOP + plotHeight - plotHeight * Math.min(value, yTop) / yTop;
                    points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                }
                out.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
                        .append(String.join(" ", points)).append("\"/>\n");
            }
            out.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    LEFT + 10, TOP + 10 + 18 * index, colour, LEFT + 30, TOP + 15 + 18 * index,
                    escape(curve.getKey() + " (" + histogram.getTotalCount() + ")")));
            index++;
        }
        out.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n</svg>%n",
                LEFT, TOP, plotWidth, plotHeight));
        return out.toString();
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String trim(double value) {
        String text = String.format(Locale.ROOT, "%.4f", value);
        return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
