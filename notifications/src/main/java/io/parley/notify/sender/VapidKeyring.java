package io.parley.notify.sender;

import com.interaso.webpush.VapidKeys;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Properties;

/**
 * This server's VAPID identity (RFC 8292): configured keys, or keys generated once and kept in a file readable by the
 * owner only (standalone: in the data dir), so browsers' subscriptions stay valid across restarts. The private key is
 * never logged and never leaves the process; the public key is what a browser subscribes with.
 */
public final class VapidKeyring {

    private final String subject;
    private final VapidKeys keys;

    private VapidKeyring(String subject, VapidKeys keys) {
        this.subject = subject;
        this.keys = keys;
    }

    /** Keys given as base64url: the uncompressed public point (65 bytes) and the private scalar (32 bytes). */
    public static VapidKeyring configured(String subject, String publicKey, String privateKey) {
        return new VapidKeyring(subject, VapidKeys.fromUncompressedBytes(publicKey, privateKey));
    }

    /** Keys from {@code file}, generated and written there first if it does not exist. */
    public static synchronized VapidKeyring inFile(String subject, Path file) {
        try {
            if (!Files.exists(file)) {
                VapidKeys generated = VapidKeys.generate();
                Properties properties = new Properties();
                properties.setProperty("public-key-x509", generated.getX509PublicKey());
                properties.setProperty("private-key-pkcs8", generated.getPkcs8PrivateKey());
                Path parent = file.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Path temporary = Files.createTempFile(parent, "vapid", ".tmp");
                try {
                    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // a file system without POSIX permissions (Windows): the data dir's own protection applies
                }
                try (Writer out = Files.newBufferedWriter(temporary)) {
                    properties.store(out, "Parley's VAPID key pair (Web Push). Keep private; losing it invalidates"
                            + " every browser subscription.");
                }
                try {
                    // a link never replaces: when several processes share the file (push nodes and the notification
                    // service on one volume), the first one's keys win and the others read them
                    Files.createLink(file, temporary);
                } catch (java.nio.file.FileAlreadyExistsException another) {
                    // written meanwhile by another process: read theirs
                } finally {
                    Files.deleteIfExists(temporary);
                }
            }
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(file)) {
                properties.load(in);
            }
            return new VapidKeyring(subject, VapidKeys.create(properties.getProperty("public-key-x509"),
                    properties.getProperty("private-key-pkcs8")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the VAPID keys at " + file, e);
        }
    }

    public String subject() {
        return subject;
    }

    VapidKeys keys() {
        return keys;
    }

    /** The application server key a browser passes to {@code pushManager.subscribe} (base64url, 65 bytes). */
    public String publicKey() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(keys.getApplicationServerKey());
    }

    @Override
    public String toString() {
        return "VapidKeyring[" + subject + ", public " + publicKey() + "]";
    }
}
