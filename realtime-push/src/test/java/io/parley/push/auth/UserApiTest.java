package io.parley.push.auth;

import io.parley.api.error.ConflictException;
import io.parley.api.user.UserCommands.RegisterUser;
import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.UserView;
import io.parley.push.Backend;
import io.parley.push.EdgeSchema;
import io.parley.push.presence.PresenceDirectory;
import io.parley.push.web.ErrorCode;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.config.EnableWebFlux;
import reactor.core.publisher.Mono;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.verify;

/**
 * The security chain, the controllers, the error advice and the last-resort error handler wired by Spring as in the edge, but
 * without Boot or Axon: a minimal WebFlux context with an in-memory H2 database and a mocked {@link Backend}.
 */
class UserApiTest {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

    @TempDir
    static Path dataDir;

    private static AnnotationConfigApplicationContext context;
    private static Backend backend;
    private static WebTestClient client;

    @Configuration(proxyBeanMethods = false)
    @EnableWebFlux
    @Import({EdgeSchema.class, AuthConfiguration.class, UserController.class, SessionController.class, RoleGrants.class,
            PrincipalEcho.class, io.parley.push.block.BlockList.class})
    @ComponentScan(basePackageClasses = ErrorCode.class) // the web package: advice and error handler
    static class Edge {

        @Bean
        DataSource dataSource() {
            JdbcDataSource dataSource = new JdbcDataSource();
            dataSource.setURL("jdbc:h2:mem:user-api-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            return dataSource;
        }

        @Bean
        Backend backend() {
            return mock(Backend.class);
        }
    }

    /** Stands in for the socket handler: shows which principal a {@code /ws} handshake would carry. */
    @RestController
    static class PrincipalEcho {
        @GetMapping("/ws")
        Mono<String> who(Principal principal) {
            return Mono.just(principal.getName());
        }
    }

