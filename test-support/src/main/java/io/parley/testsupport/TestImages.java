package io.parley.testsupport;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Real image files made in the test: a JPEG carrying an EXIF segment with a GPS position (what a phone writes), and
 * a PNG whose header claims more pixels than any server should decode (a decompression bomb).
 */
public final class TestImages {

    /** The GPS latitude reference and the text the EXIF segment of {@link #jpegWithGps} carries, to look for. */
    public static final String GPS_MARKER = "PARLEY-GPS-48.8584N";

    private TestImages() {
    }

    /**
     * A {@code width} × {@code height} JPEG whose APP1 segment is EXIF with a GPS IFD: latitude reference {@code N},
     * latitude 48° 51' 30.24", and {@link #GPS_MARKER} as GPSAreaInformation.
     */
    public static byte[] jpegWithGps(int width, int height) {
        byte[] jpeg = jpeg(width, height);
        byte[] exif = exifWithGps();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI
        out.write(0xFF);
        out.write(0xE1);
        int length = exif.length + 2;
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.write(exif, 0, exif.length);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A plain JPEG of a colour gradient. */
    public static byte[] jpeg(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int x = 0; x < width; x += 8) {
            g.setColor(new Color((x * 255 / width), 120, 200));
            g.fillRect(x, 0, 8, height);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Whether {@code bytes} hold an EXIF segment or the GPS marker anywhere. */
    public static boolean hasExifOrGps(byte[] bytes) {
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        return latin.contains("Exif\0\0") || latin.contains(GPS_MARKER);
    }

    /** A valid PNG header claiming {@code width} × {@code height} pixels, with one tiny compressed row. */
    public static byte[] pngClaiming(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[]{0x78, (byte) 0x9C, 0x63, 0, 0, 0, 1, 0, 1});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** "Exif\0\0" + a big-endian TIFF: IFD0 pointing to a GPS IFD with three entries. */
    private static byte[] exifWithGps() {
        byte[] area = ("ASCII\0\0\0" + GPS_MARKER).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer tiff = ByteBuffer.allocate(200);
        tiff.put(new byte[]{'M', 'M', 0, 42}).putInt(8);
        // IFD0 at 8: one entry, GPSInfo (0x8825) LONG 1 → offset 26
        tiff.putShort((short) 1).putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(26).putInt(0);
        // GPS IFD at 26: three entries (12 bytes each) + next-IFD 0 = 2 + 36 + 4 = 42 → data at 68
        tiff.putShort((short) 3);
        tiff.putShort((short) 1).putShort((short) 2).putInt(2).put(new byte[]{'N', 0, 0, 0}); // GPSLatitudeRef
        tiff.putShort((short) 2).putShort((short) 5).putInt(3).putInt(68); // GPSLatitude, 3 RATIONAL at 68
        tiff.putShort((short) 0x1C).putShort((short) 7).putInt(area.length).putInt(92); // GPSAreaInformation at 92
        tiff.putInt(0);
        tiff.putInt(48).putInt(1).putInt(51).putInt(1).putInt(3024).putInt(100); // 68..92
        tiff.put(area);
        byte[] body = new byte[tiff.position()];
        tiff.flip().get(body);
        ByteArrayOutputStream exif = new ByteArrayOutputStream();
        exif.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        exif.writeBytes(body);
        return exif.toByteArray();
    }
}
