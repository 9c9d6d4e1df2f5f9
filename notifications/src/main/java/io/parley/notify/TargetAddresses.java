package io.parley.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where Parley may send a push or a webhook: only to public addresses. A URL a user registers is fetched by this
 * server, so without this rule anyone could make Parley call what only it can reach: itself ({@code 127.0.0.1},
 * {@code ::1}, {@code localhost}), the cloud's metadata service ({@code 169.254.169.254}, which hands out
 * credentials), or the private network behind it ({@code 10.x}, {@code 192.168.x}, ...). A server-side request
 * forgery.
 * <p>
 * The rule is about where a name leads, not how it is written: the host is resolved and every address it resolves
 * to must be public, so {@code 0x7f.1}, {@code [::ffff:127.0.0.1]} and a public-looking name pointing at
 * {@code 10.0.0.5} are all refused. It is checked at registration (400 with the reason) and again before each send,
 * since a name may be pointed elsewhere after it was registered. The send-time lookup fills the JVM's address cache
 * (30 s by default), from which the HTTP client takes the address it connects to a moment later.
 * <p>
 * {@code parley.notifications.allow-private-addresses=true} turns the rule off, for tests and benchmarks whose
 * receivers listen on 127.0.0.1, or a deployment whose webhooks are deliberately internal.
 */
public final class TargetAddresses {

    private final boolean allowPrivate;

    public TargetAddresses(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    public boolean allowsPrivate() {
        return allowPrivate;
    }

    /** What a host that could not be resolved is told (at send time: the send is tried again later). */
    public static final class Unresolved extends Exception {
        Unresolved(String host) {
            super("the host " + host + " cannot be resolved", null, false, false);
        }
    }

    /**
     * Why {@code url} must not be sent to, or empty when it may. Resolves its host (blocking).
     *
     * @param field the name the user gave the URL ({@code url}, {@code endpoint}), for the reason
     * @throws Unresolved when the host has no address now
     */
    public Optional<String> refusal(URI url, String field) throws Unresolved {
        if (allowPrivate) {
            return Optional.empty();
        }
        String host = url.getHost();
        if (host == null) {
            return Optional.of(field + " has no host");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String name = bare.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) { // RFC 6761: always this machine
            return Optional.of(notPublic(field, host));
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException | SecurityException e) {
            throw new Unresolved(host);
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                return Optional.of(notPublic(field, host));
            }
        }
        return Optional.empty();
    }

    /** The reason names the host as the user wrote it, never the address it resolved to (that is the network's). */
    private static String notPublic(String field, String host) {
        return field + " must reach a public address: " + host + " is (or resolves to) a loopback, link-local,"
                + " private or otherwise internal address, which this server does not send to";
    }

    /** Whether {@code address} is on the public internet as far as a server can tell from the address alone. */
    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 // "this network"
                    && !(first == 100 && second >= 64 && second <= 127) // shared address space (carrier NAT)
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    && !(first == 198 && (second == 18 || second == 19)) // benchmarking
                    && first < 240; // reserved, and broadcast
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) { // unique local fc00::/7 (fd00:ec2::254 is a metadata service)
                return false;
            }
            if (isEmbeddedIpv4(b)) { // ::ffff:a.b.c.d (Java maps most to IPv4 itself), ::a.b.c.d, 64:ff9b::a.b.c.d
                try {
                    return isPublic(InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isEmbeddedIpv4(byte[] b) {
        boolean zeros = true;
        for (int i = 0; i < 10; i++) {
            zeros &= b[i] == 0;
        }
        boolean mapped = zeros && ((b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff));
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = b[i] == 0;
        }
        return mapped || nat64;
    }
}