    @BeforeAll
    static void start() {
        context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", Map.of(
                "parley.data-dir", dataDir.toString(),
                "parley.auth.bcrypt-strength", "4",
                "parley.auth.max-login-failures", "3")));
        context.register(Edge.class);
        context.refresh();
        backend = context.getBean(Backend.class);
        client = WebTestClient.bindToApplicationContext(context).build();
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @BeforeEach
    void commandsSucceed() {
        reset(backend);
        doReturn(Mono.empty()).when(backend).send(any());
        // the profile asks the block list (on a worker) whether the user blocked the caller: nobody has
        doReturn(reactor.core.scheduler.Schedulers.boundedElastic()).when(backend).workers();
        doReturn(java.util.List.of()).when(backend).queryNow(any(), any());
    }

    @Test
    void propertiesBindWithTheirDefaults() {
        AuthProperties properties = context.getBean(AuthProperties.class);

        assertThat(properties.tokenTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(properties.jwtSecret()).isNull();
        assertThat(properties.bcryptStrength()).isEqualTo(4);
        assertThat(properties.maxLoginFailures()).isEqualTo(3);
        assertThat(properties.loginFailureWindow()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aUserRegistersLogsInAndIsFoundInTheDirectory() {
        String username = unique("Alice");
        Map<String, Object> created = register(username, "correct horse", "  Alice A. ")
                .expectStatus().isCreated()
                .expectHeader().value(HttpHeaders.LOCATION, location -> assertThat(location).startsWith("/api/users/"))
                .expectBody(JSON).returnResult().getResponseBody();
        String userId = (String) created.get("userId");
        assertThat(created).containsEntry("username", username.toLowerCase()).containsEntry("displayName", "Alice A.");
        ArgumentCaptor<Object> command = ArgumentCaptor.forClass(Object.class);
        verify(backend).send(command.capture());
        assertThat(command.getValue()).isEqualTo(new RegisterUser(userId, username.toLowerCase(), "Alice A."));

        Map<String, Object> session = login(username.toUpperCase(), "correct horse")
                .expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody();
        assertThat(session).containsOnlyKeys("token", "userId", "expiresAt").containsEntry("userId", userId);
        assertThat(Instant.parse((String) session.get("expiresAt")))
                .isBetween(Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
        String token = (String) session.get("token");

        doReturn(Mono.just(Optional.of(new UserView(userId, username.toLowerCase(), "Alice A.", Instant.now()))))
                .when(backend).query(argThat(q -> q.equals(new FindUserQuery(userId))), any());
        client.get().uri("/api/users/{id}", userId).headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.userId").isEqualTo(userId)
                .jsonPath("$.username").isEqualTo(username.toLowerCase())
                .jsonPath("$.displayName").isEqualTo("Alice A.")
                .jsonPath("$.online").isEqualTo(false)
                .jsonPath("$.lastSeen").isEmpty();
    }

    @Test
    void anUnknownUserIsNotFound() {
        doReturn(Mono.just(Optional.empty())).when(backend).query(any(), any());

        client.get().uri("/api/users/nobody").headers(h -> h.setBearerAuth(tokenOfNewUser())).exchange()
                .expectStatus().isNotFound()
                .expectBody().json("{\"code\":\"NOT_FOUND\",\"message\":\"no such user\"}");
    }

    @Test
    void aTakenUsernameIsAConflictWhateverItsCase() {
        String username = unique("bob");
        register(username, "correct horse", "Bob").expectStatus().isCreated();

        register(username.toUpperCase(), "other password", "Bobby")
                .expectStatus().isEqualTo(HttpStatus.CONFLICT)
                .expectBody().json("{\"code\":\"CONFLICT\",\"message\":\"username is taken\"}");
    }

    @Test
    void invalidRegistrationsAreBadRequests() {
        badRegistration("{\"username\":\"ab\",\"password\":\"correct horse\",\"displayName\":\"A\"}", "username");
        badRegistration("{\"username\":\"" + "a".repeat(33) + "\",\"password\":\"correct horse\",\"displayName\":\"A\"}",
                "username");
        badRegistration("{\"username\":\"al ice\",\"password\":\"correct horse\",\"displayName\":\"A\"}", "username");
        badRegistration("{\"username\":\"alice\",\"password\":\"short\",\"displayName\":\"A\"}", "password");
        badRegistration("{\"username\":\"alice\",\"password\":\"" + "p".repeat(129) + "\",\"displayName\":\"A\"}",
                "password");
        badRegistration("{\"username\":\"alice\",\"password\":\"correct horse\",\"displayName\":\"   \"}", "displayName");
        badRegistration("{\"username\":\"alice\",\"password\":\"correct horse\",\"displayName\":\"" + "d".repeat(65)
                + "\"}", "displayName");
        badRegistration("{\"username\":\"alice\",\"password\":\"correct horse\"}", "displayName");
        badRegistration("{\"username\":\"alice\",\"password\":", "malformed JSON body");
        badRegistration("{\"username\":[1,2],\"password\":\"correct horse\",\"displayName\":\"A\"}",
                "malformed JSON body: bad value for 'username'");
        badRegistration("", null);
    }

    @Test
    void aFailedRegisterCommandReleasesTheUsername() {
        String username = unique("carol");
        doReturn(Mono.error(new CompletionException(new ConflictException("this user is already registered"))))
                .when(backend).send(any());
        register(username, "correct horse", "Carol")
                .expectStatus().isEqualTo(HttpStatus.CONFLICT)
                .expectBody().json("{\"code\":\"CONFLICT\",\"message\":\"this user is already registered\"}");

        doReturn(Mono.error(new IllegalStateException("jdbc:postgresql://db password=hunter2 failed")))
                .when(backend).send(any());
        register(username, "correct horse", "Carol")
                .expectStatus().isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR)
                .expectBody(String.class).value(body -> assertThat(body)
                        .isEqualTo("{\"code\":\"INTERNAL\",\"message\":\"internal error\"}"));

        doReturn(Mono.empty()).when(backend).send(any());
        register(username, "correct horse", "Carol").expectStatus().isCreated();
    }

    @Test
    void aWrongPasswordAndAnUnknownUserGetTheSame401() {
        String username = unique("dave");
        register(username, "correct horse", "Dave").expectStatus().isCreated();
        String expected = "{\"code\":\"UNAUTHORIZED\",\"message\":\"bad username or password\"}";

        login(username, "wrong horse").expectStatus().isUnauthorized()
                .expectHeader().value(HttpHeaders.WWW_AUTHENTICATE, v -> assertThat(v).startsWith("Bearer"))
                .expectBody(String.class).isEqualTo(expected);
        login(unique("nobody"), "correct horse").expectStatus().isUnauthorized()
                .expectBody(String.class).isEqualTo(expected);
        client.post().uri("/api/sessions").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"username\":\"x\"}")
                .exchange().expectStatus().isBadRequest();
    }

    @Test
    void repeatedFailedLoginsAreThrottled() {
        String username = unique("erin");
        register(username, "correct horse", "Erin").expectStatus().isCreated();
        for (int i = 0; i < 3; i++) {
            login(username, "wrong horse " + i).expectStatus().isUnauthorized();
        }

        login(username, "correct horse")
                .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                .expectHeader().value(HttpHeaders.RETRY_AFTER, v -> assertThat(Long.parseLong(v)).isBetween(1L, 300L))
                .expectBody().jsonPath("$.code").isEqualTo("RATE_LIMITED");
    }

    @Test
    void theApiNeedsAToken() {
        client.get().uri("/api/users/someone").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .expectBody(String.class).isEqualTo("{\"code\":\"UNAUTHORIZED\",\"message\":\"missing token\"}");
        client.get().uri("/api/users/someone").header(HttpHeaders.AUTHORIZATION, "Bearer not.a.token").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().value(HttpHeaders.WWW_AUTHENTICATE, v -> assertThat(v).startsWith("Bearer"))
                .expectBody(String.class).isEqualTo("{\"code\":\"UNAUTHORIZED\",\"message\":\"invalid or expired token\"}");
        client.get().uri("/api/users/someone").header(HttpHeaders.AUTHORIZATION, "Basic YTpi").exchange()
                .expectStatus().isUnauthorized();
        client.get().uri("/api/users/someone?access_token=" + tokenOfNewUser()).exchange()
                .expectStatus().isUnauthorized(); // the query parameter is for the socket only
        client.get().uri("/api/unknown").exchange().expectStatus().isUnauthorized();
        client.post().uri("/api/conversations/direct").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void encodedOrDecoratedPathsDoNotSlipPastTheChain() {
        doReturn(Mono.just(Optional.empty())).when(backend).query(any(), any());

        client.get().uri(java.net.URI.create("/%61pi/users/someone")).exchange().expectStatus().isUnauthorized();
        client.get().uri(java.net.URI.create("/API/users/someone")).exchange().expectStatus().isUnauthorized();
        client.get().uri(java.net.URI.create("/%77s")).exchange().expectStatus().isUnauthorized();
        // ambiguous spellings are refused by the firewall before any rule, with the usual error body
        for (String path : java.util.List.of("/api;x=1/users/someone", "/api/users/%2e%2e/sessions",
                "/api/users/a%2Fb", "/api//users")) {
            client.post().uri(java.net.URI.create(path)).exchange().expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.code").isEqualTo("BAD_REQUEST");
        }
    }

    @Test
    void aSocketTicketOpensOneHandshakeAndIsNoBearerToken() {
        String token = tokenOfNewUser();
        String userId = userIdOf(token);
        String ticket = (String) client.post().uri("/api/sessions/socket-ticket").headers(h -> h.setBearerAuth(token))
                .exchange().expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody().get("ticket");

        client.get().uri("/api/users/someone").headers(h -> h.setBearerAuth(ticket)).exchange()
                .expectStatus().isUnauthorized();
        client.get().uri("/ws?ticket={t}", ticket).exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo(userId);
        client.get().uri("/ws?ticket={t}", ticket).exchange()
                .expectStatus().isUnauthorized().expectBody().jsonPath("$.message").isEqualTo("invalid or expired token");
        client.get().uri("/ws?ticket={t}", token).exchange()
                .expectStatus().isUnauthorized(); // a session token is no ticket
    }

    @Test
    void theSocketHandshakeTakesTheTokenFromTheHeaderOrTheQuery() {
        String token = tokenOfNewUser();
        String userId = userIdOf(token);

        client.get().uri("/ws?access_token={t}", token).exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo(userId);
        client.get().uri("/ws").headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isOk().expectBody(String.class).isEqualTo(userId);
        client.get().uri("/ws").exchange()
                .expectStatus().isUnauthorized().expectBody().jsonPath("$.message").isEqualTo("missing token");
        client.get().uri("/ws?access_token=forged").exchange()
                .expectStatus().isUnauthorized().expectBody().jsonPath("$.message").isEqualTo("invalid or expired token");
    }

    @Test
    void staticFilesArePublicAndFrameworkErrorsAreJson() {
        client.get().uri("/index.html").exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().json("{\"code\":\"NOT_FOUND\"}");
        client.get().uri("/api/docs/openapi.json").exchange().expectStatus().isNotFound();

        String token = tokenOfNewUser();
        client.delete().uri("/api/users/someone").headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader().exists(HttpHeaders.ALLOW)
                .expectBody().json("{\"code\":\"METHOD_NOT_ALLOWED\"}");
        client.post().uri("/api/users").contentType(MediaType.TEXT_PLAIN).bodyValue("alice").exchange()
                .expectStatus().isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                .expectBody().json("{\"code\":\"UNSUPPORTED_MEDIA_TYPE\"}");
    }

    @Test
    void anOversizedBodyIsTooLarge() {
        String huge = "{\"username\":\"alice\",\"password\":\"correct horse\",\"displayName\":\"" + "x".repeat(300_000) + "\"}";

        client.post().uri("/api/users").contentType(MediaType.APPLICATION_JSON).bodyValue(huge).exchange()
                .expectStatus().isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE)
                .expectBody().json("{\"code\":\"TOO_LARGE\"}");
    }

    @Test
    void theProfileShowsPresenceWhenADirectoryExists() {
        PresenceDirectory presence = new PresenceDirectory() {
            @Override
            public boolean isOnline(String userId) {
                return true;
            }

            @Override
            public Optional<Instant> lastSeen(String userId) {
                return Optional.of(Instant.parse("2025-06-01T12:00:00Z"));
            }
        };
        AtomicReference<PresenceDirectory> bean = new AtomicReference<>(presence);
        ObjectProvider<PresenceDirectory> provider = new ObjectProvider<>() {
            @Override
            public PresenceDirectory getObject(Object... args) {
                return bean.get();
            }

            @Override
            public PresenceDirectory getIfAvailable() {
                return bean.get();
            }

            @Override
            public PresenceDirectory getIfUnique() {
                return bean.get();
            }

            @Override
            public PresenceDirectory getObject() {
                return bean.get();
            }
        };
        doReturn(Mono.just(Optional.of(new UserView("u1", "alice", "Alice", Instant.now()))))
                .when(backend).query(any(), any());
        UserController controller = new UserController(context.getBean(CredentialStore.class),
                context.getBean(TokenService.class), context.getBean(LoginThrottle.class), backend, provider,
                new RoleProperties(null, null, null), context.getBean(RoleGrants.class), null);

        assertThat(controller.profile(null, "u1").block()).isEqualTo(
                new UserController.UserProfile("u1", "alice", "Alice", true, Instant.parse("2025-06-01T12:00:00Z")));
    }

    private void badRegistration(String json, String messagePart) {
        client.post().uri("/api/users").contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange()
                .expectStatus().isBadRequest()
                .expectBody(JSON).value(body -> {
                    assertThat(body).as(json).containsEntry("code", "BAD_REQUEST");
                    assertThat((String) body.get("message")).as(json).isNotBlank().doesNotContain("io.parley", "java.");
                    if (messagePart != null) {
                        assertThat((String) body.get("message")).as(json).contains(messagePart);
                    }
                });
    }

    private WebTestClient.ResponseSpec register(String username, String password, String displayName) {
        return client.post().uri("/api/users").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", username, "password", password, "displayName", displayName))
                .exchange();
    }

    private WebTestClient.ResponseSpec login(String username, String password) {
        return client.post().uri("/api/sessions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", username, "password", password))
                .exchange();
    }

    private String tokenOfNewUser() {
        doReturn(Mono.empty()).when(backend).send(any());
        String username = unique("user");
        register(username, "correct horse", "Someone").expectStatus().isCreated();
        return (String) login(username, "correct horse").expectStatus().isOk()
                .expectBody(JSON).returnResult().getResponseBody().get("token");
    }

    private static String userIdOf(String token) {
        return context.getBean(TokenService.class).sessionTokens().decode(token).block().getSubject();
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }
}
