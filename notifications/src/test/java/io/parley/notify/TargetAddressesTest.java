package io.parley.notify;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which push and webhook URLs lead somewhere this server must not send to, by where they resolve. */
class TargetAddressesTest {

    private final TargetAddresses publicOnly = new TargetAddresses(false);

    @Test
    void loopbackLinkLocalPrivateAndMetadataAddressesAreRefusedHoweverWritten() throws Exception {
        for (String url : List.of("https://127.0.0.1/", "https://127.255.0.9/", "https://[::1]/",
                "https://[0:0:0:0:0:0:0:1]/", "https://169.254.169.254/latest/meta-data/", "https://10.1.2.3/",
                "https://172.31.255.255/", "https://192.168.0.1/", "https://0.0.0.0/", "https://100.100.100.200/",
                "https://[::ffff:169.254.169.254]/", "https://[::ffff:7f00:1]/", "https://[64:ff9b::a00:1]/",
                "https://[fd00:ec2::254]/", "https://[fe80::1]/", "https://[ff02::1]/", "https://224.0.0.1/",
                "https://255.255.255.255/", "https://localhost/", "https://Localhost./", "https://a.b.localhost/")) {
            assertThat(publicOnly.refusal(URI.create(url), "url")).as(url).isPresent()
                    .get().asString().startsWith("url must reach a public address: ");
        }
    }

    @Test
    void publicAddressesAreAccepted() throws Exception {
        for (String url : List.of("https://93.184.215.14/hook", "https://8.8.8.8/", "https://[2606:4700::1111]/",
                "https://172.32.0.1/", "https://100.128.0.1/", "https://192.169.0.1/")) {
            assertThat(publicOnly.refusal(URI.create(url), "url")).as(url).isEmpty();
        }
    }

    @Test
    void theOptInAcceptsLocalReceivers() throws Exception {
        assertThat(new TargetAddresses(true).refusal(URI.create("http://127.0.0.1:9/hook"), "url")).isEmpty();
    }
}
