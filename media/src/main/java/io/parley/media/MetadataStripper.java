package io.parley.media;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Set;

/**
 * Copies a JPEG or PNG without its metadata, losslessly and as a stream: the pixels are not decoded or re-encoded.
 * JPEG: the APP1..APP15 segments (EXIF with its GPS position, XMP, IPTC/Photoshop, maker notes) and comments go;
 * APP0 (JFIF) and an APP2 ICC colour profile stay. PNG: the text chunks ({@code tEXt zTXt iTXt}), {@code eXIf} and
 * {@code tIME} go. One consequence: EXIF orientation goes too, so a phone photo shows as the sensor stored it.
 */
final class MetadataStripper {

    private static final Set<String> PNG_METADATA = Set.of("tEXt", "zTXt", "iTXt", "eXIf", "tIME");
    private static final byte[] ICC = "ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private MetadataStripper() {
    }

    static boolean canStrip(String contentType) {
        return "image/jpeg".equals(contentType) || "image/png".equals(contentType);
    }

    static void strip(String contentType, InputStream in, OutputStream out) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if ("image/jpeg".equals(contentType)) {
            jpeg(data, out);
        } else {
            png(data, out);
        }
    }

    private static void jpeg(DataInputStream in, OutputStream out) throws IOException {
        if (in.readUnsignedShort() != 0xFFD8) {
            throw new MediaException(MediaException.Problem.INVALID, "not a JPEG image");
        }
        out.write(0xFF);
        out.write(0xD8);
        while (true) {
            int marker = in.readUnsignedByte();
            if (marker != 0xFF) {
                throw new MediaException(MediaException.Problem.INVALID, "a damaged JPEG image");
            }
            int type = in.readUnsignedByte();
            while (type == 0xFF) { // fill bytes
                type = in.readUnsignedByte();
            }
            if (type == 0xD9) { // EOI without scan
                out.write(0xFF);
                out.write(type);
                return;
            }
            if (type == 0x01 || (type >= 0xD0 && type <= 0xD7)) { // markers without length
                out.write(0xFF);
                out.write(type);
                continue;
            }
            int length = in.readUnsignedShort();
            if (length < 2) {
                throw new MediaException(MediaException.Problem.INVALID, "a damaged JPEG image");
            }
            byte[] body = new byte[length - 2];
            in.readFully(body);
            boolean metadata = type == 0xFE || (type >= 0xE1 && type <= 0xEF && !(type == 0xE2 && startsWith(body, ICC)));
            if (!metadata) {
                out.write(0xFF);
                out.write(type);
                out.write(length >> 8);
                out.write(length & 0xFF);
                out.write(body);
            }
            if (type == 0xDA) { // start of scan: the entropy-coded data and the rest are copied as they are
                in.transferTo(out);
                return;
            }
        }
    }

    private static void png(DataInputStream in, OutputStream out) throws IOException {
        byte[] signature = new byte[8];
        in.readFully(signature);
        out.write(signature);
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException end) {
                return;
            }
            if (length < 0) {
                throw new MediaException(MediaException.Problem.INVALID, "a damaged PNG image");
            }
            byte[] type = new byte[4];
            in.readFully(type);
            String name = new String(type, java.nio.charset.StandardCharsets.US_ASCII);
            boolean keep = !PNG_METADATA.contains(name);
            if (keep) {
                out.write(length >>> 24);
                out.write(length >>> 16);
                out.write(length >>> 8);
                out.write(length);
                out.write(type);
            }
            long remaining = length + 4L; // data and CRC
            byte[] buffer = new byte[8192];
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new MediaException(MediaException.Problem.INVALID, "a truncated PNG image");
                }
                if (keep) {
                    out.write(buffer, 0, n);
                }
                remaining -= n;
            }
            if ("IEND".equals(name)) {
                return;
            }
        }
    }

    private static boolean startsWith(byte[] body, byte[] prefix) {
        if (body.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (body[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
