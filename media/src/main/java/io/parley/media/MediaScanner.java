package io.parley.media;

import java.io.IOException;
import java.io.InputStream;

/**
 * The virus-scan hook: called once per completed upload, with the uploaded bytes, before anything is kept. Declare a
 * bean of this type (ClamAV's {@code INSTREAM} command, a cloud scanner) to replace the default, which accepts
 * everything. Throwing {@link MediaException} with {@link MediaException.Problem#REJECTED} refuses the upload; its
 * bytes are deleted and the user is told the message.
 */
@FunctionalInterface
public interface MediaScanner {

    /** Accepts every upload: no scanner configured. */
    MediaScanner NONE = (name, contentType, bytes) -> {
    };

    /**
     * @param name        the file name the uploader gave
     * @param contentType the type sniffed from the bytes
     * @param bytes       the uploaded bytes, to read (or not) and not close
     */
    void scan(String name, String contentType, InputStream bytes) throws IOException;
}
