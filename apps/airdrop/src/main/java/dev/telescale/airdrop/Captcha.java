package dev.telescale.airdrop;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A simple human check: the sum of two numbers, drawn as a distorted SVG picture for the Mini App
 * (no text in the page's DOM to read) or asked with four answer buttons in the chat. The answer is
 * kept in the user's row (ad_users.captcha_answer) with an expiry, so any instance can check it,
 * and every wrong answer counts against AIRDROP_CAPTCHA_ATTEMPTS. Thread-safe.
 */
final class Captcha {
    static final long LIFETIME_MILLIS = 10 * 60_000;
    private static final RandomGenerator RANDOM = new SecureRandom();

    private Captcha() {
    }

    record Challenge(String question, String answer, List<Integer> options) {
    }

    static Challenge next() {
        return next(RANDOM);
    }

    static Challenge next(RandomGenerator random) {
        int a = 10 + random.nextInt(40);
        int b = 2 + random.nextInt(20);
        int answer = a + b;
        List<Integer> options = new ArrayList<>(List.of(answer));
        while (options.size() < 4) {
            int wrong = answer + random.nextInt(-9, 10);
            if (wrong > 0 && !options.contains(wrong)) {
                options.add(wrong);
            }
        }
        Collections.shuffle(options, new java.util.Random(random.nextLong()));
        return new Challenge(a + " + " + b, Integer.toString(answer), List.copyOf(options));
    }

    /** The question as an SVG picture: each glyph placed and turned a little at random, with noise lines. */
    static String svg(String question) {
        return svg(question, RANDOM);
    }

    static String svg(String question, RandomGenerator random) {
        StringBuilder svg = new StringBuilder(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"220\" height=\"70\" viewBox=\"0 0 220 70\" role=\"img\" aria-label=\"captcha\">")
                .append("<rect width=\"220\" height=\"70\" rx=\"8\" fill=\"#f2f4f7\"/>");
        for (int i = 0; i < 6; i++) {
            svg.append(String.format(java.util.Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#%06x\" stroke-width=\"1.5\" opacity=\"0.6\"/>",
                    random.nextInt(220), random.nextInt(70), random.nextInt(220), random.nextInt(70), random.nextInt(0x909090)));
        }
        String shown = question + " = ?";
        int x = 14;
        for (char glyph : shown.toCharArray()) {
            if (glyph != ' ') {
                svg.append(String.format(java.util.Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" font-family=\"monospace\" font-size=\"%d\" font-weight=\"bold\" fill=\"#%06x\" transform=\"rotate(%d %d 40)\">%s</text>",
                        x, 42 + random.nextInt(-6, 7), 26 + random.nextInt(0, 6), random.nextInt(0x505050), random.nextInt(-18, 19),
                        x, glyph == '<' ? "&lt;" : String.valueOf(glyph)));
            }
            x += glyph == ' ' ? 8 : 19;
        }
        return svg.append("</svg>").toString();
    }
}
