package io.parley.testsupport;

/** Byte searches for tests that look for text in the files Parley writes (erasure must leave none behind). */
public final class Bytes {

    private Bytes() {
    }

    /** Where {@code needle} first starts in {@code haystack}, or -1 (a plain scan: files of a test, a few MB). */
    public static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
