package io.parley.standalone;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parley.api.wire.CloseCodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An operator's own identity provider (Keycloak, say): with {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}
 * set, Parley accepts that issuer's access tokens, found through its discovery document and JWKS (served here by a
 * small HTTP server standing in for the provider), beside its own. Roles come from the configured claim; such a
 * session ends by logging out like any other.
 */
class ExternalIssuerTest {

    static HttpServer provider;
    static String issuer;
    static RSAKey key;
    static RunningParley parley;

    @BeforeAll
    static void boot() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("provider-key").generate();
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/realms/test";
        String discovery = ParleyClient.JSON.writeValueAsString(Map.of(
                "issuer", issuer,
                "jwks_uri", issuer + "/protocol/openid-connect/certs",
                "response_types_supported", List.of("code"),
                "subject_types_supported", List.of("public"),
                "id_token_signing_alg_values_supported", List.of("RS256")));
        provider.createContext("/realms/test/.well-known/openid-configuration", exchange -> answer(exchange, discovery));
        provider.createContext("/realms/test/protocol/openid-connect/certs",
                exchange -> answer(exchange, new JWKSet(key.toPublicJWK()).toString()));
        provider.start();
        parley = RunningParley.start(Files.createTempDirectory("parley-external-issuer"),
                "spring.security.oauth2.resourceserver.jwt.issuer-uri=" + issuer,
                "parley.auth.external-roles-claim=realm_access.roles");
    }

    @AfterAll
    static void stop() {
        if (parley != null) {
            parley.close();
        }
        if (provider != null) {
            provider.stop(0);
        }
    }

    @Test
    void theProvidersTokenIsAcceptedWithItsRolesAndItsSessionEndsByLoggingOut() throws Exception {
        String userId = "kc-" + UUID.randomUUID();
        String token = sign(key, claims(userId).claim("realm_access", Map.of("roles", List.of("admin", "offline_access")))
                .build());
        ParleyClient client = ParleyClient.signUp(parley, "someone"); // for its base address only

        assertThat(client.call("GET", "/api/conversations", null, token).status()).isEqualTo(200);
        assertThat(client.call("GET", "/api/admin/users/" + userId + "/roles", null, token).status())
                .as("ADMIN from realm_access.roles").isEqualTo(200);
        String plain = sign(key, claims("kc-" + UUID.randomUUID()).build());
        assertThat(client.call("GET", "/api/admin/users/" + userId + "/roles", null, plain).status())
                .as("no role claim: a plain user").isEqualTo(403);

        try (SocketClient socket = SocketClient.connect(parley.ws(), token)) {
            String id = "alive-" + System.nanoTime();
            socket.send(json("type", "ping", "id", id));
            socket.await(reply("pong", id));

            assertThat(client.call("DELETE", "/api/users/" + userId + "/sessions/current", null, token).status())
                    .isEqualTo(204);

            assertThat(client.call("GET", "/api/conversations", null, token).status()).isEqualTo(401);
            await().atMost(Duration.ofSeconds(10)).until(() -> socket.closeCode() != null);
            assertThat(socket.closeCode()).isEqualTo(CloseCodes.SESSION_ENDED);
        }
    }

    @Test
    void aForgedTokenIsRefusedAndParleysOwnTokensStillWork() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("provider-key").generate();

        assertThat(alice.call("GET", "/api/conversations", null).status()).isEqualTo(200);
        assertThat(alice.call("GET", "/api/conversations", null, sign(impostor, claims("kc-x").build())).status())
                .as("signed by another key").isEqualTo(401);
        assertThat(alice.call("GET", "/api/conversations", null,
                sign(key, claims("kc-x").issuer("http://127.0.0.1:1/realms/other").build())).status())
                .as("another issuer").isEqualTo(401);
        assertThat(alice.call("GET", "/api/conversations", null,
                sign(key, claims("kc-x").expirationTime(Date.from(Instant.now().minusSeconds(300))).build())).status())
                .as("expired").isEqualTo(401);
        assertThat(alice.call("GET", "/api/conversations", null,
                sign(key, claims(alice.userId).issuer("parley").build())).status())
                .as("the provider's key cannot make Parley tokens").isEqualTo(401);
    }

    private static JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject)
                .claim("preferred_username", "erin")
                .claim("sid", UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String sign(RSAKey with, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
