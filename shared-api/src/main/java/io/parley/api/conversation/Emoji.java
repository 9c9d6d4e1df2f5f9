package io.parley.api.conversation;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a reaction may be: exactly one emoji, i.e. one extended grapheme cluster (Unicode UAX #29, matched by the
 * JDK's regex {@code \X}) that is an emoji. Checked in the aggregate (the rule) and at the edge (an early, clear
 * {@code BAD_REQUEST}).
 * <p>
 * How the emoji check works: Java 17 has no emoji property (JDK 21 adds {@code Character.isEmoji} and
 * {@code \p{IsEmoji}}), so the cluster is taken apart code point by code point against Unicode 15's
 * {@code emoji-data.txt}: it must start with an {@code Extended_Pictographic} code point, or be a pair of regional
 * indicators (a flag), or a keycap ({@code 0-9 # *}, optional U+FE0F, U+20E3); after the start it may hold only
 * what emoji sequences are built of: more pictographs (joined by U+200D ZWJ), variation selector 16 (U+FE0F), skin
 * tone modifiers (U+1F3FB–U+1F3FF), tag characters (U+E0020–U+E007F, subdivision flags) and U+20E3. Letters, digits
 * alone, spaces and two emoji side by side (two clusters) are refused. At most {@value #MAX_LENGTH} UTF-16 units,
 * enough for the longest RGI sequence (a family of four with skin tones).
 */
public final class Emoji {

    public static final int MAX_LENGTH = 32;

    private static final Pattern ONE_CLUSTER = Pattern.compile("\\X");

    /** Unicode 15.0 emoji-data.txt, Extended_Pictographic, as inclusive ranges. */
    private static final int[][] PICTOGRAPHIC = {
            {0x00A9, 0x00A9}, {0x00AE, 0x00AE}, {0x203C, 0x203C}, {0x2049, 0x2049}, {0x2122, 0x2122},
            {0x2139, 0x2139}, {0x2194, 0x2199}, {0x21A9, 0x21AA}, {0x231A, 0x231B}, {0x2328, 0x2328},
            {0x2388, 0x2388}, {0x23CF, 0x23CF}, {0x23E9, 0x23F3}, {0x23F8, 0x23FA}, {0x24C2, 0x24C2},
            {0x25AA, 0x25AB}, {0x25B6, 0x25B6}, {0x25C0, 0x25C0}, {0x25FB, 0x25FE}, {0x2600, 0x2605},
            {0x2607, 0x2612}, {0x2614, 0x2685}, {0x2690, 0x2705}, {0x2708, 0x2712}, {0x2714, 0x2714},
            {0x2716, 0x2716}, {0x271D, 0x271D}, {0x2721, 0x2721}, {0x2728, 0x2728}, {0x2733, 0x2734},
            {0x2744, 0x2744}, {0x2747, 0x2747}, {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755},
            {0x2757, 0x2757}, {0x2763, 0x2767}, {0x2795, 0x2797}, {0x27A1, 0x27A1}, {0x27B0, 0x27B0},
            {0x27BF, 0x27BF}, {0x2934, 0x2935}, {0x2B05, 0x2B07}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50},
            {0x2B55, 0x2B55}, {0x3030, 0x3030}, {0x303D, 0x303D}, {0x3297, 0x3297}, {0x3299, 0x3299},
            {0x1F000, 0x1F0FF}, {0x1F10D, 0x1F10F}, {0x1F12F, 0x1F12F}, {0x1F16C, 0x1F171}, {0x1F17E, 0x1F17F},
            {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F1AD, 0x1F1E5}, {0x1F201, 0x1F20F}, {0x1F21A, 0x1F21A},
            {0x1F22F, 0x1F22F}, {0x1F232, 0x1F23A}, {0x1F23C, 0x1F23F}, {0x1F249, 0x1F3FA}, {0x1F400, 0x1F53D},
            {0x1F546, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F774, 0x1F77F}, {0x1F7D5, 0x1F7FF}, {0x1F80C, 0x1F80F},
            {0x1F848, 0x1F84F}, {0x1F85A, 0x1F85F}, {0x1F888, 0x1F88F}, {0x1F8AE, 0x1F8FF}, {0x1F90C, 0x1F93A},
            {0x1F93C, 0x1F945}, {0x1F947, 0x1FAFF}, {0x1FC00, 0x1FFFD}};

    private Emoji() {
    }

    /** Whether {@code text} is exactly one emoji (see the class comment for the rule). */
    public static boolean isSingleEmoji(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return false;
        }
        Matcher cluster = ONE_CLUSTER.matcher(text);
        if (!cluster.lookingAt() || cluster.end() != text.length()) {
            return false;
        }
        int[] points = text.codePoints().toArray();
        int first = points[0];
        if (isRegionalIndicator(first)) {
            return points.length == 2 && isRegionalIndicator(points[1]);
        }
        if (isKeycapBase(first)) {
            return (points.length == 2 && points[1] == 0x20E3)
                    || (points.length == 3 && points[1] == 0xFE0F && points[2] == 0x20E3);
        }
        if (!isPictographic(first)) {
            return false;
        }
        for (int i = 1; i < points.length; i++) {
            if (!isSequencePart(points[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSequencePart(int cp) {
        return isPictographic(cp) || cp == 0x200D || cp == 0xFE0F || cp == 0x20E3
                || (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0020 && cp <= 0xE007F);
    }

    private static boolean isRegionalIndicator(int cp) {
        return cp >= 0x1F1E6 && cp <= 0x1F1FF;
    }

    private static boolean isKeycapBase(int cp) {
        return (cp >= '0' && cp <= '9') || cp == '#' || cp == '*';
    }

    private static boolean isPictographic(int cp) {
        int low = 0;
        int high = PICTOGRAPHIC.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (cp < PICTOGRAPHIC[mid][0]) {
                high = mid - 1;
            } else if (cp > PICTOGRAPHIC[mid][1]) {
                low = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
